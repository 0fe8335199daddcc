package dev.gatehouse.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Identity;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingPolicyTest {

  @TempDir Path directory;

  private static final Identity BOB = Identity.of("bob", "test");

  private Path write(Path file, String rules, int version) throws IOException {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Files.writeString(file, "authentication:\n  basic: {htpasswd: " + htpasswd + "}\nauthorization:\n  rules:\n" + rules.indent(4));
    // Coarse file-system clocks could give two versions the same time; make each version's stamp differ for sure.
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(version)));
    return file;
  }

  private static boolean bobMayGet(ReloadingPolicy policy) {
    return policy.get().evaluate(FakeRequest.get("/x"), "/x", PolicyEngineTest.identities(BOB)).allowed();
  }

  @Test
  void changedFileReplacesTheRules() throws IOException {
    Path file = write(directory.resolve("gatehouse.yaml"), "- {action: allow, from: {request-principals: [alice]}}", 1);
    try (ReloadingPolicy policy = ReloadingPolicy.watch(file, Map.of(), PolicyEngine.compile(ConfigLoader.load(file).authorization()), Duration.ZERO)) {
      assertThat(bobMayGet(policy)).isFalse();

      write(file, "- {action: allow, from: {request-principals: [alice, bob]}}", 2);
      policy.reloadIfChanged();

      assertThat(bobMayGet(policy)).isTrue();
      assertThat(policy.reloadSuccesses()).isEqualTo(1);
      assertThat(policy.reloadFailures()).isZero();
    }
  }

  @Test
  void invalidFileKeepsTheOldRulesAndCountsOneFailurePerVersion() throws IOException {
    Path file = write(directory.resolve("gatehouse.yaml"), "- {action: allow, from: {request-principals: [bob]}}", 1);
    try (ReloadingPolicy policy = ReloadingPolicy.watch(file, Map.of(), PolicyEngine.compile(ConfigLoader.load(file).authorization()), Duration.ZERO)) {
      write(file, "- {action: allow, to: {paths: [/a/../b]}}", 2);
      policy.reloadIfChanged();
      policy.reloadIfChanged();

      assertThat(bobMayGet(policy)).isTrue();
      assertThat(policy.reloadFailures()).isEqualTo(1);
      assertThat(policy.status().healthy()).isFalse();
      assertThat(policy.status().kind()).isEqualTo("rules");

      write(file, "- {action: deny, from: {request-principals: [bob]}}", 3);
      policy.reloadIfChanged();

      assertThat(bobMayGet(policy)).isFalse();
      assertThat(policy.reloadSuccesses()).isEqualTo(1);
      assertThat(policy.status().healthy()).isTrue();
    }
  }

  @Test
  void deletedFileKeepsTheOldRules() throws IOException {
    Path file = write(directory.resolve("gatehouse.yaml"), "- {action: allow, from: {request-principals: [bob]}}", 1);
    try (ReloadingPolicy policy = ReloadingPolicy.watch(file, Map.of(), PolicyEngine.compile(ConfigLoader.load(file).authorization()), Duration.ZERO)) {
      Files.delete(file);
      policy.reloadIfChanged();
      policy.reloadIfChanged();

      assertThat(bobMayGet(policy)).isTrue();
      assertThat(policy.reloadFailures()).isEqualTo(1);
      assertThat(policy.status().healthy()).isFalse();
      assertThat(policy.status().kind()).isEqualTo("rules");
    }
  }
}
