package dev.gatehouse.config;

import dev.gatehouse.config.ConfigKey.Scope;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every key of the configuration tree, each declared once: the one place a new key is added.
 *
 * <p>The binders read values through these keys (so a value is parsed and checked the same way wherever it came from,
 * and an error names the key), the loader refuses any key not declared here, the sidecar builds its flags, {@code
 * GATEHOUSE_*} variables and {@code --help} from the keys that have a flag, and the Spring Boot starter binds {@code
 * gatehouse.*} and publishes its configuration metadata from the same list.
 */
public final class ConfigSchema {

  private static final List<ConfigKey<?>> KEYS = new ArrayList<>();

  // --- the sidecar's listener and upstream

  /** {@code listen}. */
  public static final ConfigKey<InetSocketAddress> LISTEN =
      declare(key("listen", ConfigType.HOST_PORT, "Address the sidecar listens on.").defaultValue("0.0.0.0:8000").scope(Scope.SIDECAR).flag("--listen", "HOST:PORT"));

  /** {@code upstream}. */
  public static final ConfigKey<URI> UPSTREAM =
      declare(
          key("upstream", ConfigType.UPSTREAM, "Where the sidecar forwards allowed requests: http://127.0.0.1:8080 or unix:/path/app.sock.")
              .scope(Scope.SIDECAR)
              .flag("--upstream", "URL"));

  /** {@code upstream-protocol}. */
  public static final ConfigKey<UpstreamProtocol> UPSTREAM_PROTOCOL =
      declare(
          key(
                  "upstream-protocol",
                  ConfigType.oneOf(ConfigType.lowerCaseNames(UpstreamProtocol.values()), UpstreamProtocol.class),
                  "How the sidecar speaks to the upstream: http1 (HTTP/1.1, keep-alive pool) or h2c (HTTP/2 with prior knowledge, for gRPC).")
              .defaultValue("http1")
              .scope(Scope.SIDECAR)
              .flag("--upstream-protocol", "NAME"));

  /** {@code allow-remote-upstream}. */
  public static final ConfigKey<Boolean> ALLOW_REMOTE_UPSTREAM =
      declare(
          key("allow-remote-upstream", ConfigType.BOOLEAN, "Whether the upstream may be an address other than loopback.")
              .defaultValue("false")
              .scope(Scope.SIDECAR)
              .flagSwitch("--allow-remote-upstream"));

  /** {@code admin}. */
  public static final ConfigKey<InetSocketAddress> ADMIN =
      declare(
          key("admin", ConfigType.HOST_PORT, "Address of the plain-HTTP admin listener (/livez, /readyz, /metrics); off when absent.")
              .scope(Scope.SIDECAR)
              .flag("--admin", "HOST:PORT"));

  /** {@code shutdown}. */
  public static final ConfigKey<Void> SHUTDOWN =
      declare(key("shutdown", ConfigType.SECTION, "How the sidecar stops on SIGTERM (docs/operations.md).").scope(Scope.SIDECAR));

  /** {@code shutdown.drain-delay}. */
  public static final ConfigKey<Duration> SHUTDOWN_DRAIN_DELAY =
      declare(
          key("shutdown.drain-delay", ConfigType.DURATION, "After SIGTERM, how long /readyz answers 503 while the listener still accepts and serves, in seconds or as a duration such as 5s.")
              .defaultValue("5s")
              .scope(Scope.SIDECAR)
              .flag("--drain-delay", "SECONDS"));

  /** {@code access-log}. */
  public static final ConfigKey<String> ACCESS_LOG =
      declare(
          key("access-log", ConfigType.STRING, "Where one JSON line per request goes: none, stdout, stderr or a file path.")
              .defaultValue("none")
              .scope(Scope.SIDECAR)
              .flag("--access-log", "TARGET"));

  /** {@code log-format}. */
  public static final ConfigKey<OperationsConfig.LogFormat> LOG_FORMAT =
      declare(
          key(
                  "log-format",
                  ConfigType.oneOf(ConfigType.lowerCaseNames(OperationsConfig.LogFormat.values()), OperationsConfig.LogFormat.class),
                  "Format of the sidecar's own log lines on standard output: text, or json (one object a line, as the audit and access lines).")
              .defaultValue("text")
              .scope(Scope.SIDECAR)
              .flag("--log-format", "NAME"));

  // --- limits (sidecar)

  /** {@code limits}. */
  public static final ConfigKey<Void> LIMITS =
      declare(key("limits", ConfigType.SECTION, "What one client may cost the sidecar: the request-head deadline and the per-peer connection cap.").scope(Scope.SIDECAR));

  /** {@code limits.header-timeout}. */
  public static final ConfigKey<Duration> LIMITS_HEADER_TIMEOUT =
      declare(
          key(
                  "limits.header-timeout",
                  ConfigType.DURATION,
                  "Time a client has for the TLS handshake and for each whole request head (from its first byte); then 408 and close. At most 5m.")
              .defaultValue("20s")
              .scope(Scope.SIDECAR)
              .flag("--header-timeout", "DURATION"));

  /** {@code limits.connections-per-peer}. */
  public static final ConfigKey<Integer> LIMITS_CONNECTIONS_PER_PEER =
      declare(
          key(
                  "limits.connections-per-peer",
                  ConfigType.INTEGER,
                  "Open connections one client IP address may hold; further ones are closed as they are accepted. 0 turns the cap off.")
              .defaultValue("1024")
              .scope(Scope.SIDECAR)
              .flag("--connections-per-peer", "N"));

  // --- tls (sidecar)

  /** {@code tls}. */
  public static final ConfigKey<Void> TLS = declare(key("tls", ConfigType.SECTION, "The sidecar's TLS listener; a client CA turns on mTLS.").scope(Scope.SIDECAR));

  /** {@code tls.certificate}. */
  public static final ConfigKey<Path> TLS_CERTIFICATE =
      declare(key("tls.certificate", ConfigType.FILE, "PEM certificate chain, leaf first.").scope(Scope.SIDECAR).flag("--tls-cert", "FILE"));

