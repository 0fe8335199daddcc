package dev.gatehouse.authn.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import dev.gatehouse.config.JwtIssuerConfig;
import dev.gatehouse.metrics.SourceStatus;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One issuer: its configuration and the Nimbus processor that checks its tokens.
 *
 * <p>The processor is configured completely here and never handed out: the issuer's key selector ({@link
 * IssuerKeySelector}), the verifiers (Nimbus's, plus {@link EdDsaVerifier}), the {@code typ} values access tokens use,
 * and a claims verifier that wants {@code exp}, {@code sub} and {@code iss}, matches {@code iss} exactly and {@code aud}
 * against the configured audiences, and checks {@code exp}, {@code nbf} and {@code iat} with the issuer's clock skew.
 * {@link DefaultJWTProcessor} is thread-safe once configured.
 */
final class IssuerVerifier implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(IssuerVerifier.class);

  private final JwtIssuerConfig config;
  private final DefaultJWTProcessor<SecurityContext> processor;
  private final @Nullable JWKSource<SecurityContext> jwks;
  private final @Nullable KeySetFetches fetches;
  /** Where this issuer's tokens may come from, each with the request headers to remove when one is accepted. */
  private final Map<TokenLocator.Location, Set<String>> locations;

  IssuerVerifier(JwtIssuerConfig config, JwksSources.Settings settings, Clock clock) {
    this.config = config;
    boolean hasKeySource = config.jwksUri().isPresent() || config.jwksFile().isPresent() || config.discovery();
    this.fetches = hasKeySource ? new KeySetFetches(config.issuer(), settings.cacheTtl(), clock) : null;
    this.jwks = fetches != null ? JwksSources.build(config, settings, fetches) : null;
    Set<JWSAlgorithm> algorithms = config.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toUnmodifiableSet());
    byte[] secret = config.hmacSecret().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
    DefaultJWTProcessor<SecurityContext> jwtProcessor = new DefaultJWTProcessor<>();
    jwtProcessor.setJWSKeySelector(new IssuerKeySelector(algorithms, jwks, secret));
    jwtProcessor.setJWSVerifierFactory(new VerifierFactory());
    // RFC 9068 access tokens say at+jwt; most providers say JWT or nothing.
    jwtProcessor.setJWSTypeVerifier(new TypeVerifier());
    jwtProcessor.setJWTClaimsSetVerifier(new ClaimsVerifier(config, clock));
    this.processor = jwtProcessor;
    Map<TokenLocator.Location, Set<String>> where = new HashMap<>();
    config.fromHeaders().forEach(header -> where.put(TokenLocator.Location.header(header), config.forwardToken() ? Set.of() : Set.of(header.name())));
    config.fromCookies().forEach(cookie -> where.put(TokenLocator.Location.cookie(cookie), Set.of()));
    config.fromParams().forEach(param -> where.put(TokenLocator.Location.param(param), Set.of()));
    this.locations = Map.copyOf(where);
  }

  JwtIssuerConfig config() {
    return config;
  }

  /** How fetching this issuer's keys is going; empty for an issuer with a shared secret only. */
  Optional<SourceStatus> keySetStatus() {
    return fetches == null ? Optional.empty() : Optional.of(fetches.status());
  }

  boolean accepts(TokenLocator.Location location) {
    return locations.containsKey(location);
  }

  /** The request headers to remove when a token from this location is accepted: its header, unless forwarded. */
  Set<String> removedOnSuccess(TokenLocator.Location location) {
    return locations.getOrDefault(location, Set.of());
  }

  /**
   * Fetches the keys now, so the first request does not wait for them. A failure is logged, not thrown: the issuer may
   * be down while Gatehouse starts, and its tokens are refused until the keys arrive.
   */
  void prefetchKeys() {
    if (jwks == null) {
      return;
    }
    try {
      int keys = jwks.get(new JWKSelector(new JWKMatcher.Builder().build()), null).size();
      log.info("issuer {}: {} keys loaded", config.issuer(), keys);
    } catch (KeySourceException e) {
      log.warn("issuer {}: keys not available yet ({}); its tokens are refused until they are", config.issuer(), e.getMessage());
    }
  }

  /**
   * Verifies a parsed token completely.
   *
   * @throws BadJOSEException if the token is not acceptable
   * @throws JOSEException if it could not be checked (no keys reachable, for instance)
   */
  JWTClaimsSet verify(SignedJWT token) throws BadJOSEException, JOSEException {
    return processor.process(token, null);
  }

  @Override
  public void close() {
    if (jwks instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        log.debug("closing the key source of {} failed", config.issuer(), e);
      }
    }
  }

  /**
   * The claims checks, written out rather than taken from Nimbus's default verifier so that each refusal says why in its
   * type ({@link TokenRefused}): required {@code exp}, {@code iss} and a string {@code sub}; {@code exp}, {@code nbf} and
   * {@code iat} against an injected clock with the configured skew; {@code iss} exact; {@code aud} one of the accepted.
   */
  private static final class ClaimsVerifier implements JWTClaimsSetVerifier<SecurityContext> {
    private final String issuer;
    private final Set<String> audiences;
    private final Clock clock;
    private final long skewSeconds;

    ClaimsVerifier(JwtIssuerConfig config, Clock clock) {
      this.issuer = config.issuer();
      this.audiences = Set.copyOf(config.audiences());
      this.clock = clock;
      this.skewSeconds = config.clockSkew().toSeconds();
    }

    @Override
    public void verify(JWTClaimsSet claims, @Nullable SecurityContext context) throws BadJWTException {
      long now = clock.instant().getEpochSecond();
      Date expires = claims.getExpirationTime();
      if (expires == null) {
        throw new TokenRefused("required claim missing", "no exp claim");
      }
      if (now > expires.toInstant().getEpochSecond() + skewSeconds) {
        throw new TokenRefused("token expired", "expired at " + expires.toInstant());
      }
      Date notBefore = claims.getNotBeforeTime();
      if (notBefore != null && now + skewSeconds < notBefore.toInstant().getEpochSecond()) {
        throw new TokenRefused("token not yet valid", "not valid before " + notBefore.toInstant());
      }
      Date issuedAt = claims.getIssueTime();
      if (issuedAt != null && issuedAt.toInstant().getEpochSecond() > now + skewSeconds) {
        throw new TokenRefused("token issued in the future", "issued at " + issuedAt.toInstant());
      }
      if (!issuer.equals(claims.getIssuer())) {
        throw new TokenRefused("issuer not accepted", "iss is not " + issuer);
      }
      if (!(claims.getClaim("sub") instanceof String subject) || subject.isEmpty()) {
        throw new TokenRefused("required claim missing", "sub claim is not a non-empty string");
      }
      // Whether iss/sub can be X-Forwarded-User is the engine's one boundary to decide, for every authenticator.
      if (!audiences.isEmpty()) {
        List<String> audience = claims.getAudience();
        if (audience == null || audience.stream().noneMatch(audiences::contains)) {
          throw new TokenRefused("audience not accepted", "aud names none of " + audiences);
        }
      }
    }
  }

  /**
   * The JWS {@code typ} check: none, JWT, or an RFC 9068 access token ({@code at+jwt}); media types compare
   * case-insensitively (RFC 7515 section 4.1.9). Anything else is refused as a {@link TokenRefused}.
   */
  private static final class TypeVerifier implements JOSEObjectTypeVerifier<SecurityContext> {
    private static final Set<String> ACCEPTED = Set.of("jwt", "at+jwt", "application/at+jwt");

    @Override
    public void verify(@Nullable JOSEObjectType type, @Nullable SecurityContext context) throws BadJOSEException {
      if (type != null && !ACCEPTED.contains(type.getType().toLowerCase(java.util.Locale.ROOT))) {
        throw new TokenRefused("token type not accepted", "typ is not JWT or at+jwt");
      }
    }
  }
}
