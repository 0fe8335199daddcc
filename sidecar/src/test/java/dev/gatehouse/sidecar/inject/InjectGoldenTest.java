package dev.gatehouse.sidecar.inject;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * inject's output for each kind of workload, compared with golden files in {@code src/test/resources/.../golden}: NAME.yaml
 * in, NAME.injected.yaml out. After a deliberate change, rewrite them with {@code -Dgatehouse.golden.write=true} and
 * read the diff.
 */
class InjectGoldenTest {

  private static final Path GOLDEN = Path.of("src/test/resources/dev/gatehouse/sidecar/inject/golden");

  /** Each golden input and the flags it is injected with. */
  private static final Map<String, List<String>> CASES =
      Map.of(
          "deployment", List.of(),
          "statefulset", List.of("--app-port", "9000", "--port", "8443", "--admin-port", "9090", "--config-secret", "ledger-auth"),
          "daemonset", List.of(),
          "pod", List.of(),
          "multi-document", List.of());

  static List<String> cases() {
    return CASES.keySet().stream().sorted().toList();
  }

  private static Inject inject(String manifests, String name) {
    return Inject.stdin(manifests, CASES.get(name).toArray(String[]::new));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void injectWritesWhatTheGoldenFileSays(String name) throws IOException {
    Inject result = inject(read(name + ".yaml"), name);
    assertThat(result.err()).isEmpty();
    assertThat(result.status()).isZero();
    Path golden = GOLDEN.resolve(name + ".injected.yaml");
    if (Boolean.getBoolean("gatehouse.golden.write")) {
      Files.writeString(golden, result.out(), StandardCharsets.UTF_8);
    }
    assertThat(result.out()).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void injectingAlreadyInjectedOutputChangesNothingByteForByte(String name) throws IOException {
    String injected = read(name + ".injected.yaml");
    Inject again = inject(injected, name);
    assertThat(again.status()).isZero();
    assertThat(again.out()).isEqualTo(injected);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void everyDocumentWrittenReadsAsItsKubernetesApiType(String name) throws IOException {
    String injected = read(name + ".injected.yaml");
    assertThat(KubernetesTypes.check(injected)).isGreaterThanOrEqualTo(2);
    // The inputs are valid too, so that a failure above is inject's.
    KubernetesTypes.check(read(name + ".yaml"));
  }

  @Test
  void documentsInjectDoesNotChangeKeepTheirTextCommentsAndQuoting() throws IOException {
    String input = read("multi-document.yaml");
    String output = read("multi-document.injected.yaml");
    String configMap = input.substring(input.indexOf("---\n# Left exactly"), input.indexOf("---\napiVersion: apps/v1"));
    String elsewhere = input.substring(input.indexOf("---\n# Selects no workload"));
    assertThat(output).startsWith("# A whole application: its settings, the app, and how other pods reach it.\n" + configMap).endsWith(elsewhere);
  }

  @Test
  void commentsOfAChangedDocumentAreKept() throws IOException {
    String output = read("deployment.injected.yaml");
    assertThat(output)
        .contains("# An app that already has an init container, volumes and a long grace period of its own.\n")
        .contains("terminationGracePeriodSeconds: 60 # the app drains for 45 s itself\n")
        .contains("value: \"yes\" # a string, and must stay one\n");
  }

  @Test
  void readsStandardInputAndWritesStandardOutputWithoutDashO() throws IOException {
    Inject result = Inject.run(read("pod.yaml"), "-f", "-", "--image", Inject.IMAGE);
    assertThat(result.status()).isZero();
    assertThat(result.out()).isEqualTo(read("pod.injected.yaml"));
  }

  @Test
  void readsTheFileOfDashFAndWritesTheFileOfDashO(@TempDir Path directory) throws IOException {
    Path in = directory.resolve("app.yaml");
    Path out = directory.resolve("guarded.yaml");
    Files.writeString(in, read("pod.yaml"));
    Inject result = Inject.run("", "-f", in.toString(), "-o", out.toString(), "--image", Inject.IMAGE);
    assertThat(result.status()).isZero();
    assertThat(result.out()).isEmpty();
    assertThat(Files.readString(out)).isEqualTo(read("pod.injected.yaml"));
    try (var files = Files.list(directory)) {
      assertThat(files.map(file -> file.getFileName().toString()).sorted()).containsExactly("app.yaml", "guarded.yaml");
    }
  }

  static String read(String file) throws IOException {
    return Files.readString(GOLDEN.resolve(file), StandardCharsets.UTF_8);
  }
}