  /** {@code tls.private-key}. */
  public static final ConfigKey<Path> TLS_PRIVATE_KEY =
      declare(
          key("tls.private-key", ConfigType.FILE, "PEM private key of the certificate (PKCS#1, PKCS#8 or SEC1, optionally encrypted).")
              .scope(Scope.SIDECAR)
              .flag("--tls-key", "FILE"));

  /** {@code tls.private-key-password}. */
  public static final ConfigKey<String> TLS_PRIVATE_KEY_PASSWORD =
      declare(key("tls.private-key-password", ConfigType.RAW_STRING, "Password of an encrypted private key.").scope(Scope.SIDECAR).secret());

  /** {@code tls.private-key-password-file}. */
  public static final ConfigKey<Path> TLS_PRIVATE_KEY_PASSWORD_FILE =
      declare(
          key("tls.private-key-password-file", ConfigType.FILE, "File whose first line is the password of an encrypted private key.")
              .scope(Scope.SIDECAR)
              .flag("--tls-key-password-file", "FILE"));

  /** {@code tls.keystore}. */
  public static final ConfigKey<Path> TLS_KEYSTORE =
      declare(key("tls.keystore", ConfigType.FILE, "PKCS#12 keystore holding the key and chain, instead of PEM files.").scope(Scope.SIDECAR));

  /** {@code tls.keystore-password}. */
  public static final ConfigKey<String> TLS_KEYSTORE_PASSWORD =
      declare(key("tls.keystore-password", ConfigType.RAW_STRING, "Password of the keystore.").scope(Scope.SIDECAR).secret());

  /** {@code tls.keystore-password-file}. */
  public static final ConfigKey<Path> TLS_KEYSTORE_PASSWORD_FILE =
      declare(key("tls.keystore-password-file", ConfigType.FILE, "File whose first line is the keystore's password.").scope(Scope.SIDECAR));

  /** {@code tls.client-ca}. */
  public static final ConfigKey<Path> TLS_CLIENT_CA =
      declare(
          key("tls.client-ca", ConfigType.FILE, "PEM bundle of the CAs that sign client certificates; turns on mTLS.")
              .scope(Scope.SIDECAR)
              .flag("--client-ca", "FILE"));

  /** {@code tls.client-auth}. */
  public static final ConfigKey<TlsConfig.ClientAuth> TLS_CLIENT_AUTH =
      declare(
          key(
                  "tls.client-auth",
                  ConfigType.oneOf(ConfigType.lowerCaseNames(TlsConfig.ClientAuth.values()), TlsConfig.ClientAuth.class),
                  "Whether a client certificate is required (need), asked for (want) or not asked for (none); need when client-ca is set.")
              .scope(Scope.SIDECAR)
              .flag("--client-auth", "MODE"));

  /** {@code tls.crl}. */
  public static final ConfigKey<Path> TLS_CRL =
      declare(key("tls.crl", ConfigType.FILE, "PEM or DER certificate revocation list checked for client certificates.").scope(Scope.SIDECAR));

  /** {@code tls.profile}. */
  public static final ConfigKey<TlsProfile> TLS_PROFILE =
      declare(
          key(
                  "tls.profile",
                  ConfigType.oneOf(ConfigType.lowerCaseNames(TlsProfile.values()), TlsProfile.class),
                  "Protocols and cipher suites: modern (TLS 1.3 only) or intermediate (TLS 1.2 and 1.3, AEAD suites only).")
              .defaultValue("intermediate")
              .scope(Scope.SIDECAR)
              .flag("--tls-profile", "NAME"));

  /** {@code tls.protocols}. */
  public static final ConfigKey<List<String>> TLS_PROTOCOLS =
      declare(key("tls.protocols", ConfigType.COMMA_SEPARATED_LIST, "Narrows the profile's protocols, such as TLSv1.3.").scope(Scope.SIDECAR));

  /** {@code tls.cipher-suites}. */
  public static final ConfigKey<List<String>> TLS_CIPHER_SUITES =
      declare(key("tls.cipher-suites", ConfigType.COMMA_SEPARATED_LIST, "Narrows the profile's cipher suites (IANA names).").scope(Scope.SIDECAR));


  // --- assertion (sidecar): the signed statement every forwarded request carries

  /** {@code assertion}. */
  public static final ConfigKey<Void> ASSERTION =
      declare(
          key("assertion", ConfigType.SECTION, "Signs every forwarded request with a short-lived X-Gatehouse-Assertion the application verifies (docs/zero-trust.md).")
              .scope(Scope.SIDECAR));

  /** {@code assertion.signing-key}. */
  public static final ConfigKey<Path> ASSERTION_SIGNING_KEY =
      declare(key("assertion.signing-key", ConfigType.FILE, "PEM private key signing the assertions: Ed25519 (EdDSA) or EC P-256 (ES256), unencrypted PKCS#8 or SEC1.").scope(Scope.SIDECAR));

  /** {@code assertion.hmac-secret-file}. */
  public static final ConfigKey<Path> ASSERTION_HMAC_SECRET_FILE =
      declare(key("assertion.hmac-secret-file", ConfigType.FILE, "File holding a shared secret of at least 32 bytes, to sign with HS256 instead of signing-key.").scope(Scope.SIDECAR));

  /** {@code assertion.key-id}. */
  public static final ConfigKey<String> ASSERTION_KEY_ID =
      declare(key("assertion.key-id", ConfigType.STRING, "kid written in each assertion's header, so the application can pick the key during a rotation.").scope(Scope.SIDECAR));

  /** {@code assertion.issuer}. */
  public static final ConfigKey<String> ASSERTION_ISSUER =
      declare(key("assertion.issuer", ConfigType.STRING, "iss of the assertions; the application expects exactly this value.").scope(Scope.SIDECAR));

