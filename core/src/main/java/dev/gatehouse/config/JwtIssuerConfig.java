package dev.gatehouse.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code authentication.jwt[i]}: one issuer whose bearer tokens (JWTs) are accepted.
 *
 * <p>Build one with {@link #builder(String)}; {@link ConfigLoader} does so from the YAML tree. The compact constructor
 * checks every value and every combination, so an instance is always usable: exactly one way to find the issuer's keys
 * (or only a shared secret), algorithms that match the keys, and a non-empty token location.
 *
 * @param issuer the exact {@code iss} value of the issuer's tokens
 * @param jwksUri where the issuer publishes its JSON Web Key Set; {@code https}, or {@code http} on a loopback address
 * @param jwksFile a local JWKS file instead of a URI; it is re-read like a URI would be re-fetched
 * @param jwksCa a PEM bundle of the CAs to trust when fetching the JWKS and the discovery document, for an internal
 *     issuer; empty: the JDK's trust store
 * @param jwksProxy an HTTP proxy ({@code http://host:port}) to fetch the JWKS and the discovery document through; empty:
 *     a direct connection
 * @param discovery whether to find the JWKS URI in the issuer's {@code /.well-known/openid-configuration}
 * @param audiences the accepted {@code aud} values; a token must name one of them. Empty: {@code aud} is not checked
 * @param algorithms the accepted JWS algorithms, such as {@code RS256}; never {@code none}
 * @param hmacSecret the shared secret for {@code HS256/384/512}, at least 32 bytes; only for issuers that sign with one
 * @param clockSkew how far {@code exp}, {@code nbf} and {@code iat} may be off
 * @param fromHeaders the request headers that may carry a token, each with the prefix before the token
 * @param fromCookies the cookies that may carry a token
 * @param fromParams the query parameters that may carry a token; none unless configured, since a URL ends up in access
 *     logs, browser history and {@code Referer} headers
 * @param forwardToken whether the token goes on to the application; when {@code false} (the default, as Istio's {@code
 *     forwardOriginalToken}) the header it came in is removed. A token from a cookie or a query parameter always
 *     stays, since the {@code Cookie} header and the URL carry the application's other data too
 * @param claimsToHeaders claims copied into request headers for the application, by claim name (a dotted path)
 * @param groupsClaim the claim holding the caller's groups or roles, a dotted path such as {@code realm_access.roles}
 * @param maxTokenSize the longest token looked at, in characters; longer ones are refused before any parsing
 */
public record JwtIssuerConfig(
    String issuer,
    Optional<URI> jwksUri,
    Optional<Path> jwksFile,
    Optional<Path> jwksCa,
    Optional<URI> jwksProxy,
    boolean discovery,
    List<String> audiences,
    List<String> algorithms,
    Optional<String> hmacSecret,
    Duration clockSkew,
    List<TokenHeader> fromHeaders,
    List<String> fromCookies,
    List<String> fromParams,
    boolean forwardToken,
    Map<String, String> claimsToHeaders,
    String groupsClaim,
    int maxTokenSize) {

  /** The algorithms accepted when none are configured: every asymmetric one, never HMAC, never {@code none}. */
  public static final List<String> DEFAULT_ALGORITHMS =
      List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

  /** The HMAC algorithms, accepted only from an issuer with an {@link #hmacSecret()}. */
  public static final List<String> HMAC_ALGORITHMS = List.of("HS256", "HS384", "HS512");

  /** Every algorithm Gatehouse can verify. */
  public static final Set<String> SUPPORTED_ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519", "HS256", "HS384", "HS512");

  /** The clock skew when none is configured. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

  /** The token size limit when none is configured: 16 KiB. */
  public static final int DEFAULT_MAX_TOKEN_SIZE = 16 * 1024;

  /** The groups claim when none is configured. */
  public static final String DEFAULT_GROUPS_CLAIM = "groups";

  /** The token location when none is configured: {@code Authorization: Bearer <token>}. */
  public static final TokenHeader DEFAULT_HEADER = new TokenHeader("Authorization", "Bearer ");

  /**
   * Where a token may come from: a request header and the prefix (such as {@code "Bearer "}) before the token.
   *
   * @param name the header name
   * @param prefix the text before the token, matched case-insensitively; empty when the whole value is the token
   */
  public record TokenHeader(String name, String prefix) {
    /**
     * Validates the header.
     *
     * @throws IllegalArgumentException if the name is not a header name
     */
    public TokenHeader {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(prefix, "prefix");
      requireHeaderName("name", name);
    }
  }

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException naming the offending setting, when a value or a combination is not usable
   */
  public JwtIssuerConfig {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(jwksUri, "jwksUri");
    Objects.requireNonNull(jwksFile, "jwksFile");
    Objects.requireNonNull(jwksCa, "jwksCa");
    Objects.requireNonNull(jwksProxy, "jwksProxy");
    Objects.requireNonNull(hmacSecret, "hmacSecret");
    Objects.requireNonNull(clockSkew, "clockSkew");
    Objects.requireNonNull(groupsClaim, "groupsClaim");
    audiences = List.copyOf(audiences);
    algorithms = List.copyOf(algorithms);
    fromHeaders = List.copyOf(fromHeaders);
    fromCookies = List.copyOf(fromCookies);
    fromParams = List.copyOf(fromParams);
    claimsToHeaders = Map.copyOf(claimsToHeaders);
    if (issuer.isBlank()) {
      throw new ConfigException("issuer", "must not be empty");
    }
    int keySources = (jwksUri.isPresent() ? 1 : 0) + (jwksFile.isPresent() ? 1 : 0) + (discovery ? 1 : 0);
    if (keySources > 1) {
      throw new ConfigException("jwks-uri", "use one of jwks-uri, jwks-file and discovery");
    }
    if (keySources == 0 && hmacSecret.isEmpty()) {
      throw new ConfigException("jwks-uri", "missing; set jwks-uri, jwks-file or discovery: true (or hmac-secret)");
    }
    if (algorithms.isEmpty()) {
      throw new ConfigException("algorithms", "must not be empty");
    }
    for (String algorithm : algorithms) {
      if (algorithm.equalsIgnoreCase("none")) {
        throw new ConfigException("algorithms", "none is never accepted");
      }
      if (!SUPPORTED_ALGORITHMS.contains(algorithm)) {
        throw new ConfigException("algorithms", "unknown algorithm " + algorithm + "; expected some of " + DEFAULT_ALGORITHMS + " or " + HMAC_ALGORITHMS);
      }
      boolean hmac = HMAC_ALGORITHMS.contains(algorithm);
      if (hmac && hmacSecret.isEmpty()) {
        // Without a configured secret an HS* token could only be checked against a public key, the classic forgery.
        throw new ConfigException("algorithms", algorithm + " needs hmac-secret or hmac-secret-file");
      }
      if (!hmac && keySources == 0) {
        throw new ConfigException("algorithms", algorithm + " needs jwks-uri, jwks-file or discovery");
      }
    }
    if (hmacSecret.isPresent()) {
      if (algorithms.stream().noneMatch(HMAC_ALGORITHMS::contains)) {
        throw new ConfigException("hmac-secret", "set, but algorithms has no HS256, HS384 or HS512");
      }
      if (hmacSecret.get().getBytes(StandardCharsets.UTF_8).length < 32) {
        throw new ConfigException("hmac-secret", "must be at least 32 bytes (256 bits)");
      }
    }
    jwksUri.ifPresent(uri -> requireSafeUrl("jwks-uri", uri));
    if ((jwksCa.isPresent() || jwksProxy.isPresent()) && jwksUri.isEmpty() && !discovery) {
      throw new ConfigException(jwksCa.isPresent() ? "jwks-ca" : "jwks-proxy", "only applies to keys fetched over the network (jwks-uri or discovery)");
    }
    jwksProxy.ifPresent(JwtIssuerConfig::requireProxy);
    if (discovery) {
      requireSafeUrl("issuer", URI.create(issuer));
    }
    if (!clockSkew.isNegative() && clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new ConfigException("clock-skew", "at most 10m");
    }
    if (clockSkew.isNegative()) {
      throw new ConfigException("clock-skew", "must not be negative");
    }
    if (fromHeaders.isEmpty() && fromCookies.isEmpty() && fromParams.isEmpty()) {
      throw new ConfigException("from-headers", "no token location; configure from-headers, from-cookies or from-params");
    }
    for (String param : fromParams) {
      if (param.isEmpty() || !isToken(param)) {
        throw new ConfigException("from-params", "not a parameter name: " + param);
      }
    }
    for (String cookie : fromCookies) {
      if (cookie.isEmpty() || !isToken(cookie)) {
        throw new ConfigException("from-cookies", "not a cookie name: " + cookie);
      }
    }
    for (Map.Entry<String, String> entry : claimsToHeaders.entrySet()) {
      if (entry.getKey().isBlank()) {
        throw new ConfigException("claims-to-headers", "empty claim name");
      }
      requireHeaderName("claims-to-headers", entry.getValue());
    }
    if (groupsClaim.isBlank()) {
      throw new ConfigException("groups-claim", "must not be empty");
    }
    if (maxTokenSize < 256 || maxTokenSize > 1024 * 1024) {
      throw new ConfigException("max-token-size", "must be between 256 and 1048576");
    }
  }

  /**
   * A builder with every default in place.
   *
   * @param issuer the exact {@code iss} of the issuer's tokens
   * @return a new builder
   */
  public static Builder builder(String issuer) {
    return new Builder(issuer);
  }

  /** Names the issuer only: the rest is in the configuration file, and the shared secret must stay out of logs. */
  @Override
  public String toString() {
    return "JwtIssuerConfig[issuer=" + issuer + (hmacSecret.isPresent() ? ", hmacSecret=(redacted)" : "") + "]";
  }

  /** A proxy is {@code http://host:port}: its traffic to an https JWKS is a CONNECT tunnel, so TLS stays end to end. */
  private static void requireProxy(URI proxy) {
    String scheme = proxy.getScheme() == null ? "" : proxy.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") || proxy.getHost() == null || proxy.getPort() < 1) {
      throw new ConfigException("jwks-proxy", "expected http://host:port, found " + proxy);
    }
    if (proxy.getRawUserInfo() != null || (proxy.getRawPath() != null && !proxy.getRawPath().isEmpty() && !proxy.getRawPath().equals("/"))) {
      throw new ConfigException("jwks-proxy", "must be http://host:port only, without user info or path");
    }
  }

  static void requireSafeUrl(String key, URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null) {
      throw new ConfigException(key, "not an absolute URL: " + uri);
    }
    if (scheme.equals("https")) {
      return;
    }
    // Keys fetched in clear text could be swapped by anyone on the path; only loopback (a local test IdP) may use http.
    if (scheme.equals("http") && Upstreams.isLocal(uri)) {
      return;
    }
    throw new ConfigException(key, "must be an https URL (http only on a loopback address): " + uri);
  }

  private static void requireHeaderName(String key, String name) {
    if (name.isEmpty() || !isToken(name)) {
      throw new ConfigException(key, "not a header name: " + name);
    }
  }

  private static boolean isToken(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Assembles a {@link JwtIssuerConfig}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private final String issuer;
    private Optional<URI> jwksUri = Optional.empty();
    private Optional<Path> jwksFile = Optional.empty();
    private Optional<Path> jwksCa = Optional.empty();
    private Optional<URI> jwksProxy = Optional.empty();
    private boolean discovery;
    private List<String> audiences = List.of();
    private List<String> algorithms = List.of();
    private Optional<String> hmacSecret = Optional.empty();
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private List<TokenHeader> fromHeaders = List.of(DEFAULT_HEADER);
    private List<String> fromCookies = List.of();
    private List<String> fromParams = List.of();
    private boolean forwardToken;
    private Map<String, String> claimsToHeaders = Map.of();
    private String groupsClaim = DEFAULT_GROUPS_CLAIM;
    private int maxTokenSize = DEFAULT_MAX_TOKEN_SIZE;

    private Builder(String issuer) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
    }

    /**
     * Sets {@code jwks-uri}.
     *
     * @param uri the JWKS URL
     * @return this builder
     */
    public Builder jwksUri(URI uri) {
      this.jwksUri = Optional.of(uri);
      return this;
    }

    /**
     * Sets {@code jwks-file}.
     *
     * @param file a local JWKS file
     * @return this builder
     */
    public Builder jwksFile(Path file) {
      this.jwksFile = Optional.of(file);
      return this;
    }

    /**
     * Sets the CAs trusted when fetching keys over the network.
     *
     * @param bundle a PEM file of CA certificates
     * @return this builder
     */
    public Builder jwksCa(Path bundle) {
      this.jwksCa = Optional.of(bundle);
      return this;
    }

    /**
     * Sets the HTTP proxy keys are fetched through.
     *
     * @param proxy {@code http://host:port}
     * @return this builder
     */
    public Builder jwksProxy(URI proxy) {
      this.jwksProxy = Optional.of(proxy);
      return this;
    }

    /**
     * Sets {@code discovery}.
     *
     * @param discovery whether to use OpenID Connect discovery on the issuer URL
     * @return this builder
     */
    public Builder discovery(boolean discovery) {
      this.discovery = discovery;
      return this;
    }

    /**
     * Sets {@code audiences}.
     *
     * @param audiences the accepted audiences
     * @return this builder
     */
    public Builder audiences(List<String> audiences) {
      this.audiences = List.copyOf(audiences);
      return this;
    }

    /**
     * Sets {@code algorithms}.
     *
     * @param algorithms the accepted algorithms; by default {@link #DEFAULT_ALGORITHMS}, plus {@link #HMAC_ALGORITHMS}
     *     alone when only an HMAC secret is set
     * @return this builder
     */
    public Builder algorithms(List<String> algorithms) {
      this.algorithms = List.copyOf(algorithms);
      return this;
    }

    /**
     * Sets {@code hmac-secret}.
     *
     * @param secret the HMAC secret
     * @return this builder
     */
    public Builder hmacSecret(String secret) {
      this.hmacSecret = Optional.of(secret);
      return this;
    }

    /**
     * Sets {@code clock-skew}.
     *
     * @param skew the allowed clock skew
     * @return this builder
     */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = skew;
      return this;
    }

    /**
     * Sets {@code from-headers}.
     *
     * @param headers the token headers
     * @return this builder
     */
    public Builder fromHeaders(List<TokenHeader> headers) {
      this.fromHeaders = List.copyOf(headers);
      return this;
    }

    /**
     * Sets {@code from-cookies}.
     *
     * @param cookies the token cookies
     * @return this builder
     */
    public Builder fromCookies(List<String> cookies) {
      this.fromCookies = List.copyOf(cookies);
      return this;
    }

    /**
     * Sets {@code from-params}.
     *
     * @param params the query parameters that may carry a token
     * @return this builder
     */
    public Builder fromParams(List<String> params) {
      this.fromParams = List.copyOf(params);
      return this;
    }

    /**
     * Sets {@code forward-token}.
     *
     * @param forward whether the application receives the token
     * @return this builder
     */
    public Builder forwardToken(boolean forward) {
      this.forwardToken = forward;
      return this;
    }

    /**
     * Sets {@code claims-to-headers}.
     *
     * @param claimsToHeaders header names by claim path
     * @return this builder
     */
    public Builder claimsToHeaders(Map<String, String> claimsToHeaders) {
      this.claimsToHeaders = new LinkedHashMap<>(claimsToHeaders);
      return this;
    }

    /**
     * Sets {@code groups-claim}.
     *
     * @param claim the groups claim path
     * @return this builder
     */
    public Builder groupsClaim(String claim) {
      this.groupsClaim = claim;
      return this;
    }

    /**
     * Sets {@code max-token-size}.
     *
     * @param characters the token size limit
     * @return this builder
     */
    public Builder maxTokenSize(int characters) {
      this.maxTokenSize = characters;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the configuration
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    public JwtIssuerConfig build() {
      List<String> effectiveAlgorithms = algorithms;
      if (effectiveAlgorithms.isEmpty()) {
        effectiveAlgorithms = new ArrayList<>();
        if (jwksUri.isPresent() || jwksFile.isPresent() || discovery) {
          effectiveAlgorithms.addAll(DEFAULT_ALGORITHMS);
        }
        if (hmacSecret.isPresent()) {
          effectiveAlgorithms.addAll(HMAC_ALGORITHMS);
        }
        if (effectiveAlgorithms.isEmpty()) {
          effectiveAlgorithms = DEFAULT_ALGORITHMS;
        }
      }
      return new JwtIssuerConfig(
          issuer, jwksUri, jwksFile, jwksCa, jwksProxy, discovery, audiences, effectiveAlgorithms, hmacSecret, clockSkew, fromHeaders,
          fromCookies, fromParams, forwardToken, claimsToHeaders, groupsClaim, maxTokenSize);
    }
  }
}
