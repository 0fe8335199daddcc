package dev.gatehouse.benchmarks;

import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import dev.gatehouse.authz.PolicyEngine;
import dev.gatehouse.authz.PolicyResult;
import dev.gatehouse.config.AuthorizationConfig;
import dev.gatehouse.config.RuleConfig;
import dev.gatehouse.path.CanonicalPath;
import dev.gatehouse.path.PathCanonicalizer;
import dev.gatehouse.testing.FakeRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One authorization decision against 10, 100 or 1000 rules: a deny rule per ten allow rules, every rule with a
 * method and path condition, and a request that matches only the last allow rule, or none at all. With {@code
 * principals=exact} every rule names its callers exactly; with {@code prefix} every rule also has a SPIFFE {@code
 * .../sa/*} pattern; either way the engine tries only the rules the caller's name can satisfy, worked out once per
 * caller. With {@code none} the rules name no principal (only groups), so every rule is tried for every caller: the
 * worst case. Plus the canonicalizer on a
 * path that is already canonical (the common case) and on one with dot segments and encodings.
 *
 * <p>Run: {@code mvn -q -DskipTests -pl benchmarks -am package && java -jar benchmarks/target/benchmarks.jar
 * Authorization}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuthorizationBenchmark {

  @Param({"10", "100", "1000"})
  int rules;

  /** {@code exact}: rules name request principals exactly; {@code prefix}: also {@code iss/*} prefixes; {@code none}: groups only. */
  @Param({"exact", "prefix", "none"})
  String principals;

  private PolicyEngine engine;
  private FakeRequest lastRuleRequest;
  private FakeRequest noRuleRequest;
  private Identities caller;
  private Identities stranger;

  @Setup
  public void compile() {
    List<RuleConfig> list = new ArrayList<>();
    for (int i = 0; i < rules; i++) {
      boolean deny = i % 10 == 9;
      RuleConfig.SourceConfig from =
          new RuleConfig.SourceConfig(
              List.of(), List.of(), List.of(), List.of(),
              deny ? List.of() : List.of("group-" + i), List.of(), List.of(), List.of(),
              principals.equals("none")
                  ? List.of()
                  : List.of("user-" + i, "https://issuer.example/team-" + i + "/" + (principals.equals("exact") ? "app" : "*")),
              List.of());
      RuleConfig.OperationConfig to =
          new RuleConfig.OperationConfig(
              List.of(deny ? "DELETE" : "GET", "POST"), List.of(), List.of("/service-" + i + "/*", "/api/{*}/items-" + i), List.of(),
              List.of(), List.of(), List.of(), List.of());
      list.add(new RuleConfig(Optional.of("rule-" + i), deny ? RuleConfig.Action.DENY : RuleConfig.Action.ALLOW, Optional.of(from), Optional.of(to), List.of()));
    }
    engine = PolicyEngine.compile(new AuthorizationConfig(list, AuthorizationConfig.Audit.DENIED));
    int last = rules - 2;
    lastRuleRequest = FakeRequest.get("/api/v1/items-" + last);
    noRuleRequest = FakeRequest.get("/nowhere/at/all");
    caller = new Identities(Optional.empty(), Optional.of(new Identity("user-" + last, Identity.BASIC, Set.of("group-" + last), Map.of())));
    stranger = new Identities(Optional.empty(), Optional.of(new Identity("stranger", Identity.BASIC, Set.of("nobody"), Map.of())));
    if (!evaluateLastRule().allowed() || evaluateNoRule().allowed()) {
      throw new IllegalStateException("benchmark requests do not hit the intended rules");
    }
  }

  @Benchmark
  public PolicyResult evaluateLastRule() {
    return engine.evaluate(lastRuleRequest, lastRuleRequest.path(), caller);
  }

  @Benchmark
  public PolicyResult evaluateNoRule() {
    return engine.evaluate(noRuleRequest, noRuleRequest.path(), stranger);
  }

  /** Canonicalizing is independent of the rule count; measured once per parameter all the same, as a reference. */
  @Benchmark
  public CanonicalPath canonicalizeCanonicalPath() {
    return PathCanonicalizer.canonicalize("/api/v1/orders/12345/items");
  }

  @Benchmark
  public CanonicalPath canonicalizeDottedEncodedPath() {
    return PathCanonicalizer.canonicalize("//api/./v1/x/%2e%2e/orders/caf%c3%a9/%7Eitems");
  }
}