  /** {@code assertion.audience}. */
  public static final ConfigKey<String> ASSERTION_AUDIENCE =
      declare(key("assertion.audience", ConfigType.STRING, "aud of the assertions: the application they are meant for.").scope(Scope.SIDECAR));

  /** {@code assertion.lifetime}. */
  public static final ConfigKey<Duration> ASSERTION_LIFETIME =
      declare(key("assertion.lifetime", ConfigType.DURATION, "How long an assertion is valid after it is signed (exp - iat), at most 5m.").defaultValue("10s").scope(Scope.SIDECAR));

  // --- authentication

  /** {@code authentication}. */
  public static final ConfigKey<Void> AUTHENTICATION = declare(key("authentication", ConfigType.SECTION, "Ways for callers to prove who they are."));

  /** {@code authentication.basic}. */
  public static final ConfigKey<Void> BASIC = declare(key("authentication.basic", ConfigType.SECTION, "HTTP Basic authentication against an htpasswd file."));

  /** {@code authentication.basic.realm}. */
  public static final ConfigKey<String> BASIC_REALM =
      declare(key("authentication.basic.realm", ConfigType.STRING, "Realm named in the challenge.").defaultValue(BasicConfig.DEFAULT_REALM).flag("--realm", "NAME"));

  /** {@code authentication.basic.htpasswd}. */
  public static final ConfigKey<Path> BASIC_HTPASSWD =
      declare(
          key("authentication.basic.htpasswd", ConfigType.FILE, "htpasswd file of users and password hashes (bcrypt, {SHA}, {SSHA}, $apr1$, SHA-crypt).")
              .flag("--htpasswd", "FILE"));

  /** {@code authentication.basic.max-bcrypt-cost}. */
  public static final ConfigKey<Integer> BASIC_MAX_BCRYPT_COST =
      declare(
          key("authentication.basic.max-bcrypt-cost", ConfigType.INTEGER, "Highest bcrypt cost an htpasswd entry may have; a file with a costlier entry is refused, naming the line.")
              .defaultValue(String.valueOf(BasicConfig.DEFAULT_MAX_BCRYPT_COST)));

  /** {@code authentication.basic.max-sha-crypt-rounds}. */
  public static final ConfigKey<Integer> BASIC_MAX_SHA_CRYPT_ROUNDS =
      declare(
          key("authentication.basic.max-sha-crypt-rounds", ConfigType.INTEGER, "Most rounds a SHA-256/512-crypt htpasswd entry may ask for; a file with more is refused, naming the line.")
              .defaultValue(String.valueOf(BasicConfig.DEFAULT_MAX_SHA_CRYPT_ROUNDS)));

  /** {@code authentication.basic.failure-budget}. */
  public static final ConfigKey<Void> BASIC_FAILURE_BUDGET =
      declare(
          key(
              "authentication.basic.failure-budget",
              ConfigType.SECTION,
              "Failed Basic attempts allowed before 429 with Retry-After, with no password hashed: per peer address, and per user name at one peer address."));

  /** {@code authentication.basic.failure-budget.peer-burst}. */
  public static final ConfigKey<Integer> BASIC_FAILURE_PEER_BURST =
      declare(
          key("authentication.basic.failure-budget.peer-burst", ConfigType.INTEGER, "Failures one peer address may make in a row; 0 turns the per-peer budget off.")
              .defaultValue(String.valueOf(BasicConfig.FailureBudget.DEFAULT.peerBurst())));

  /** {@code authentication.basic.failure-budget.peer-refill}. */
  public static final ConfigKey<Duration> BASIC_FAILURE_PEER_REFILL =
      declare(key("authentication.basic.failure-budget.peer-refill", ConfigType.DURATION, "How often a peer address gains back one failure.").defaultValue("1s"));

  /** {@code authentication.basic.failure-budget.user-burst}. */
  public static final ConfigKey<Integer> BASIC_FAILURE_USER_BURST =
      declare(
          key("authentication.basic.failure-budget.user-burst", ConfigType.INTEGER, "Failures for one user name from one peer address in a row; 0 turns the per-user budget off.")
              .defaultValue(String.valueOf(BasicConfig.FailureBudget.DEFAULT.userBurst())));

  /** {@code authentication.basic.failure-budget.user-refill}. */
  public static final ConfigKey<Duration> BASIC_FAILURE_USER_REFILL =
      declare(key("authentication.basic.failure-budget.user-refill", ConfigType.DURATION, "How often a user name at one peer address gains back one failure.").defaultValue("10s"));

  /** {@code authentication.jwt}. */
  public static final ConfigKey<Void> JWT = declare(key("authentication.jwt", ConfigType.SECTION_LIST, "Issuers whose JWT bearer tokens are accepted."));

  /** {@code authentication.jwt[].issuer}. */
  public static final ConfigKey<String> JWT_ISSUER = declare(key("authentication.jwt[].issuer", ConfigType.STRING, "Exact iss value of the issuer's tokens."));

  /** {@code authentication.jwt[].jwks-uri}. */
  public static final ConfigKey<URI> JWT_JWKS_URI =
      declare(key("authentication.jwt[].jwks-uri", ConfigType.URL, "URL of the issuer's JSON Web Key Set; https, or http on a loopback address."));

  /** {@code authentication.jwt[].jwks-file}. */
  public static final ConfigKey<Path> JWT_JWKS_FILE =
      declare(key("authentication.jwt[].jwks-file", ConfigType.FILE, "Local JSON Web Key Set file, instead of a URL."));

  /** {@code authentication.jwt[].discovery}. */
  public static final ConfigKey<Boolean> JWT_DISCOVERY =
      declare(
          key("authentication.jwt[].discovery", ConfigType.BOOLEAN, "Whether to find the JWKS URL in the issuer's /.well-known/openid-configuration.")
              .defaultValue("false"));

  /** {@code authentication.jwt[].audiences}. */
  public static final ConfigKey<List<String>> JWT_AUDIENCES =
      declare(key("authentication.jwt[].audiences", ConfigType.LIST, "Accepted aud values; when empty, aud is not checked."));

