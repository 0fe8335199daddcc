package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.metrics.GatehouseListener;
import dev.gatehouse.metrics.SourceStatus;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a listener hears: one event per decision, of the decision's kind and the identity's method. */
class GatehouseListenerTest {

  private record Heard(GatehouseListener.DecisionKind kind, String authentication, long nanos) {}

  @TempDir Path directory;

  private Gatehouse engine(GatehouseListener listener) throws IOException {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              basic: {htpasswd: %s}
            authorization:
              rules:
                - {name: public, action: allow, to: {paths: [/public]}}
                - {name: staff, action: allow, from: {request-principals: [bcrypt-user]}}
            """
                .formatted(htpasswd));
    return Gatehouse.builder().config(ConfigLoader.load(yaml)).listener(listener).build();
  }

  @Test
  void everyDecisionIsHeardOnceWithItsKindAndMethod() throws IOException {
    List<Heard> heard = new CopyOnWriteArrayList<>();
    try (Gatehouse gatehouse = engine((kind, authentication, nanos) -> heard.add(new Heard(kind, authentication, nanos)))) {
      gatehouse.decide(FakeRequest.get("/private"));
      gatehouse.decide(FakeRequest.get("/public"));
      gatehouse.decide(FakeRequest.get("/private").basic("bcrypt-user", "bcrypt secret"));
      gatehouse.decide(FakeRequest.get("/private").basic("bcrypt-user", "wrong"));
      gatehouse.decide(FakeRequest.get("/private").basic("sha1-user", "sha1 secret"));
      gatehouse.decide(FakeRequest.get("/a%00b"));
    }

    assertThat(heard).extracting(Heard::kind, Heard::authentication)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(GatehouseListener.DecisionKind.CHALLENGE, "none"),
            org.assertj.core.groups.Tuple.tuple(GatehouseListener.DecisionKind.ALLOW, "none"),
            org.assertj.core.groups.Tuple.tuple(GatehouseListener.DecisionKind.ALLOW, "basic"),
            org.assertj.core.groups.Tuple.tuple(GatehouseListener.DecisionKind.CHALLENGE, "none"),
            org.assertj.core.groups.Tuple.tuple(GatehouseListener.DecisionKind.DENY, "basic"),
            org.assertj.core.groups.Tuple.tuple(GatehouseListener.DecisionKind.REJECT, "none"));
    assertThat(heard).allSatisfy(event -> assertThat(event.nanos()).isPositive());
  }

  @Test
  void explainIsNotADecisionAboutTrafficAndIsNotHeard() throws IOException {
    List<Heard> heard = new CopyOnWriteArrayList<>();
    try (Gatehouse gatehouse = engine((kind, authentication, nanos) -> heard.add(new Heard(kind, authentication, nanos)))) {
      gatehouse.explain(FakeRequest.get("/private"));
    }

    assertThat(heard).isEmpty();
  }

  @Test
  void aFailingListenerNeverChangesTheDecision() throws IOException {
    try (Gatehouse gatehouse = engine((kind, authentication, nanos) -> { throw new IllegalStateException("listener bug"); })) {
      assertThat(gatehouse.decide(FakeRequest.get("/private").basic("bcrypt-user", "bcrypt secret"))).isInstanceOf(Decision.Allow.class);
      assertThat(gatehouse.decide(FakeRequest.get("/private"))).isInstanceOf(Decision.Challenge.class);
    }
  }

  @Test
  void theEngineDescribesItselfForOperators() throws IOException {
    try (Gatehouse gatehouse = engine((kind, authentication, nanos) -> {})) {
      assertThat(gatehouse.authenticatorNames()).containsExactly("basic");
      assertThat(gatehouse.ruleCount()).isEqualTo(2);
      assertThat(gatehouse.challenges()).containsExactly("Basic realm=\"Restricted\", charset=\"UTF-8\"");
      assertThat(gatehouse.sources()).extracting(SourceStatus::kind).containsExactly("htpasswd");
      assertThat(Gatehouse.version()).isNotBlank().doesNotContain("${");
    }
  }
}
