package dev.gatehouse.benchmarks;

import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.http.RequestHeaders;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-header check of the data plane: {@link RequestHeaders#mustRemove} (the sidecar's, once per header of every
 * allowed request) and {@link RequestHeaders#mustHide} (the filter's) over the twelve header names of a typical browser
 * or API request, with the policy of a Basic-authenticated decision. The answer for each is "keep", the common case,
 * which walks every list.
 *
 * <p>Run: {@code mvn -q -DskipTests -pl benchmarks -am package && java -jar benchmarks/target/benchmarks.jar
 * RequestHeaders -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestHeadersBenchmark {

  private static final String[] NAMES = {
    "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cookie", "Content-Type", "Content-Length",
    "X-Request-Id", "Referer", "Connection"
  };

  private RequestHeaders policy;
  private List<String> connection;

  @Setup
  public void setUp() {
    policy = RequestHeaders.of(IdentityHeaders.defaults(), Set.of(), Map.of(IdentityHeaders.USER, "alice"));
    connection = List.of("keep-alive");
  }

  /** One request's headers through the sidecar's check. */
  @Benchmark
  public int mustRemoveTypicalRequest() {
    int removed = 0;
    for (String name : NAMES) {
      if (policy.mustRemove(name, connection)) {
        removed++;
      }
    }
    return removed;
  }

  /** One request's headers through the filter's check. */
  @Benchmark
  public int mustHideTypicalRequest() {
    int hidden = 0;
    for (String name : NAMES) {
      if (policy.mustHide(name)) {
        hidden++;
      }
    }
    return hidden;
  }
}