  /** {@code authentication.jwt[].algorithms}. */
  public static final ConfigKey<List<String>> JWT_ALGORITHMS =
      declare(key("authentication.jwt[].algorithms", ConfigType.LIST, "Accepted JWS algorithms; every asymmetric one when empty, HS* only with a secret."));

  /** {@code authentication.jwt[].hmac-secret}. */
  public static final ConfigKey<String> JWT_HMAC_SECRET =
      declare(key("authentication.jwt[].hmac-secret", ConfigType.STRING, "Shared secret for HS256, HS384 and HS512, at least 32 bytes.").secret());

  /** {@code authentication.jwt[].hmac-secret-file}. */
  public static final ConfigKey<Path> JWT_HMAC_SECRET_FILE =
      declare(key("authentication.jwt[].hmac-secret-file", ConfigType.FILE, "File holding the shared secret."));

  /** {@code authentication.jwt[].clock-skew}. */
  public static final ConfigKey<Duration> JWT_CLOCK_SKEW =
      declare(key("authentication.jwt[].clock-skew", ConfigType.DURATION, "Allowed clock skew for exp, nbf and iat, at most 10m.").defaultValue("60s"));

  /** {@code authentication.jwt[].from-headers}. */
  public static final ConfigKey<Void> JWT_FROM_HEADERS =
      declare(
          key(
              "authentication.jwt[].from-headers",
              ConfigType.SECTION_LIST,
              "Request headers that carry the token, each with the prefix before it; Authorization with \"Bearer \" when no location is set."));

  /** {@code authentication.jwt[].from-headers[].name}. */
  public static final ConfigKey<String> JWT_FROM_HEADER_NAME =
      declare(key("authentication.jwt[].from-headers[].name", ConfigType.STRING, "Header name, such as Authorization."));

  /** {@code authentication.jwt[].from-headers[].prefix}. */
  public static final ConfigKey<String> JWT_FROM_HEADER_PREFIX =
      declare(key("authentication.jwt[].from-headers[].prefix", ConfigType.RAW_STRING, "Text before the token, such as \"Bearer \"; matched case-insensitively."));

  /** {@code authentication.jwt[].from-cookies}. */
  public static final ConfigKey<List<String>> JWT_FROM_COOKIES =
      declare(key("authentication.jwt[].from-cookies", ConfigType.LIST, "Cookies that carry the token."));

  /** {@code authentication.jwt[].from-params}. */
  public static final ConfigKey<List<String>> JWT_FROM_PARAMS =
      declare(key("authentication.jwt[].from-params", ConfigType.LIST, "Query parameters that carry the token; none unless set, since URLs end up in logs."));

  /** {@code authentication.jwt[].forward-token}. */
  public static final ConfigKey<Boolean> JWT_FORWARD_TOKEN =
      declare(key("authentication.jwt[].forward-token", ConfigType.BOOLEAN, "Whether the application receives the token header.").defaultValue("false"));

  /** {@code authentication.jwt[].claims-to-headers}. */
  public static final ConfigKey<Map<String, String>> JWT_CLAIMS_TO_HEADERS =
      declare(key("authentication.jwt[].claims-to-headers", ConfigType.MAP, "Request headers for the application, by claim name (a dotted path)."));

  /** {@code authentication.jwt[].groups-claim}. */
  public static final ConfigKey<String> JWT_GROUPS_CLAIM =
      declare(
          key("authentication.jwt[].groups-claim", ConfigType.STRING, "Claim holding the caller's groups, a dotted path such as realm_access.roles.")
              .defaultValue(JwtIssuerConfig.DEFAULT_GROUPS_CLAIM));

  /** {@code authentication.jwt[].max-token-size}. */
  public static final ConfigKey<Integer> JWT_MAX_TOKEN_SIZE =
      declare(key("authentication.jwt[].max-token-size", ConfigType.SIZE, "Longest token accepted, such as 16384 or 16KiB.").defaultValue("16KiB"));

  /** {@code authentication.jwt[].jwks-ca}. */
  public static final ConfigKey<Path> JWT_JWKS_CA =
      declare(
          key("authentication.jwt[].jwks-ca", ConfigType.FILE, "PEM bundle of CAs trusted when fetching the JWKS and discovery documents, instead of the JDK's."));

  /** {@code authentication.jwt[].jwks-proxy}. */
  public static final ConfigKey<URI> JWT_JWKS_PROXY =
      declare(key("authentication.jwt[].jwks-proxy", ConfigType.URL, "HTTP proxy for fetching the JWKS and discovery documents, such as http://proxy:3128."));

  /** {@code authentication.client-certificate}. */
  public static final ConfigKey<Void> CLIENT_CERTIFICATE =
      declare(key("authentication.client-certificate", ConfigType.SECTION, "Authentication by the TLS client certificate the server verified."));

  /** {@code authentication.client-certificate.enabled}. */
  public static final ConfigKey<Boolean> CLIENT_CERTIFICATE_ENABLED =
      declare(
          key("authentication.client-certificate.enabled", ConfigType.BOOLEAN, "Whether callers are named by their client certificate: their SPIFFE ID, else (when allow-common-names) cn:<subject CN>.")
              .defaultValue("true")
              .flagSwitch("--client-cert-auth"));

  /** {@code authentication.client-certificate.allow-common-names}. */
  public static final ConfigKey<Boolean> CLIENT_CERTIFICATE_ALLOW_COMMON_NAMES =
      declare(
          key(
              "authentication.client-certificate.allow-common-names",
              ConfigType.BOOLEAN,
              "Whether a certificate without a SPIFFE ID names the peer by its subject CN, as cn:<CN>; by default false when a rule names a spiffe:// principal or a namespace, or trust-domains is set, else true.")
          .flag("--allow-common-names", "BOOL"));

