package dev.gatehouse.authn.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.Decision;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.JwtIssuerConfig;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.TestTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One engine decision for a JWT bearer token: a token seen before (digest, cache lookup, {@code exp} check) and a token
 * seen for the first time (parse, issuer lookup, signature check with a cached JWKS key, claims checks). The first-seen
 * engine runs with its token cache turned off, so every call pays the full verification. Keys come from a real JWKS
 * server on 127.0.0.1, fetched once at start-up.
 *
 * <p>It lives in the {@code authn.jwt} package for that one package-private factory; nothing else reaches inside.
 *
 * <p>Run: {@code mvn -q -DskipTests -pl benchmarks -am package && java -jar benchmarks/target/benchmarks.jar Jwt}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JwtDecisionBenchmark {

  @Param({"RS256", "ES256"})
  public String algorithm;

  private JwksServer jwks;
  private Gatehouse cachedEngine;
  private Gatehouse firstSeenEngine;
  private FakeRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    com.nimbusds.jose.jwk.RSAKey rsa = TestTokens.rsa("rsa-1");
    com.nimbusds.jose.jwk.ECKey ec = TestTokens.ec("ec-1");
    jwks = JwksServer.start(rsa, ec);
    JwtIssuerConfig issuer =
        JwtIssuerConfig.builder(jwks.issuer())
            .jwksUri(jwks.jwksUri())
            .audiences(List.of("orders"))
            .claimsToHeaders(Map.of("email", "X-Auth-Email"))
            .build();
    cachedEngine = Gatehouse.builder().authenticator(JwtAuthenticator.create(List.of(issuer), JwksSources.DEFAULTS, Clock.systemUTC())).build();
    firstSeenEngine =
        Gatehouse.builder().authenticator(JwtAuthenticator.create(List.of(issuer), JwksSources.DEFAULTS, Clock.systemUTC(), 0)).build();
    // A token shaped like a real access token: a dozen claims, groups, an e-mail; valid for the whole run.
    JWTClaimsSet claims =
        TestTokens.claims(jwks.issuer(), "0b5f7c1e-7d4a-4c8e-9a1b-3f2e6d5c4b3a", "orders")
            .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
            .claim("email", "alice@example.com")
            .claim("groups", List.of("ops", "dev", "orders-admin"))
            .claim("scope", "openid profile email orders:read orders:write")
            .claim("azp", "web-frontend")
            .build();
    String token = algorithm.equals("RS256") ? TestTokens.sign(rsa, claims) : TestTokens.sign(ec, claims);
    request = FakeRequest.get("/orders").header("Authorization", "Bearer " + token);
    if (!(cachedEngine.decide(request) instanceof Decision.Allow) || !(firstSeenEngine.decide(request) instanceof Decision.Allow)) {
      throw new IllegalStateException("fixture token does not verify");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cachedEngine.close();
    firstSeenEngine.close();
    jwks.close();
  }

  @Benchmark
  public Decision cachedToken() {
    return cachedEngine.decide(request);
  }

  @Benchmark
  public Decision firstSeenToken() {
    return firstSeenEngine.decide(request);
  }
}
