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
 * without credentials.
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

  // htpasswd -nbB -C 10 alice 'correct horse' (cost 10, a common production choice)
  private static final String HTPASSWD = "alice:$2y$10$3spXYRVv.RhJ7K/4wwh.EusgVl68DxXTBk6tEY6KSWQbZQEcPVKsa\n";

  private Gatehouse gatehouse;
  private Path directory;
  private FakeRequest cached;
  private FakeRequest wrongPassword;
  private FakeRequest unknownUser;
  private FakeRequest anonymous;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    directory = Files.createTempDirectory("gatehouse-bench");
    Path htpasswd = Files.writeString(directory.resolve("htpasswd"), HTPASSWD);
    gatehouse = Gatehouse.create(ConfigLoader.load(Optional.empty(), Map.of("authentication.basic.htpasswd", htpasswd.toString())));
    cached = FakeRequest.get("/orders").basic("alice", "correct horse");
    wrongPassword = FakeRequest.get("/orders").basic("alice", "wrong horse");
    unknownUser = FakeRequest.get("/orders").basic("mallory", "correct horse");
    anonymous = FakeRequest.get("/orders");
    if (!(gatehouse.decide(cached) instanceof Decision.Allow)) {
      throw new IllegalStateException("fixture credentials do not verify");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    gatehouse.close();
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
}
