package dev.gatehouse.sidecar.inject;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The structural check itself can fail: a misspelt field, a value of the wrong type, an unknown kind. */
class KubernetesTypesTest {

  private static final String POD =
      """
      apiVersion: v1
      kind: Pod
      metadata:
        name: p
      spec:
        containers:
        - name: app
          image: app:1
          ports:
          - containerPort: 8080
      """;

  @Test
  void aValidPodPasses() {
    assertThatCode(() -> KubernetesTypes.check(POD)).doesNotThrowAnyException();
  }

  @Test
  void aFieldTheApiTypeDoesNotHaveFails() {
    assertThatThrownBy(() -> KubernetesTypes.check(POD.replace("  image: app:1", "  image: app:1\n    restartPolicyy: Always")))
        .hasMessageContaining("spec.containers[0].restartPolicyy");
  }

  @Test
  void aStringWhereTheApiTypeHasANumberFails() {
    assertThatThrownBy(() -> KubernetesTypes.check(POD.replace("containerPort: 8080", "containerPort: \"8080\""))).isInstanceOf(AssertionError.class);
  }

  @Test
  void aMappingWhereTheApiTypeHasAListFails() {
    assertThatThrownBy(() -> KubernetesTypes.check(POD.replace("    ports:\n    - containerPort: 8080", "    ports:\n      containerPort: 8080")))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void aBooleanWhereTheApiTypeHasAStringFails() {
    assertThatThrownBy(() -> KubernetesTypes.check(POD.replace("image: app:1", "image: true"))).isInstanceOf(AssertionError.class);
  }

  @Test
  void aKindWithoutAKnownApiTypeFails() {
    assertThatThrownBy(() -> KubernetesTypes.check(POD.replace("kind: Pod", "kind: Pot"))).hasMessageContaining("no API type known for v1 Pot");
  }
}
