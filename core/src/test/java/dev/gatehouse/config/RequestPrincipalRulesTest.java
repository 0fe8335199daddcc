package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** request-principals entries are written in the unambiguous form a JWT's principal takes: '/' and '%' in sub encoded. */
class RequestPrincipalRulesTest {

  private static Path jwksFile;

  @BeforeAll
  static void keys(@TempDir Path directory) throws IOException {
    jwksFile = Files.writeString(directory.resolve("jwks.json"), "{\"keys\":[]}");
  }

  private static GatehouseConfig load(String entry, String... issuers) {
    List<Object> jwt = java.util.Arrays.stream(issuers).map(issuer -> (Object) Map.of("issuer", issuer, "jwks-file", jwksFile.toString())).toList();
    return ConfigLoader.fromTree(
        Map.of(
            "authentication", Map.of("jwt", jwt),
            "authorization", Map.of("rules", List.of(Map.of("action", "deny", "from", Map.of("request-principals", List.of(entry)))))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://a.example/alice", "https://a.example/*", "https://a.example/x%2Fy", "https://a.example/x%25y", "*/alice", "*", "bob"})
  void entriesInThePrincipalsFormLoad(String entry) {
    assertThatCode(() -> load(entry, "https://a.example")).doesNotThrowAnyException();
  }

  @Test
  void subjectWithASlashIsRefusedNamingTheEncodedForm() {
    assertThatThrownBy(() -> load("https://a.example/x/y", "https://a.example"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("authorization.rules[0].from.request-principals[0]: ")
        .hasMessageContaining("write https://a.example/x%2Fy");
    assertThatThrownBy(() -> load("https://a.example/team/*", "https://a.example")).hasMessageContaining("write https://a.example/team%2F*");
    assertThatThrownBy(() -> load("https://a.example/x%41", "https://a.example")).hasMessageContaining("write https://a.example/x%2541");
  }

  @Test
  void slashExplainedByALongerIssuerLoads() {
    assertThatCode(() -> load("https://a.example/x/y", "https://a.example", "https://a.example/x")).doesNotThrowAnyException();
  }
}
