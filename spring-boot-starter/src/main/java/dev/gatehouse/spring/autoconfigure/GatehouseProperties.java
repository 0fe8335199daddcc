package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.GatehouseConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Gatehouse settings, bound from {@code gatehouse.*}.
 *
 * <p>The keys are those of the Gatehouse YAML file, so {@code gatehouse.authentication.basic.htpasswd} here is {@code
 * authentication.basic.htpasswd} there, and the same values are accepted or refused with the same messages: the
 * properties are handed to Gatehouse's own configuration loader, not validated a second time here. {@code enabled} and
 * {@code filter.order} exist only in Spring Boot.
 *
 * @param enabled Whether to enable Gatehouse when gatehouse properties are set.
 * @param authentication Ways for callers to prove who they are.
 * @param authorization Rules deciding which requests are let through.
 * @param filter Servlet filter settings.
 */
@ConfigurationProperties("gatehouse")
public record GatehouseProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue Authentication authentication,
    @DefaultValue Authorization authorization,
    @DefaultValue Filter filter) {

  /** The filter order used when none is configured: before Spring Security's filter, which defaults to -100. */
  public static final int DEFAULT_FILTER_ORDER = -110;

  /**
   * Ways for callers to prove who they are.
   *
   * @param basic HTTP Basic authentication against an htpasswd file.
   * @param jwt Issuers whose JWT bearer tokens are accepted.
   * @param clientCertificate Authentication by the TLS client certificate the server verified.
   */
  public record Authentication(@DefaultValue Basic basic, @Nullable List<Jwt> jwt, @DefaultValue ClientCertificate clientCertificate) {}

  /**
   * One issuer whose JWT bearer tokens are accepted.
   *
   * @param issuer Exact iss value of the issuer's tokens.
   * @param jwksUri URL of the issuer's JSON Web Key Set; https, or http on a loopback address.
   * @param jwksFile Path of a local JSON Web Key Set file, instead of a URL.
   * @param discovery Whether to find the JWKS URL in the issuer's /.well-known/openid-configuration.
   * @param audiences Accepted aud values; when empty, aud is not checked.
   * @param algorithms Accepted JWS algorithms. Defaults to RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384,
   *     ES512 and EdDSA.
   * @param hmacSecret Shared secret for HS256, HS384 and HS512, at least 32 bytes.
   * @param hmacSecretFile Path of a file holding the shared secret.
   * @param clockSkew Allowed clock skew for exp, nbf and iat, such as 30s. Defaults to 60s.
   * @param fromHeaders Request headers that carry the token, each with the prefix before it. Defaults to
   *     Authorization with the prefix "Bearer ".
   * @param fromCookies Cookies that carry the token.
   * @param fromParams Query parameters that carry the token; none unless set, since URLs end up in logs.
   * @param forwardToken Whether the application receives the token header. Defaults to false.
   * @param claimsToHeaders Request headers for the application, by claim name (a dotted path).
   * @param groupsClaim Claim holding the caller's groups, a dotted path such as realm_access.roles. Defaults to groups.
   * @param maxTokenSize Longest token accepted, such as 16384 or 16KiB. Defaults to 16KiB.
   */
  public record Jwt(
      @Nullable String issuer,
      @Nullable String jwksUri,
      @Nullable String jwksFile,
      @Nullable Boolean discovery,
      @Nullable List<String> audiences,
      @Nullable List<String> algorithms,
      @Nullable String hmacSecret,
      @Nullable String hmacSecretFile,
      @Nullable String clockSkew,
      @Nullable List<TokenHeader> fromHeaders,
      @Nullable List<String> fromCookies,
      @Nullable List<String> fromParams,
      @Nullable Boolean forwardToken,
      @Nullable Map<String, String> claimsToHeaders,
      @Nullable String groupsClaim,
      @Nullable String maxTokenSize) {

    /** The YAML tree of this entry, holding only the keys that were set. */
    Map<String, Object> toTree() {
      Map<String, Object> tree = new LinkedHashMap<>();
      putIfSet(tree, "issuer", issuer);
      putIfSet(tree, "jwks-uri", jwksUri);
      putIfSet(tree, "jwks-file", jwksFile);
      putIfSet(tree, "discovery", discovery);
      putIfSet(tree, "audiences", audiences);
      putIfSet(tree, "algorithms", algorithms);
      putIfSet(tree, "hmac-secret", hmacSecret);
      putIfSet(tree, "hmac-secret-file", hmacSecretFile);
      putIfSet(tree, "clock-skew", clockSkew);
      if (fromHeaders != null) {
        List<Map<String, Object>> headers = new ArrayList<>();
        for (TokenHeader header : fromHeaders) {
          Map<String, Object> headerTree = new LinkedHashMap<>();
          putIfSet(headerTree, "name", header.name());
          putIfSet(headerTree, "prefix", header.prefix());
          headers.add(headerTree);
        }
        tree.put("from-headers", headers);
      }
      putIfSet(tree, "from-cookies", fromCookies);
      putIfSet(tree, "from-params", fromParams);
      putIfSet(tree, "forward-token", forwardToken);
      putIfSet(tree, "claims-to-headers", claimsToHeaders);
      putIfSet(tree, "groups-claim", groupsClaim);
      putIfSet(tree, "max-token-size", maxTokenSize);
      return tree;
    }
  }

  /**
   * A request header that carries a token.
   *
   * @param name Header name, such as Authorization.
   * @param prefix Text before the token, such as "Bearer "; empty when the whole value is the token.
   */
  public record TokenHeader(@Nullable String name, @Nullable String prefix) {}

  /**
   * Authentication by the TLS client certificate the server verified (configure TLS with server.ssl and an SSL
   * bundle). The caller is named by the certificate's SPIFFE ID, otherwise by its subject common name.
   *
   * @param enabled Whether to name the mTLS peer by its client certificate.
   * @param trustDomains SPIFFE trust domain to the PEM bundle of the CAs that may issue its identities, such as
   *     [cluster.local]=ca.pem; certificates must then carry a SPIFFE ID and chain to their own domain's CA.
   */
  public record ClientCertificate(@Nullable Boolean enabled, @Nullable Map<String, String> trustDomains) {}

  /**
   * HTTP Basic authentication against an htpasswd file.
   *
   * @param realm Realm named in the HTTP Basic challenge.
   * @param htpasswd Path of the htpasswd file to check passwords against, as written by Apache's htpasswd tool. A
   *     relative path resolves against the working directory.
   */
  public record Basic(@Nullable String realm, @Nullable String htpasswd) {}

  /**
   * Rules deciding which requests are let through: deny rules first, then allow rules. See docs/authorization.md.
   *
   * @param rules Authorization rules, in order. A matching deny rule refuses; if any allow rule exists the request must
   *     match one; with none every authenticated request is allowed.
   * @param audit Which decisions are written to the gatehouse.audit log: denied (default), all or none.
   */
  public record Authorization(@Nullable List<Rule> rules, @Nullable String audit) {}

  /**
   * One authorization rule. Within a rule every field must match; within a field any value may.
   *
   * @param name Name of the rule, for logs and the audit line.
   * @param action What a match does: allow or deny.
   * @param from Conditions on the caller; absent means any caller, anonymous ones included.
   * @param to Conditions on the request; absent means any request.
   * @param when Conditions on JWT claims (key claims.a.b) and request headers (key request.headers[Name]).
   */
  public record Rule(@Nullable String name, @Nullable String action, @Nullable Source from, @Nullable Operation to, @Nullable List<Condition> when) {}

  /**
   * Conditions on the caller of an authorization rule. Values are exact, prefix*, *suffix or *.
   *
   * @param principals Names of the mTLS peer (SPIFFE ID or certificate CN); * is any peer. Needs client-certificate.
   * @param notPrincipals Peer names that must not match.
   * @param namespaces Kubernetes namespaces of SPIFFE IDs.
   * @param notNamespaces Namespaces that must not match.
   * @param groups Groups of the caller.
   * @param notGroups Groups the caller must not be in.
   * @param ipBlocks IPv4 or IPv6 addresses or CIDR blocks of the direct peer.
   * @param notIpBlocks Blocks the direct peer must not be in.
   * @param requestPrincipals Names of the request principal (Basic user, JWT iss/sub); * is any request principal.
   * @param notRequestPrincipals Request principal names that must not match.
   */
  public record Source(
      @Nullable List<String> principals,
      @Nullable List<String> notPrincipals,
      @Nullable List<String> namespaces,
      @Nullable List<String> notNamespaces,
      @Nullable List<String> groups,
      @Nullable List<String> notGroups,
      @Nullable List<String> ipBlocks,
      @Nullable List<String> notIpBlocks,
      @Nullable List<String> requestPrincipals,
      @Nullable List<String> notRequestPrincipals) {}

  /**
   * Conditions on the request of an authorization rule.
   *
   * @param methods Request methods, upper case.
   * @param notMethods Methods that must not match.
   * @param paths Canonical paths: exact, /prefix/*, *suffix, or templates with {*} and {**}.
   * @param notPaths Paths that must not match.
   * @param hosts Host header values; case-insensitive, port ignored unless given.
   * @param notHosts Hosts that must not match.
   * @param ports Local ports the request arrives on.
   * @param notPorts Ports that must not match.
   */
  public record Operation(
      @Nullable List<String> methods,
      @Nullable List<String> notMethods,
      @Nullable List<String> paths,
      @Nullable List<String> notPaths,
      @Nullable List<String> hosts,
      @Nullable List<String> notHosts,
      @Nullable List<String> ports,
      @Nullable List<String> notPorts) {}

  /**
   * A condition of an authorization rule.
   *
   * @param key claims.name[.name...] for a JWT claim, or request.headers[Name] for a request header.
   * @param values Values of which one must match.
   * @param notValues Values none of which may match.
   */
  public record Condition(@Nullable String key, @Nullable List<String> values, @Nullable List<String> notValues) {}

  /**
   * Servlet filter settings.
   *
   * @param order Order of the Gatehouse filter among the servlet filters. Lower runs earlier; Spring Security's filter
   *     is at -100 unless configured otherwise.
   */
  public record Filter(@DefaultValue("" + DEFAULT_FILTER_ORDER) int order) {}

  /**
   * Builds the core configuration. The tree holds only the keys that were set, under their YAML names, so that the
   * core loader supplies its own defaults and reports a bad or missing value exactly as it does for a YAML file.
   *
   * @throws dev.gatehouse.config.ConfigException naming the key, such as {@code authentication.basic.htpasswd: no such
   *     file ./htpasswd}
   */
  GatehouseConfig toConfig() {
    Map<String, Object> basic = new LinkedHashMap<>();
    putIfSet(basic, "realm", authentication.basic().realm());
    putIfSet(basic, "htpasswd", authentication.basic().htpasswd());
    Map<String, Object> authenticationTree = new LinkedHashMap<>();
    if (!basic.isEmpty()) {
      authenticationTree.put("basic", basic);
    }
    if (authentication.jwt() != null && !authentication.jwt().isEmpty()) {
      authenticationTree.put("jwt", authentication.jwt().stream().map(Jwt::toTree).toList());
    }
    Map<String, Object> clientCertificate = new LinkedHashMap<>();
    putIfSet(clientCertificate, "enabled", authentication.clientCertificate().enabled());
    if (authentication.clientCertificate().trustDomains() != null && !authentication.clientCertificate().trustDomains().isEmpty()) {
      clientCertificate.put("trust-domains", new LinkedHashMap<>(authentication.clientCertificate().trustDomains()));
    }
    if (!clientCertificate.isEmpty()) {
      authenticationTree.put("client-certificate", clientCertificate);
    }
    Map<String, Object> tree = new LinkedHashMap<>();
    if (!authenticationTree.isEmpty()) {
      tree.put("authentication", authenticationTree);
    }
    Map<String, Object> authorizationTree = authorizationTree();
    if (!authorizationTree.isEmpty()) {
      tree.put("authorization", authorizationTree);
    }
    return ConfigLoader.fromTree(tree);
  }

  private Map<String, Object> authorizationTree() {
    Map<String, Object> tree = new LinkedHashMap<>();
    if (authorization.rules() != null) {
      List<Object> rules = new ArrayList<>();
      for (Rule rule : authorization.rules()) {
        Map<String, Object> node = new LinkedHashMap<>();
        putIfSet(node, "name", rule.name());
        putIfSet(node, "action", rule.action());
        if (rule.from() != null) {
          Source from = rule.from();
          Map<String, Object> source = new LinkedHashMap<>();
          putIfSet(source, "principals", from.principals());
          putIfSet(source, "not-principals", from.notPrincipals());
          putIfSet(source, "namespaces", from.namespaces());
          putIfSet(source, "not-namespaces", from.notNamespaces());
          putIfSet(source, "groups", from.groups());
          putIfSet(source, "not-groups", from.notGroups());
          putIfSet(source, "ip-blocks", from.ipBlocks());
          putIfSet(source, "not-ip-blocks", from.notIpBlocks());
          putIfSet(source, "request-principals", from.requestPrincipals());
          putIfSet(source, "not-request-principals", from.notRequestPrincipals());
          node.put("from", source);
        }
        if (rule.to() != null) {
          Operation to = rule.to();
          Map<String, Object> operation = new LinkedHashMap<>();
          putIfSet(operation, "methods", to.methods());
          putIfSet(operation, "not-methods", to.notMethods());
          putIfSet(operation, "paths", to.paths());
          putIfSet(operation, "not-paths", to.notPaths());
          putIfSet(operation, "hosts", to.hosts());
          putIfSet(operation, "not-hosts", to.notHosts());
          putIfSet(operation, "ports", to.ports());
          putIfSet(operation, "not-ports", to.notPorts());
          node.put("to", operation);
        }
        if (rule.when() != null) {
          List<Object> conditions = new ArrayList<>();
          for (Condition condition : rule.when()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            putIfSet(entry, "key", condition.key());
            putIfSet(entry, "values", condition.values());
            putIfSet(entry, "not-values", condition.notValues());
            conditions.add(entry);
          }
          node.put("when", conditions);
        }
        rules.add(node);
      }
      tree.put("rules", rules);
    }
    putIfSet(tree, "audit", authorization.audit());
    return tree;
  }

  private static void putIfSet(Map<String, Object> tree, String key, @Nullable Object value) {
    if (value != null) {
      tree.put(key, value);
    }
  }
}
