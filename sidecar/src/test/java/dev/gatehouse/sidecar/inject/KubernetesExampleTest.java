package dev.gatehouse.sidecar.inject;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * examples/kubernetes cannot drift from inject: hello-app.injected.yaml is what inject writes from hello-app.yaml with
 * the command its header names. After a deliberate change, rewrite it with {@code -Dgatehouse.examples.write=true}.
 */
class KubernetesExampleTest {

  static final Path EXAMPLES = Path.of("../examples/kubernetes");

  @Test
  void theCheckedInManifestsAreWhatInjectWritesFromTheInput() throws IOException {
    Inject result = Inject.run("", "-f", EXAMPLES.resolve("hello-app.yaml").toString(), "--image", "gatehouse-sidecar:0.1.0");
    assertThat(result.err()).isEmpty();
    assertThat(result.status()).isZero();
    Path injected = EXAMPLES.resolve("hello-app.injected.yaml");
    if (Boolean.getBoolean("gatehouse.examples.write")) {
      Files.writeString(injected, result.out(), StandardCharsets.UTF_8);
    }
    assertThat(result.out()).isEqualTo(Files.readString(injected, StandardCharsets.UTF_8));
  }

  @Test
  void injectingTheExampleAgainChangesNothing() throws IOException {
    String injected = Files.readString(EXAMPLES.resolve("hello-app.injected.yaml"), StandardCharsets.UTF_8);
    Inject again = Inject.run(injected, "-f", "-", "--image", "gatehouse-sidecar:0.1.0");
    assertThat(again.status()).isZero();
    assertThat(again.out()).isEqualTo(injected);
  }

  @Test
  void theHeaderNamesTheCommandThatWritesTheExample() throws IOException {
    assertThat(Files.readString(EXAMPLES.resolve("hello-app.yaml")))
        .contains("inject -f examples/kubernetes/hello-app.yaml \\\n#        -o examples/kubernetes/hello-app.injected.yaml --image gatehouse-sidecar:0.1.0\n");
  }

  @Test
  void everyExampleManifestReadsAsItsKubernetesApiType() throws IOException {
    // Deployment, NetworkPolicy, Service; then the Secret.
    assertThat(KubernetesTypes.check(Files.readString(EXAMPLES.resolve("hello-app.injected.yaml")))).isEqualTo(3);
    assertThat(KubernetesTypes.check(Files.readString(EXAMPLES.resolve("gatehouse-secret.yaml")))).isEqualTo(1);
  }

  @Test
  void theSecretIsTheOneTheInjectedPodMounts() throws IOException {
    assertThat(Files.readString(EXAMPLES.resolve("gatehouse-secret.yaml"))).contains("  name: hello-gatehouse\n");
    assertThat(Files.readString(EXAMPLES.resolve("hello-app.injected.yaml"))).contains("secretName: hello-gatehouse\n");
  }
}
