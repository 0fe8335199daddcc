package dev.gatehouse.benchmarks;

import dev.gatehouse.Decision;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.FakeRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One engine decision for HTTP Basic: with credentials already verified (the cache hit every repeat request takes),
 * with a wrong password (a full bcrypt check), for an unknown user (the decoy check, which should cost the same), and
 * without credentials. The file mixes costs 8, 10, 10 and 12, so its typical (median) cost is 10: a wrong password for
 * the cost-8 user is padded up to it and should cost what the unknown user and the cost-10 user cost. The failure
 * budget is off except in {@code throttled}, which measures the 429 a spent budget answers with.
 *
 * <p>Run: {@code mvn -q -DskipTests -pl benchmarks -am package && java -jar benchmarks/target/benchmarks.jar Basic}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BasicDecisionBenchmark {

  // htpasswd -nbB -C <cost> <user> 'correct horse'; cost 10 is a common production choice
  private static final String HTPASSWD =
      "alice:$2y$10$3spXYRVv.RhJ7K/4wwh.EusgVl68DxXTBk6tEY6KSWQbZQEcPVKsa\n"
          + "bob:$2y$08$h9IphWZQ0o.7Thyp4AUmE.8./g.XnJWBZDRMqRyiAWY5Hl7v9bDlm\n"
          + "carol:$2y$10$NQCpQ79GBxbTrxJOmR80N.7IDqkU07UO30ag/WJk3o42mC03c/FAi\n"
          + "dave:$2y$12$Gbx1GhhsyKjbnLmFEvk0levKApGe8IL/zrIIDVUiXPdgjMWcl77k6\n";

  private Gatehouse gatehouse;
  private Path directory;
  private FakeRequest cached;
  private FakeRequest wrongPassword;
  private FakeRequest unknownUser;
  private FakeRequest cheapUserWrongPassword;
  private FakeRequest anonymous;
  private Gatehouse throttling;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    directory = Files.createTempDirectory("gatehouse-bench");
    Path htpasswd = Files.writeString(directory.resolve("htpasswd"), HTPASSWD);
    gatehouse =
        Gatehouse.create(
            ConfigLoader.load(
                Optional.empty(),
                Map.of(
                    "authentication.basic.htpasswd", htpasswd.toString(),
                    "authentication.basic.failure-budget.peer-burst", "0",
                    "authentication.basic.failure-budget.user-burst", "0")));
    throttling =
        Gatehouse.create(
            ConfigLoader.load(
                Optional.empty(),
                Map.of("authentication.basic.htpasswd", htpasswd.toString(), "authentication.basic.failure-budget.peer-refill", "1h")));
    cached = FakeRequest.get("/orders").basic("alice", "correct horse");
    wrongPassword = FakeRequest.get("/orders").basic("alice", "wrong horse");
    unknownUser = FakeRequest.get("/orders").basic("mallory", "correct horse");
    cheapUserWrongPassword = FakeRequest.get("/orders").basic("bob", "wrong horse");
    anonymous = FakeRequest.get("/orders");
    if (!(gatehouse.decide(cached) instanceof Decision.Allow)) {
      throw new IllegalStateException("fixture credentials do not verify");
    }
    while (!(throttling.decide(wrongPassword) instanceof Decision.Throttle)) {
      // Spend the budget once; every later wrong attempt is the 429.
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    gatehouse.close();
    throttling.close();
    try (var files = Files.list(directory)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    Files.delete(directory);
  }

  @Benchmark
  public Decision cachedCredentials() {
    return gatehouse.decide(cached);
  }

  @Benchmark
  public Decision noCredentials() {
    return gatehouse.decide(anonymous);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Decision wrongPassword() {
    return gatehouse.decide(wrongPassword);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Decision unknownUser() {
    return gatehouse.decide(unknownUser);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Decision cheapUserWrongPassword() {
    return gatehouse.decide(cheapUserWrongPassword);
  }

  @Benchmark
  public Decision throttled() {
    return throttling.decide(wrongPassword);
  }
}
