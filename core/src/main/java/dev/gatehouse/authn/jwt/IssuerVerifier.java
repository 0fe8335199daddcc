package dev.gatehouse.authn.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.gatehouse.config.JwtIssuerConfig;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
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
  /** Where this issuer's tokens may come from, each with the request headers to remove when one is accepted. */
  private final Map<TokenLocator.Location, Set<String>> locations;

  IssuerVerifier(JwtIssuerConfig config, JwksSources.Settings settings, Clock clock) {
    this.config = config;
    boolean hasKeySource = config.jwksUri().isPresent() || config.jwksFile().isPresent() || config.discovery();
    this.jwks = hasKeySource ? JwksSources.build(config, settings) : null;
    Set<JWSAlgorithm> algorithms = config.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toUnmodifiableSet());
    byte[] secret = config.hmacSecret().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
    DefaultJWTProcessor<SecurityContext> jwtProcessor = new DefaultJWTProcessor<>();
    jwtProcessor.setJWSKeySelector(new IssuerKeySelector(algorithms, jwks, secret));
    jwtProcessor.setJWSVerifierFactory(new VerifierFactory());
    // RFC 9068 access tokens say at+jwt; most providers say JWT or nothing.
    jwtProcessor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
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

  /** Nimbus's claims checks with an injected clock, plus {@code iat} not in the future. */
  private static final class ClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {
    private final Clock clock;
    private final long skewSeconds;

    ClaimsVerifier(JwtIssuerConfig config, Clock clock) {
      super(
          config.audiences().isEmpty() ? null : Set.copyOf(config.audiences()),
          new JWTClaimsSet.Builder().issuer(config.issuer()).build(),
          Set.of("exp", "sub", "iss"),
          null);
      this.clock = clock;
      this.skewSeconds = config.clockSkew().toSeconds();
      setMaxClockSkew((int) skewSeconds);
    }

    @Override
    protected Date currentTime() {
      return Date.from(clock.instant());
    }

    @Override
    public void verify(JWTClaimsSet claims, @Nullable SecurityContext context) throws BadJWTException {
      super.verify(claims, context);
      Date issuedAt = claims.getIssueTime();
      if (issuedAt != null && issuedAt.toInstant().getEpochSecond() > clock.instant().getEpochSecond() + skewSeconds) {
        throw new BadJWTException("JWT issued in the future");
      }
      if (!(claims.getClaim("sub") instanceof String subject) || subject.isEmpty()) {
        throw new BadJWTException("JWT sub claim is not a non-empty string");
      }
      // Whether iss/sub can be X-Forwarded-User is the engine's one boundary to decide, for every authenticator.
    }
  }
}