  /** {@code authentication.client-certificate.trust-domains}. */
  public static final ConfigKey<Map<String, String>> CLIENT_CERTIFICATE_TRUST_DOMAINS =
      declare(
          key(
              "authentication.client-certificate.trust-domains",
              ConfigType.MAP,
              "PEM CA bundle of each SPIFFE trust domain, by domain: a certificate must chain to the CAs of the domain its SPIFFE ID names."));

  /** {@code authentication.sidecar-assertion}. */
  public static final ConfigKey<Void> SIDECAR_ASSERTION =
      declare(
          key(
              "authentication.sidecar-assertion",
              ConfigType.SECTION,
              "Accept only requests carrying a valid X-Gatehouse-Assertion from the sidecar, whose identities they take; every other request is a 401."));

  /** {@code authentication.sidecar-assertion.verification-key}. */
  public static final ConfigKey<Path> SIDECAR_ASSERTION_VERIFICATION_KEY =
      declare(
          key(
              "authentication.sidecar-assertion.verification-key",
              ConfigType.FILE,
              "The sidecar's public key: a PEM Ed25519 or EC P-256 public key, or a JWKS file whose keys are chosen by kid (for rotation)."));

  /** {@code authentication.sidecar-assertion.hmac-secret-file}. */
  public static final ConfigKey<Path> SIDECAR_ASSERTION_HMAC_SECRET_FILE =
      declare(key("authentication.sidecar-assertion.hmac-secret-file", ConfigType.FILE, "File holding the shared HS256 secret, instead of verification-key."));

  /** {@code authentication.sidecar-assertion.issuer}. */
  public static final ConfigKey<String> SIDECAR_ASSERTION_ISSUER =
      declare(key("authentication.sidecar-assertion.issuer", ConfigType.STRING, "Exact iss of the sidecar's assertions (its assertion.issuer)."));

  /** {@code authentication.sidecar-assertion.audience}. */
  public static final ConfigKey<String> SIDECAR_ASSERTION_AUDIENCE =
      declare(key("authentication.sidecar-assertion.audience", ConfigType.STRING, "Exact aud the assertions must name: this application."));

  /** {@code authentication.sidecar-assertion.clock-skew}. */
  public static final ConfigKey<Duration> SIDECAR_ASSERTION_CLOCK_SKEW =
      declare(key("authentication.sidecar-assertion.clock-skew", ConfigType.DURATION, "Allowed clock difference for iat and exp, at most 1m.").defaultValue("5s"));

  /** {@code authentication.sidecar-assertion.max-lifetime}. */
  public static final ConfigKey<Duration> SIDECAR_ASSERTION_MAX_LIFETIME =
      declare(
          key("authentication.sidecar-assertion.max-lifetime", ConfigType.DURATION, "Longest lifetime (exp - iat) an assertion may have, at most 10m.")
              .defaultValue("60s"));

  // --- headers

  /** {@code headers}. */
  public static final ConfigKey<Void> HEADERS =
      declare(key("headers", ConfigType.SECTION, "Which client headers that Gatehouse removes by default may reach the application."));

  /** {@code headers.pass-from-client}. */
  public static final ConfigKey<List<String>> HEADERS_PASS_FROM_CLIENT =
      declare(
          key(
              "headers.pass-from-client",
              ConfigType.COMMA_SEPARATED_LIST,
              "Routing headers (X-Original-URL, X-Forwarded-Prefix, X-Pomerium-*, ... see docs/security.md) whose client value the application may see; never a framing or identity header."));

  // --- authorization

  /** {@code authorization}. */
  public static final ConfigKey<Void> AUTHORIZATION = declare(key("authorization", ConfigType.SECTION, "Rules deciding which requests are let through."));

  /** {@code authorization.audit}. */
  public static final ConfigKey<AuthorizationConfig.Audit> AUTHORIZATION_AUDIT =
      declare(
          key(
                  "authorization.audit",
                  ConfigType.oneOf(ConfigType.lowerCaseNames(AuthorizationConfig.Audit.values()), AuthorizationConfig.Audit.class),
                  "Which decisions are written to the gatehouse.audit log as JSON: denied, all or none.")
              .defaultValue("denied"));

  /** {@code authorization.rules}. */
  public static final ConfigKey<Void> RULES =
      declare(key("authorization.rules", ConfigType.SECTION_LIST, "Authorization rules: deny rules first, then allow rules."));

  /** {@code authorization.rules[].name}. */
  public static final ConfigKey<String> RULE_NAME =
      declare(key("authorization.rules[].name", ConfigType.STRING, "Name for logs, the audit line and check; rules[i] when absent."));

  /** {@code authorization.rules[].action}. */
  public static final ConfigKey<RuleConfig.Action> RULE_ACTION =
      declare(
          key(
              "authorization.rules[].action",
              ConfigType.oneOf(ConfigType.lowerCaseNames(RuleConfig.Action.values()), RuleConfig.Action.class),
              "What a matching rule does: allow or deny."));

  /** {@code authorization.rules[].from}. */
  public static final ConfigKey<Void> RULE_FROM = declare(key("authorization.rules[].from", ConfigType.SECTION, "Conditions on the caller."));

  /** {@code authorization.rules[].from.principals}. */
  public static final ConfigKey<List<String>> FROM_PRINCIPALS =
      declare(key("authorization.rules[].from.principals", ConfigType.LIST, "mTLS peer names (SPIFFE ID, else cn:<CN>): exact, prefix*, *suffix, or * for any peer; needs client-certificate."));

  /** {@code authorization.rules[].from.not-principals}. */
  public static final ConfigKey<List<String>> FROM_NOT_PRINCIPALS =
      declare(key("authorization.rules[].from.not-principals", ConfigType.LIST, "Peer names that must not match."));

  /** {@code authorization.rules[].from.request-principals}. */
  public static final ConfigKey<List<String>> FROM_REQUEST_PRINCIPALS =
      declare(
          key(
              "authorization.rules[].from.request-principals",
              ConfigType.LIST,
              "Request principals (JWT iss/sub, with / and % in sub written %2F and %25; Basic user): exact, prefix*, *suffix, or * for any request principal."));

