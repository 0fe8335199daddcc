package dev.gatehouse.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.testing.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;

/**
 * Spring Security's resource server doing what {@link dev.gatehouse.authn.jwt.JwtDecisionBenchmark} measures for
 * Gatehouse, for the RS256 case: the same kind of key (RSA 2048), the same claims, the same checks (signature, issuer,
 * audience {@code orders}, {@code exp}/{@code nbf}), through {@code JwtAuthenticationProvider.authenticate} with a
 * {@code NimbusJwtDecoder} built {@code withPublicKey} — the cheapest key lookup it has, with no JWKS at all. Its
 * authentication carries {@code SCOPE_} authorities from the {@code scope} claim, as Gatehouse's carries its identity.
 *
 * <p>Spring Security keeps no verified-token cache: every call parses the token and checks its signature, so one
 * benchmark stands for both Gatehouse rows ({@code firstSeenToken} and {@code cachedToken}). What it leaves out, and
 * Gatehouse's decision includes, is finding the token in the request ({@code BearerTokenResolver}) and authorizing.
 *
 * <p>Run: {@code mvn -q -DskipTests -pl benchmarks -am package && java -jar benchmarks/target/benchmarks.jar
 * 'JwtDecision|SpringJwt' -p algorithm=RS256}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SpringJwtBenchmark {

  private static final String ISSUER = "http://127.0.0.1:8443";

  private JwtAuthenticationProvider provider;
  private String token;

  @Setup(Level.Trial)
  public void setUp() throws JOSEException {
    RSAKey rsa = TestTokens.rsa("rsa-1");
    NimbusJwtDecoder decoder = NimbusJwtDecoder.withPublicKey(rsa.toRSAPublicKey()).signatureAlgorithm(SignatureAlgorithm.RS256).build();
    decoder.setJwtValidator(
        new DelegatingOAuth2TokenValidator<Jwt>(
            JwtValidators.createDefaultWithIssuer(ISSUER),
            new JwtClaimValidator<List<String>>(JwtClaimNames.AUD, audiences -> audiences != null && audiences.contains("orders"))));
    provider = new JwtAuthenticationProvider(decoder);
    // The claims JwtDecisionBenchmark signs: a dozen claims, groups, an e-mail; valid for the whole run.
    token = TestTokens.sign(rsa, claims("orders"));
    Authentication authentication = authenticate(token);
    if (!authentication.isAuthenticated()
        || authentication.getAuthorities().stream().noneMatch(a -> a.getAuthority().equals("SCOPE_orders:write"))) {
      throw new IllegalStateException("fixture token does not verify: " + authentication);
    }
    // The validators are really there: a token for another audience is refused.
    try {
      authenticate(TestTokens.sign(rsa, claims("billing")));
      throw new IllegalStateException("a token for another audience was accepted");
    } catch (AuthenticationException expected) {
      // as it should be
    }
  }

  private static JWTClaimsSet claims(String audience) {
    return TestTokens.claims(ISSUER, "0b5f7c1e-7d4a-4c8e-9a1b-3f2e6d5c4b3a", audience)
        .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
        .claim("email", "alice@example.com")
        .claim("groups", List.of("ops", "dev", "orders-admin"))
        .claim("scope", "openid profile email orders:read orders:write")
        .claim("azp", "web-frontend")
        .build();
  }

  private Authentication authenticate(String bearer) {
    return provider.authenticate(new BearerTokenAuthenticationToken(bearer));
  }

  @Benchmark
  public Authentication resourceServerAuthenticate() {
    return authenticate(token);
  }
}
