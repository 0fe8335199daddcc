package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.BasicConfig;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.metrics.GatehouseListener;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The 429 of a spent Basic failure budget, through the engine: its decision, its metrics kind and its settings. */
class BasicThrottleDecisionTest {

  @TempDir Path directory;

  private Path yaml(String budget) throws IOException {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    return Files.writeString(
        directory.resolve("gatehouse.yaml"), "authentication:\n  basic:\n    htpasswd: " + htpasswd + "\n" + budget.indent(4));
  }

  @Test
  void spentBudgetIsA429WithRetryAfterCountedAsDeny() throws IOException {
    List<GatehouseListener.DecisionKind> kinds = new CopyOnWriteArrayList<>();
    Path yaml = yaml("failure-budget: {peer-burst: 2, peer-refill: 30s}");
    try (Gatehouse gatehouse = Gatehouse.builder().config(ConfigLoader.load(yaml)).listener((kind, authn, nanos) -> kinds.add(kind)).build()) {
      FakeRequest wrong = FakeRequest.get("/").basic("sha1-user", "wrong").remoteAddress("198.51.100.7");
      gatehouse.decide(wrong);
      gatehouse.decide(wrong);

      Decision third = gatehouse.decide(wrong);

      assertThat(third).isInstanceOfSatisfying(Decision.Throttle.class, throttle -> {
        assertThat(throttle.status()).isEqualTo(429);
        assertThat(throttle.retryAfterSeconds()).isEqualTo(30);
        assertThat(throttle.challenges()).isEmpty();
        assertThat(throttle.body()).isEqualTo("Too Many Requests\n");
      });
      assertThat(kinds).containsExactly(GatehouseListener.DecisionKind.CHALLENGE, GatehouseListener.DecisionKind.CHALLENGE, GatehouseListener.DecisionKind.DENY);
      assertThat(gatehouse.explain(wrong).status()).isEqualTo(429);
      assertThat(gatehouse.decide(FakeRequest.get("/").basic("sha1-user", "sha1 secret").remoteAddress("198.51.100.8"))).isInstanceOf(Decision.Allow.class);
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "PT0.001S, 1",
    "PT1S, 1",
    "PT1.000000001S, 2",
    "PT29.5S, 30",
  })
  void retryAfterIsRoundedUpToWholeSeconds(Duration wait, long seconds) {
    assertThat(new Decision.Throttle(wait, "x").retryAfterSeconds()).isEqualTo(seconds);
  }

  @Test
  void otherRefusalsHaveNoRetryAfter() {
    assertThat(new Decision.Deny("x").retryAfterSeconds()).isZero();
    assertThat(new Decision.Reject("x").retryAfterSeconds()).isZero();
    assertThat(new Decision.Challenge(List.of(), "x").retryAfterSeconds()).isZero();
  }

  @Test
  void settingsBindWithDefaults() throws IOException {
    BasicConfig basic = ConfigLoader.load(yaml("max-bcrypt-cost: 12\nfailure-budget: {user-burst: 0}")).authentication().basic().orElseThrow();

    assertThat(basic.maxBcryptCost()).isEqualTo(12);
    assertThat(basic.maxShaCryptRounds()).isEqualTo(BasicConfig.DEFAULT_MAX_SHA_CRYPT_ROUNDS);
    assertThat(basic.failureBudget()).isEqualTo(new BasicConfig.FailureBudget(20, Duration.ofSeconds(1), 0, Duration.ofSeconds(10)));
    assertThat(ConfigLoader.load(yaml("")).authentication().basic().orElseThrow().failureBudget()).isEqualTo(BasicConfig.FailureBudget.DEFAULT);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "max-bcrypt-cost: 3 | authentication.basic.max-bcrypt-cost: must be a bcrypt cost from 4 to 31, found 3",
        "max-sha-crypt-rounds: 10 | authentication.basic.max-sha-crypt-rounds: must be at least 1000 (SHA-crypt's minimum), found 10",
        "'failure-budget: {peer-burst: -1}' | authentication.basic.failure-budget.peer-burst: must be 0 (off) or more, found -1",
        "'failure-budget: {user-refill: 0s}' | authentication.basic.failure-budget.user-refill: must be positive, found PT0S",
        "'failure-budget: {per-peer: 3}' | authentication.basic.failure-budget.per-peer: unknown key",
      })
  void badSettingsAreRefusedNamingTheKey(String budget, String message) {
    assertThatThrownBy(() -> ConfigLoader.load(yaml(budget))).isInstanceOf(ConfigException.class).hasMessageStartingWith(message);
  }
}
