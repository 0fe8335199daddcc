package dev.gatehouse.authn.assertion;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.AssertionConfig;
import dev.gatehouse.config.SidecarAssertionConfig;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sidecar's assertion per request: {@code sign} is what the sidecar adds to every allowed request (claims, jti, the
 * signature); {@code signAndVerify} adds what the application's filter does with it (parse, key by kid, signature,
 * claims, the replay cache insert), so verification costs the difference. Keys are generated at start-up; the
 * identity is a Basic user with two groups on top of a SPIFFE peer, the target a path with a query.
 *
 * <p>It lives in the {@code authn.assertion} package for the package-private factory that sizes the replay cache: each
 * iteration gets a fresh verifier whose cache holds every assertion of the iteration, so no verification is refused
 * for a full cache (which would be cheaper and wrong).
 *
 * <p>Run: {@code mvn -q -DskipTests -pl benchmarks -am package && java -jar benchmarks/target/benchmarks.jar Assertion}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class AssertionBenchmark {

  @Param({"Ed25519", "HS256", "ES256"})
  public String algorithm;

  private static final String TARGET = "/orders/42?expand=items";

  private AssertionSigner signer;
  private SidecarAssertionConfig verifierConfig;
  private Authenticator verifier;
  private Identities identities;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path directory = Files.createTempDirectory("assertion-benchmark");
    AssertionConfig signing;
    if (algorithm.equals("HS256")) {
      Path secret = TestKeys.write(directory.resolve("secret"), "0123456789abcdef0123456789abcdef0123456789");
      signing = new AssertionConfig(Optional.empty(), Optional.of(secret), Optional.of("k1"), "gatehouse-sidecar", "orders", Duration.ofSeconds(10));
      verifierConfig = new SidecarAssertionConfig(Optional.empty(), Optional.of(secret), "gatehouse-sidecar", "orders", Duration.ofSeconds(5), Duration.ofSeconds(60));
    } else {
      KeyPair pair = algorithm.equals("ES256") ? TestKeys.p256() : TestKeys.ed25519();
      Path key = TestKeys.writePem(pair, directory, "sidecar");
      signing = new AssertionConfig(Optional.of(key), Optional.empty(), Optional.of("k1"), "gatehouse-sidecar", "orders", Duration.ofSeconds(10));
      Path jwks = TestKeys.writeJwks(directory.resolve("keys.jwks"), java.util.List.of(TestKeys.publicJwk(pair, "k1")));
      verifierConfig = new SidecarAssertionConfig(Optional.of(jwks), Optional.empty(), "gatehouse-sidecar", "orders", Duration.ofSeconds(5), Duration.ofSeconds(60));
    }
    signer = SidecarAssertion.signer(signing);
    identities =
        new Identities(
            Optional.of(Identity.peer("spiffe://cluster.local/ns/shop/sa/frontend")),
            Optional.of(new Identity("alice", Identity.BASIC, Set.of("ops", "orders-admin"), Map.of())));
  }

  @Setup(Level.Iteration)
  public void freshVerifier() {
    verifier = SidecarAssertion.authenticator(verifierConfig, Clock.systemUTC(), Ticker.systemTicker(), 4_000_000);
  }

  @Benchmark
  public String sign() {
    return signer.sign(identities, "GET", TARGET);
  }

  @Benchmark
  public AuthenticationResult signAndVerify() {
    String assertion = signer.sign(identities, "GET", TARGET);
    AuthenticationResult result = verifier.authenticate(FakeRequest.get("/orders/42").query("expand=items").header(IdentityHeaders.ASSERTION, assertion));
    if (!(result instanceof AuthenticationResult.Vouched)) {
      throw new IllegalStateException("the assertion was refused: " + result);
    }
    return result;
  }
}
