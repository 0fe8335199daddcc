package dev.gatehouse.authn.jwt;

import dev.gatehouse.internal.LogText;
import com.github.benmanes.caffeine.cache.Ticker;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.BasicConfig;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.JwtIssuerConfig;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.metrics.SourceStatus;
import java.text.ParseException;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JWT bearer authentication (RFC 6750) for one or more issuers, with keys from each issuer's JWKS.
 *
 * <p>Per request: find the token (by default {@code Authorization: Bearer}); refuse it unseen if it is longer than the
 * size limit or is not three base64url parts; if its SHA-256 digest is in the cache of verified tokens and it has not
 * expired, that is the answer. Otherwise read its {@code iss} (unverified, only to choose the issuer; an unknown issuer
 * is a 401) and let that issuer's Nimbus processor verify everything: an allowed algorithm, the signature with a key
 * from the issuer's JWKS or secret only, {@code exp} (required), {@code nbf}, {@code iat}, {@code iss} exactly, {@code
 * aud}, and no unknown {@code crit} header. The JWKS is cached and refreshed in the background; a token with an unknown
 * {@code kid} triggers a fetch at most twice per 30 seconds; the last keys are kept while the issuer is down.
 *
 * <p>The identity is named {@code iss/sub} (Istio's request principal; {@code %} and {@code /} in {@code sub} are
 * percent-encoded so that the form is unambiguous, see {@link #requestPrincipal}), its groups come from the issuer's groups claim,
 * and all claims are kept under {@link Identity#CLAIMS}. A bad token is a 401 whose challenge says {@code
 * error="invalid_token"} with a short fixed description; the logs get the reason with the issuer and {@code kid}, never
 * the token.
 *
 * <p>Thread-safe. {@link #close()} stops the background key refresh.
 */
final class JwtAuthenticator implements Authenticator {

  private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);

  private final Map<String, IssuerVerifier> issuers;
  private final TokenLocator locator;
  private final VerifiedTokenCache cache;
  private final int maxTokenSize;
  private final String challenge;
  private final Set<String> claimHeaderNames;

  private JwtAuthenticator(
      List<JwtIssuerConfig> configs, String realm, JwksSources.Settings settings, Clock clock, Ticker ticker, long cacheSize) {
    if (configs.isEmpty()) {
      throw new IllegalArgumentException("at least one issuer is required");
    }
    Map<String, IssuerVerifier> byIssuer = new HashMap<>();
    Set<String> headerNames = new LinkedHashSet<>();
    int maxSize = 0;
    for (int i = 0; i < configs.size(); i++) {
      JwtIssuerConfig config = configs.get(i);
      try {
        requireUnreservedHeaders(config);
        byIssuer.put(config.issuer(), new IssuerVerifier(config, settings, clock));
      } catch (ConfigException e) {
        throw e.within("authentication.jwt[" + i + "]");
      }
      headerNames.addAll(config.claimsToHeaders().values());
      maxSize = Math.max(maxSize, config.maxTokenSize());
    }
    this.issuers = Map.copyOf(byIssuer);
    this.locator = new TokenLocator(configs);
    this.cache = new VerifiedTokenCache(VerifiedTokenCache.DEFAULT_MAXIMUM_AGE, cacheSize, clock, ticker);
    this.maxTokenSize = maxSize;
    this.challenge = "Bearer realm=\"" + realm + "\"";
    this.claimHeaderNames = Set.copyOf(headerNames);
    for (IssuerVerifier issuer : issuers.values()) {
      issuer.prefetchKeys();
    }
  }

  /** Header names a claim may never be copied into: they carry the request itself or the client's own facts. */
  private static final Set<String> RESERVED_HEADERS =
      Set.of(
          "host", "authorization", "proxy-authorization", "cookie", "content-length", "content-type", "transfer-encoding",
          "connection", "keep-alive", "upgrade", "te", "trailer", "expect", "x-forwarded-for", "x-forwarded-proto",
          "x-forwarded-host", "forwarded", "x-forwarded-user", "x-forwarded-groups", "x-forwarded-client-cert");

  private static void requireUnreservedHeaders(JwtIssuerConfig config) {
    for (String header : config.claimsToHeaders().values()) {
      // Folded as IdentityHeaders folds: backends (and the servlet wrapper) read X.Forwarded.User as X-Forwarded-User.
      if (RESERVED_HEADERS.contains(IdentityHeaders.normalize(header))) {
        throw new ConfigException("claims-to-headers", header + " is reserved and cannot carry a claim");
      }
    }
  }

  /**
   * Creates an authenticator for the configured issuers and fetches their keys. An issuer whose keys cannot be fetched
   * now is logged and retried later; its tokens are refused meanwhile.
   *
   * @param issuers the {@code authentication.jwt} entries; at least one
   * @param realm the realm named in the {@code Bearer} challenge, such as {@value BasicConfig#DEFAULT_REALM}
   * @return the authenticator; close it to stop refreshing keys
   * @throws IllegalArgumentException if there is no issuer or the realm could not be quoted
   */
  static JwtAuthenticator create(List<JwtIssuerConfig> issuers, String realm) {
    Objects.requireNonNull(issuers, "issuers");
    Objects.requireNonNull(realm, "realm");
    for (int i = 0; i < realm.length(); i++) {
      char c = realm.charAt(i);
      // The realm goes inside a quoted-string in WWW-Authenticate, as the Basic realm does.
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        throw new IllegalArgumentException("realm must be printable ASCII without quotes or backslashes");
      }
    }
    return new JwtAuthenticator(
        issuers, realm, JwksSources.DEFAULTS, Clock.systemUTC(), Ticker.systemTicker(), VerifiedTokenCache.DEFAULT_MAXIMUM_SIZE);
  }

  /** For tests: tuned key-source timings and an injected clock. */
  static JwtAuthenticator create(List<JwtIssuerConfig> issuers, JwksSources.Settings settings, Clock clock) {
    return create(issuers, settings, clock, VerifiedTokenCache.DEFAULT_MAXIMUM_SIZE);
  }

  /** For benchmarks: a cache size of 0 turns the cache off, so every decision verifies the token as if first seen. */
  static JwtAuthenticator create(List<JwtIssuerConfig> issuers, JwksSources.Settings settings, Clock clock, long cacheSize) {
    return new JwtAuthenticator(issuers, BasicConfig.DEFAULT_REALM, settings, clock, Ticker.systemTicker(), cacheSize);
  }

  @Override
  public AuthenticationResult authenticate(RequestView request) {
    TokenLocator.Found found = locator.find(request);
    if (found.problem() != null) {
      return invalid(found.problem(), "malformed request");
    }
    String token = found.token();
    TokenLocator.Location location = found.location();
    if (token == null || location == null) {
      return AuthenticationResult.none();
    }
    if (token.length() > maxTokenSize) {
      return invalid("token of " + token.length() + " characters exceeds the limit of " + maxTokenSize, "token too large");
    }
    if (!isCompactJws(token)) {
      return invalid("not a compact JWS (three canonical base64url parts)", "malformed token");
    }
    Object key = cache.keyOf(token);
    VerifiedTokenCache.Entry cached = cache.get(key);
    if (cached != null) {
      return success(cached.verified(), location);
    }
    return verify(token, key, location);
  }

  private AuthenticationResult verify(String token, Object key, TokenLocator.Location location) {
    SignedJWT jwt;
    String issuerName;
    try {
      jwt = SignedJWT.parse(token);
      issuerName = jwt.getJWTClaimsSet().getIssuer();
    } catch (ParseException | RuntimeException e) {
      // alg "none" in any spelling ends here or at the algorithm check: a plain JWT is not a JWS.
      // Parser messages can quote the token's header or payload, which never go into a log.
      return invalid("unparseable token (" + e.getClass().getSimpleName() + ")", "malformed token");
    }
    AuthenticationResult shape = shapeProblem(jwt);
    if (shape != null) {
      return shape;
    }
    if (issuerName == null) {
      return invalid("token has no iss", "unknown issuer");
    }
    IssuerVerifier issuer = issuers.get(issuerName);
    if (issuer == null) {
      return invalid("unknown issuer " + LogText.quote(issuerName), "unknown issuer");
    }
    if (token.length() > issuer.config().maxTokenSize()) {
      return invalid("token exceeds the limit of issuer " + issuerName, "token too large");
    }
    if (!issuer.accepts(location)) {
      return invalid("issuer " + issuerName + " does not accept tokens from " + location, "token in the wrong place");
    }
    JWTClaimsSet claims;
    String context = "issuer " + issuerName + " kid " + LogText.quote(String.valueOf(jwt.getHeader().getKeyID())) + " alg " + LogText.quote(String.valueOf(jwt.getHeader().getAlgorithm()));
    try {
      claims = issuer.verify(jwt);
    } catch (TokenRefused e) {
      return invalid(context + ": " + e.getMessage(), e.description());
    } catch (BadJWTException e) {
      return invalid(context + ": " + e.getMessage(), "claims not accepted");
    } catch (BadJWSException e) {
      return invalid(context + ": " + e.getMessage(), "invalid signature");
    } catch (BadJOSEException e) {
      return invalid(context + ": " + e.getMessage(), "no matching key or algorithm");
    } catch (RateLimitReachedException e) {
      log.debug("{}: unknown key and the JWKS was fetched recently; not fetching again yet", context);
      return invalid(context + ": unknown key, JWKS refresh rate-limited", "no matching key or algorithm");
    } catch (KeySourceException e) {
      log.warn("{}: signing keys unavailable: {}", context, e.getMessage());
      return invalid(context + ": signing keys unavailable", "signing keys unavailable");
    } catch (JOSEException | RuntimeException e) {
      return invalid(context + ": " + e, "token could not be verified");
    }
    Verified verified = toVerified(claims, issuer);
    long usableUntil = claims.getExpirationTime().toInstant().getEpochSecond() + issuer.config().clockSkew().toSeconds();
    cache.put(key, new VerifiedTokenCache.Entry(verified, usableUntil));
    return success(verified, location);
  }

  private static Verified toVerified(JWTClaimsSet claims, IssuerVerifier issuer) {
    JwtIssuerConfig config = issuer.config();
    @SuppressWarnings("unchecked")
    Map<String, Object> plain = (Map<String, Object>) Objects.requireNonNull(Claims.plain(claims.toJSONObject()));
    String subject = (String) plain.get("sub");
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put(Identity.CLAIMS, plain);
    attributes.put("sub", subject);
    attributes.put("iss", config.issuer());
    // The engine's boundary drops an address that could not be X-Forwarded-Email as it is.
    if (plain.get("email") instanceof String email) {
      attributes.put(Identity.EMAIL, email);
    }
    Identity identity =
        new Identity(requestPrincipal(config.issuer(), subject), Identity.JWT, Claims.groups(Claims.at(plain, config.groupsClaim())), attributes);
    Map<String, String> headers = new LinkedHashMap<>();
    config.claimsToHeaders().forEach(
        (claim, header) -> {
          String value = Claims.headerValue(Claims.at(plain, claim));
          if (value != null) {
            headers.put(header, value);
          }
        });
    return new Verified(identity, issuer, Map.copyOf(headers));
  }

  /**
   * The request principal {@code <iss>/<sub>}, with {@code %} and {@code /} in the subject percent-encoded ({@code %25},
   * {@code %2F}): the last {@code /} then always separates the two, so issuer {@code https://a.example} with subject
   * {@code x/y} ({@code https://a.example/x%2Fy}) can never be issuer {@code https://a.example/x} with subject {@code y}.
   */
  static String requestPrincipal(String issuer, String subject) {
    if (subject.indexOf('/') < 0 && subject.indexOf('%') < 0) {
      return issuer + "/" + subject;
    }
    StringBuilder out = new StringBuilder(issuer.length() + subject.length() + 8).append(issuer).append('/');
    for (int i = 0; i < subject.length(); i++) {
      char c = subject.charAt(i);
      if (c == '%') {
        out.append("%25");
      } else if (c == '/') {
        out.append("%2F");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private AuthenticationResult success(Verified verified, TokenLocator.Location location) {
    if (!verified.issuer().accepts(location)) {
      return invalid("issuer " + verified.issuer().config().issuer() + " does not accept tokens from " + location, "token in the wrong place");
    }
    return new AuthenticationResult.Success(verified.identity(), verified.claimHeaders(), verified.issuer().removedOnSuccess(location));
  }

  private AuthenticationResult invalid(String reason, String description) {
    return AuthenticationResult.failure(
        "bearer token rejected: " + reason, challenge + ", error=\"invalid_token\", error_description=\"" + description + "\"");
  }

  /**
   * Three parts of canonical base64url (RFC 7515 section 2, RFC 4648 section 3.5): the URL-safe alphabet, no padding,
   * no length that no byte string encodes to, and zero in the unused low bits of the last character. Decoders ignore
   * those bits, so without the last rule one signature had sixteen spellings, and a token cache, a replay check or a
   * log keyed on the text would count one token as many.
   */
  private static boolean isCompactJws(String token) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0 || token.indexOf('.', second + 1) >= 0) {
      return false;
    }
    return isCanonicalBase64Url(token, 0, first) && isCanonicalBase64Url(token, first + 1, second) && isCanonicalBase64Url(token, second + 1, token.length());
  }

  private static boolean isCanonicalBase64Url(String text, int start, int end) {
    int last = 0;
    for (int i = start; i < end; i++) {
      last = base64UrlValue(text.charAt(i));
      if (last < 0) {
        return false;
      }
    }
    return switch ((end - start) % 4) {
      case 0 -> true;
      case 1 -> false;
      case 2 -> (last & 0x0f) == 0;
      default -> (last & 0x03) == 0;
    };
  }

  private static int base64UrlValue(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : c == '_' ? 63 : -1;
  }

  /**
   * What Nimbus's parsed view hides, read from the token's own JSON: any {@code crit} header (Gatehouse understands no
   * extension, so every use is refused, and RFC 7515 section 4.1.11 forbids an empty list, which Nimbus reads as none),
   * and a {@code sub} that is not a non-empty JSON string (Nimbus turns the number 42 into "42").
   *
   * @return the refusal, or null
   */
  private @Nullable AuthenticationResult shapeProblem(SignedJWT jwt) {
    Map<String, Object> header;
    Map<String, Object> payload;
    try {
      header = com.nimbusds.jose.util.JSONObjectUtils.parse(jwt.getParsedParts()[0].decodeToString());
      payload = com.nimbusds.jose.util.JSONObjectUtils.parse(jwt.getParsedParts()[1].decodeToString());
    } catch (ParseException e) {
      return invalid("unparseable token (" + e.getClass().getSimpleName() + ")", "malformed token");
    }
    if (header.containsKey("crit")) {
      return invalid("token has a crit header; no JWS extension is understood", "critical header not understood");
    }
    if (!(payload.get("sub") instanceof String subject) || subject.isEmpty()) {
      return invalid("token's sub is not a non-empty string", "claims not accepted");
    }
    return null;
  }

  @Override
  public Optional<String> challenge() {
    return Optional.of(challenge);
  }

  @Override
  public String name() {
    return Identity.JWT;
  }

  @Override
  public List<SourceStatus> sources() {
    return issuers.values().stream()
        .map(IssuerVerifier::keySetStatus)
        .flatMap(Optional::stream)
        .sorted(Comparator.comparing(SourceStatus::name))
        .toList();
  }

  @Override
  public Set<String> identityHeaderNames() {
    return claimHeaderNames;
  }

  /** How many verified tokens are remembered; for tests. */
  long cachedTokens() {
    return cache.size();
  }

  @Override
  public void close() {
    for (IssuerVerifier issuer : issuers.values()) {
      issuer.close();
    }
  }
}