  /** {@code authorization.rules[].from.not-request-principals}. */
  public static final ConfigKey<List<String>> FROM_NOT_REQUEST_PRINCIPALS =
      declare(key("authorization.rules[].from.not-request-principals", ConfigType.LIST, "Request principals that must not match."));

  /** {@code authorization.rules[].from.namespaces}. */
  public static final ConfigKey<List<String>> FROM_NAMESPACES =
      declare(key("authorization.rules[].from.namespaces", ConfigType.LIST, "Kubernetes namespaces of the peer's SPIFFE ID."));

  /** {@code authorization.rules[].from.not-namespaces}. */
  public static final ConfigKey<List<String>> FROM_NOT_NAMESPACES =
      declare(key("authorization.rules[].from.not-namespaces", ConfigType.LIST, "Namespaces that must not match."));

  /** {@code authorization.rules[].from.groups}. */
  public static final ConfigKey<List<String>> FROM_GROUPS = declare(key("authorization.rules[].from.groups", ConfigType.LIST, "Groups of the request principal, else of the peer."));

  /** {@code authorization.rules[].from.not-groups}. */
  public static final ConfigKey<List<String>> FROM_NOT_GROUPS =
      declare(key("authorization.rules[].from.not-groups", ConfigType.LIST, "Groups the caller must not be in."));

  /** {@code authorization.rules[].from.ip-blocks}. */
  public static final ConfigKey<List<String>> FROM_IP_BLOCKS =
      declare(key("authorization.rules[].from.ip-blocks", ConfigType.LIST, "IPv4 or IPv6 addresses or CIDR blocks of the direct peer."));

  /** {@code authorization.rules[].from.not-ip-blocks}. */
  public static final ConfigKey<List<String>> FROM_NOT_IP_BLOCKS =
      declare(key("authorization.rules[].from.not-ip-blocks", ConfigType.LIST, "Blocks the peer must not be in."));

  /** {@code authorization.rules[].to}. */
  public static final ConfigKey<Void> RULE_TO = declare(key("authorization.rules[].to", ConfigType.SECTION, "Conditions on the request."));

  /** {@code authorization.rules[].to.methods}. */
  public static final ConfigKey<List<String>> TO_METHODS = declare(key("authorization.rules[].to.methods", ConfigType.LIST, "Request methods, in upper case."));

  /** {@code authorization.rules[].to.not-methods}. */
  public static final ConfigKey<List<String>> TO_NOT_METHODS =
      declare(key("authorization.rules[].to.not-methods", ConfigType.LIST, "Methods that must not match."));

  /** {@code authorization.rules[].to.paths}. */
  public static final ConfigKey<List<String>> TO_PATHS =
      declare(key("authorization.rules[].to.paths", ConfigType.LIST, "Canonical paths: exact, /prefix/*, *suffix, *, or templates with {*} and {**}."));

  /** {@code authorization.rules[].to.not-paths}. */
  public static final ConfigKey<List<String>> TO_NOT_PATHS = declare(key("authorization.rules[].to.not-paths", ConfigType.LIST, "Paths that must not match."));

  /** {@code authorization.rules[].to.hosts}. */
  public static final ConfigKey<List<String>> TO_HOSTS =
      declare(key("authorization.rules[].to.hosts", ConfigType.LIST, "Host header values, case-insensitive, port ignored unless given."));

  /** {@code authorization.rules[].to.not-hosts}. */
  public static final ConfigKey<List<String>> TO_NOT_HOSTS = declare(key("authorization.rules[].to.not-hosts", ConfigType.LIST, "Hosts that must not match."));

  /** {@code authorization.rules[].to.ports}. */
  public static final ConfigKey<List<String>> TO_PORTS = declare(key("authorization.rules[].to.ports", ConfigType.LIST, "Local ports the request arrived on."));

  /** {@code authorization.rules[].to.not-ports}. */
  public static final ConfigKey<List<String>> TO_NOT_PORTS = declare(key("authorization.rules[].to.not-ports", ConfigType.LIST, "Ports that must not match."));

  /** {@code authorization.rules[].when}. */
  public static final ConfigKey<Void> RULE_WHEN =
      declare(key("authorization.rules[].when", ConfigType.SECTION_LIST, "Further conditions on JWT claims and request headers, all of which must hold."));

  /** {@code authorization.rules[].when[].key}. */
  public static final ConfigKey<String> WHEN_KEY =
      declare(key("authorization.rules[].when[].key", ConfigType.STRING, "claims.<name> for a JWT claim, or request.headers[<Name>] for a request header."));

  /** {@code authorization.rules[].when[].values}. */
  public static final ConfigKey<List<String>> WHEN_VALUES =
      declare(key("authorization.rules[].when[].values", ConfigType.LIST, "Values of which one must match."));

  /** {@code authorization.rules[].when[].not-values}. */
  public static final ConfigKey<List<String>> WHEN_NOT_VALUES =
      declare(key("authorization.rules[].when[].not-values", ConfigType.LIST, "Values none of which may match."));

  // --- egress (sidecar): the app's calls out, and the credentials endpoint (docs/egress.md)

  /** {@code egress}. */
  public static final ConfigKey<Void> EGRESS =
      declare(key("egress", ConfigType.SECTION, "The egress listener: the app calls remote services through it, and it authenticates the calls (docs/egress.md).").scope(Scope.SIDECAR));

  /** {@code egress.listen}. */
  public static final ConfigKey<String> EGRESS_LISTEN =
      declare(key("egress.listen", ConfigType.STRING, "Where the app reaches the egress listener: a loopback IP:port such as 127.0.0.1:15001, or unix:/path.").scope(Scope.SIDECAR));

  /** {@code egress.routes}. */
  public static final ConfigKey<Void> EGRESS_ROUTES =
      declare(key("egress.routes", ConfigType.SECTION_LIST, "The remote services the app may call; a request no route matches is answered 404 and sent nowhere.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].name}. */
  public static final ConfigKey<String> EGRESS_ROUTE_NAME =
      declare(key("egress.routes[].name", ConfigType.STRING, "Name of the route, unique, for logs and credentials items.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].prefix}. */
  public static final ConfigKey<String> EGRESS_ROUTE_PREFIX =
      declare(key("egress.routes[].prefix", ConfigType.STRING, "Path prefix the app calls, such as /orders/; the longest matching prefix wins.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].upstream}. */
  public static final ConfigKey<URI> EGRESS_ROUTE_UPSTREAM =
      declare(key("egress.routes[].upstream", ConfigType.URL, "https URL the prefix stands for; the rest of the app's path is appended to its path.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].methods}. */
  public static final ConfigKey<List<String>> EGRESS_ROUTE_METHODS =
      declare(key("egress.routes[].methods", ConfigType.LIST, "Methods the app may use on the route, in upper case; any when empty, others get 405.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].tls}. */
  public static final ConfigKey<Void> EGRESS_ROUTE_TLS =
      declare(key("egress.routes[].tls", ConfigType.SECTION, "How the remote is verified, and the workload certificate shown to it.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].tls.ca}. */
  public static final ConfigKey<Path> EGRESS_ROUTE_TLS_CA =
      declare(key("egress.routes[].tls.ca", ConfigType.FILE, "PEM bundle of the CAs trusted for the remote's certificate, instead of the JDK's.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].tls.server-name}. */
  public static final ConfigKey<String> EGRESS_ROUTE_TLS_SERVER_NAME =
      declare(key("egress.routes[].tls.server-name", ConfigType.STRING, "Name sent as SNI and verified in the remote's certificate; the upstream's host when not set.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].tls.peer-spiffe-ids}. */
  public static final ConfigKey<List<String>> EGRESS_ROUTE_TLS_PEER_SPIFFE_IDS =
      declare(key("egress.routes[].tls.peer-spiffe-ids", ConfigType.LIST, "SPIFFE IDs of which the remote's certificate must carry one; not checked when empty.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].tls.client-certificate}. */
  public static final ConfigKey<Path> EGRESS_ROUTE_TLS_CLIENT_CERTIFICATE =
      declare(key("egress.routes[].tls.client-certificate", ConfigType.FILE, "PEM certificate chain shown to the remote (mTLS), leaf first; reloaded when it changes.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].tls.client-key}. */
  public static final ConfigKey<Path> EGRESS_ROUTE_TLS_CLIENT_KEY =
      declare(key("egress.routes[].tls.client-key", ConfigType.FILE, "PEM private key of client-certificate (unencrypted); reloaded with it.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].oauth2}. */
  public static final ConfigKey<Void> EGRESS_ROUTE_OAUTH2 =
      declare(key("egress.routes[].oauth2", ConfigType.SECTION, "OAuth2 client credentials (RFC 6749 section 4.4): the app's Authorization is replaced by a Bearer token.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].oauth2.token-uri}. */
  public static final ConfigKey<URI> EGRESS_ROUTE_OAUTH2_TOKEN_URI =
      declare(key("egress.routes[].oauth2.token-uri", ConfigType.URL, "The identity provider's token endpoint; https, or http on a loopback address.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].oauth2.client-id}. */
  public static final ConfigKey<String> EGRESS_ROUTE_OAUTH2_CLIENT_ID =
      declare(key("egress.routes[].oauth2.client-id", ConfigType.STRING, "The client's ID at the identity provider.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].oauth2.client-secret-file}. */
  public static final ConfigKey<Path> EGRESS_ROUTE_OAUTH2_CLIENT_SECRET_FILE =
      declare(key("egress.routes[].oauth2.client-secret-file", ConfigType.FILE, "File holding the client secret, sent with HTTP Basic (client_secret_basic); re-read when it changes.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].oauth2.client-assertion-key}. */
  public static final ConfigKey<Path> EGRESS_ROUTE_OAUTH2_CLIENT_ASSERTION_KEY =
      declare(key("egress.routes[].oauth2.client-assertion-key", ConfigType.FILE, "PEM private key (RSA: RS256, EC P-256: ES256, unencrypted PKCS#8) signing a private_key_jwt client assertion (RFC 7523), instead of a secret.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].oauth2.client-assertion-key-id}. */
  public static final ConfigKey<String> EGRESS_ROUTE_OAUTH2_CLIENT_ASSERTION_KEY_ID =
      declare(key("egress.routes[].oauth2.client-assertion-key-id", ConfigType.STRING, "kid written in the client assertion's header.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].oauth2.scopes}. */
  public static final ConfigKey<List<String>> EGRESS_ROUTE_OAUTH2_SCOPES =
      declare(key("egress.routes[].oauth2.scopes", ConfigType.LIST, "Scopes asked for, sent space-separated as scope.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].oauth2.audience}. */
  public static final ConfigKey<String> EGRESS_ROUTE_OAUTH2_AUDIENCE =
      declare(key("egress.routes[].oauth2.audience", ConfigType.STRING, "Audience of the token, sent as the parameter audience-parameter names.").scope(Scope.SIDECAR));

  /** {@code egress.routes[].oauth2.audience-parameter}. */
  public static final ConfigKey<OAuth2ClientConfig.AudienceParameter> EGRESS_ROUTE_OAUTH2_AUDIENCE_PARAMETER =
      declare(
          key(
                  "egress.routes[].oauth2.audience-parameter",
                  ConfigType.oneOf(ConfigType.lowerCaseNames(OAuth2ClientConfig.AudienceParameter.values()), OAuth2ClientConfig.AudienceParameter.class), "Form parameter carrying audience: audience (Auth0, Keycloak, RFC 8693) or resource (RFC 8707, Entra ID v1, ADFS).")
              .defaultValue("audience")
              .scope(Scope.SIDECAR));

  /** {@code credentials}. */
  public static final ConfigKey<Void> CREDENTIALS =
      declare(key("credentials", ConfigType.SECTION, "The credentials endpoint: the app fetches secrets and tokens over a Unix socket instead of a shared volume.").scope(Scope.SIDECAR));

  /** {@code credentials.listen}. */
  public static final ConfigKey<String> CREDENTIALS_LISTEN =
      declare(key("credentials.listen", ConfigType.STRING, "Unix socket of the endpoint, such as unix:/run/gatehouse/credentials.sock.").scope(Scope.SIDECAR));

  /** {@code credentials.allow-uids}. */
  public static final ConfigKey<List<String>> CREDENTIALS_ALLOW_UIDS =
      declare(key("credentials.allow-uids", ConfigType.LIST, "User IDs allowed to fetch, checked with the socket's peer credentials (root too must be listed).").scope(Scope.SIDECAR));

  /** {@code credentials.items}. */
  public static final ConfigKey<Void> CREDENTIALS_ITEMS =
      declare(key("credentials.items", ConfigType.SECTION_LIST, "What the endpoint serves, each at /v1/credentials/NAME.").scope(Scope.SIDECAR));

  /** {@code credentials.items[].name}. */
  public static final ConfigKey<String> CREDENTIALS_ITEM_NAME =
      declare(key("credentials.items[].name", ConfigType.STRING, "Name in the URL: letters, digits, '.', '-' and '_'.").scope(Scope.SIDECAR));

  /** {@code credentials.items[].file}. */
  public static final ConfigKey<Path> CREDENTIALS_ITEM_FILE =
      declare(key("credentials.items[].file", ConfigType.FILE, "File whose content is served; re-read when it changes (Kubernetes Secret swaps included).").scope(Scope.SIDECAR));

  /** {@code credentials.items[].oauth2-route}. */
  public static final ConfigKey<String> CREDENTIALS_ITEM_OAUTH2_ROUTE =
      declare(key("credentials.items[].oauth2-route", ConfigType.STRING, "Egress route whose current OAuth2 access token is served.").scope(Scope.SIDECAR));

  // --- Spring Boot only

  /** {@code enabled} (Spring Boot). */
  public static final ConfigKey<Boolean> SPRING_ENABLED =
      declare(key("enabled", ConfigType.BOOLEAN, "Whether to enable Gatehouse when gatehouse properties are set.").defaultValue("true").scope(Scope.SPRING));

  /** {@code filter} (Spring Boot). */
  public static final ConfigKey<Void> SPRING_FILTER = declare(key("filter", ConfigType.SECTION, "Servlet filter settings.").scope(Scope.SPRING));

  /** {@code filter.order} (Spring Boot). */
  public static final ConfigKey<Integer> SPRING_FILTER_ORDER =
      declare(
          key("filter.order", ConfigType.INTEGER, "Order of the Gatehouse filter; before Spring Security's filter (-100) by default.")
              .defaultValue("-110")
              .scope(Scope.SPRING));

  /** {@code security} (Spring Boot). */
  public static final ConfigKey<Void> SPRING_SECURITY =
      declare(key("security", ConfigType.SECTION, "How the Gatehouse identity becomes Spring Security's, when Spring Security is present.").scope(Scope.SPRING));

  /** {@code security.role-prefix} (Spring Boot). */
  public static final ConfigKey<String> SPRING_SECURITY_ROLE_PREFIX =
      declare(
          key("security.role-prefix", ConfigType.STRING, "Prefix of the authority each group becomes, as hasRole expects; JWT scopes become SCOPE_ authorities.")
              .defaultValue("ROLE_")
              .scope(Scope.SPRING));

  private static final List<ConfigKey<?>> ALL = List.copyOf(KEYS);
  private static final Map<String, List<ConfigKey<?>>> CHILDREN = children(ALL);

  private ConfigSchema() {}

  /**
   * Every declared key, sections included, in declaration order (parents before their children).
   *
   * @return the keys
   */
  public static List<ConfigKey<?>> keys() {
    return ALL;
  }

  /**
   * The key with a path, such as {@code authentication.jwt[].issuer}.
   *
   * @param path the path, with {@code []} for list elements
   * @return the key; empty when no such key is declared
   */
  public static Optional<ConfigKey<?>> key(String path) {
    for (ConfigKey<?> key : ALL) {
      if (key.path().equals(path)) {
        return Optional.of(key);
      }
    }
    return Optional.empty();
  }

  /**
   * The keys directly inside a section.
   *
   * @param section the section's path, {@code ""} for the top level
   * @return the keys, in declaration order; empty for an unknown section
   */
  public static List<ConfigKey<?>> children(String section) {
    return CHILDREN.getOrDefault(section, List.of());
  }

  /**
   * The schema path of a concrete key path: list indexes become {@code []}, as in {@code authentication.jwt[0].issuer}
   * to {@code authentication.jwt[].issuer}.
   *
   * @param keyPath a path as error messages write it
   * @return the path as keys declare it
   */
  public static String schemaPath(String keyPath) {
    return keyPath.replaceAll("\\[\\d+]", "[]");
  }

  private static Map<String, List<ConfigKey<?>>> children(List<ConfigKey<?>> keys) {
    Map<String, List<ConfigKey<?>>> children = new LinkedHashMap<>();
    for (ConfigKey<?> key : keys) {
      String parent = key.parent();
      // A list of sections holds its keys under "name[]"; a section under "name".
      children.computeIfAbsent(parent, p -> new ArrayList<>()).add(key);
    }
    Map<String, List<ConfigKey<?>>> copy = new LinkedHashMap<>();
    children.forEach((parent, list) -> copy.put(parent, List.copyOf(list)));
    return Map.copyOf(copy);
  }

  private static <T> ConfigKey.Builder<T> key(String path, ConfigType<T> type, String description) {
    return ConfigKey.builder(path, type, description);
  }

  private static <T> ConfigKey<T> declare(ConfigKey.Builder<T> builder) {
    ConfigKey<T> key = builder.build();
    KEYS.add(key);
    return key;
  }
}
