package dev.gatehouse.sidecar.inject;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A document inject cannot guard: exit status 2, one line naming the document and why, and nothing written. */
class InjectRefusalTest {

  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
            - name: web
              image: web:1
              ports:
              - containerPort: 8080
      """;

  private static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: web
      spec:
        selector: {app: web}
        ports:
        - port: 80
          targetPort: 8080
      """;

  private static void assertRefused(Inject result, String document, String reason) {
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).startsWith("gatehouse inject: " + document + ": ").contains(reason).endsWith("\n");
    assertThat(result.err().lines()).hasSize(1);
  }

  @Test
  void aWorkloadWithNoContainerOnTheAppPortIsRefused() {
    assertRefused(Inject.stdin(DEPLOYMENT.replace("containerPort: 8080", "containerPort: 3000")), "Deployment/web (document 1)", "no container declares containerPort 8080 (--app-port)");
  }

  @Test
  void aContainerOnTheSidecarsPortIsRefused() {
    assertRefused(
        Inject.stdin(DEPLOYMENT.replace("- containerPort: 8080", "- containerPort: 8080\n        - containerPort: 8000")),
        "Deployment/web (document 1)",
        "container web already declares containerPort 8000, which the sidecar would use (--port)");
  }

  @Test
  void aContainerOnTheAdminPortIsRefused() {
    assertRefused(Inject.stdin(DEPLOYMENT, "--admin-port", "8080", "--app-port", "8081"), "Deployment/web (document 1)", "container web already declares containerPort 8080, which the sidecar would use (--admin-port)");
    assertRefused(
        Inject.stdin(DEPLOYMENT.replace("- containerPort: 8080", "- containerPort: 8080\n        - containerPort: 9901")),
        "Deployment/web (document 1)",
        "containerPort 9901, which the sidecar would use (--admin-port)");
  }

  @Test
  void anInitContainerNamedLikeOursButNotOursIsRefused() {
    String theirs = DEPLOYMENT.replace("      containers:\n", "      initContainers:\n        - name: gatehouse\n          image: someone-else:1\n      containers:\n");
    assertRefused(Inject.stdin(theirs), "Deployment/web (document 1)", "an init container named gatehouse exists that inject did not add");
  }

  @Test
  void anAppContainerNamedGatehouseIsRefused() {
    assertRefused(Inject.stdin(DEPLOYMENT.replace("- name: web", "- name: gatehouse")), "Deployment/web (document 1)", "a container named gatehouse is in containers");
  }

  @Test
  void hostNetworkIsRefused() {
    assertRefused(Inject.stdin(DEPLOYMENT.replace("      containers:", "      hostNetwork: true\n      containers:")), "Deployment/web (document 1)", "hostNetwork: true");
  }

  @Test
  void aServicePortTheNetworkPolicyWouldBlockIsRefused() {
    String service = SERVICE + "  - port: 9090\n    targetPort: 9090\n";
    assertRefused(Inject.stdin(DEPLOYMENT + "---\n" + service), "Service/web (document 2)", "port 9090 targets 9090, which the NetworkPolicy would block");
  }

  @Test
  void aServiceNamingAPortNoContainerHasIsRefused() {
    assertRefused(Inject.stdin(DEPLOYMENT + "---\n" + SERVICE.replace("targetPort: 8080", "targetPort: http")), "Service/web (document 2)", "port 80 targets http, which no container");
  }

  @Test
  void aNetworkPolicyOfOurNameThatIsNotOursIsRefused() {
    String theirs =
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: web-gatehouse
        spec:
          podSelector: {}
        """;
    assertRefused(Inject.stdin(DEPLOYMENT + "---\n" + theirs), "NetworkPolicy/web-gatehouse (document 2)", "a NetworkPolicy of this name exists and inject did not make it");
  }

  @Test
  void aPodWithoutLabelsIsRefused() {
    String pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\nspec:\n  containers:\n  - name: app\n    image: app:1\n    ports:\n    - containerPort: 8080\n";
    assertRefused(Inject.stdin(pod), "Pod/bare (document 1)", "no metadata.labels");
  }

  @Test
  void aRetiredApiVersionIsRefused() {
    assertRefused(Inject.stdin(DEPLOYMENT.replace("apps/v1", "extensions/v1beta1")), "Deployment/web (document 1)", "apiVersion extensions/v1beta1; inject knows Deployment as apps/v1");
  }

  @Test
  void aListHoldingAWorkloadIsRefused() {
    String list = "apiVersion: v1\nkind: List\nitems:\n- " + DEPLOYMENT.strip().replace("\n", "\n  ") + "\n";
    assertRefused(Inject.stdin(list), "List/? (document 1)", "give each object a document of its own");
  }

  @Test
  void twoWorkloadsWhoseNetworkPoliciesWouldShareANameAreRefused() {
    String statefulSet = DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet");
    assertRefused(Inject.stdin(DEPLOYMENT + "---\n" + statefulSet), "StatefulSet/web (document 2)", "its NetworkPolicy would be web-gatehouse, as for Deployment/web (document 1)");
  }

  @Test
  void aDocumentThatIsNotYamlIsRefusedByIndex() {
    Inject result = Inject.stdin(SERVICE + "---\nkind: [unclosed\n");
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.err()).startsWith("gatehouse inject: document 2: not valid YAML: ");
    assertThat(result.err().lines()).hasSize(1);
  }

  @Test
  void nothingIsWrittenWhenALaterDocumentIsRefused(@TempDir Path directory) throws IOException {
    Path in = directory.resolve("app.yaml");
    Path out = directory.resolve("out.yaml");
    Files.writeString(in, DEPLOYMENT + "---\n" + DEPLOYMENT.replace("name: web", "name: other").replace("app: web", "app: other").replace("8080", "3000"));
    Inject result = Inject.run("", "-f", in.toString(), "-o", out.toString());
    assertRefused(result, "Deployment/other (document 2)", "no container declares containerPort 8080");
    assertThat(out).doesNotExist();
    try (var files = Files.list(directory)) {
      assertThat(files).containsExactly(in);
    }
  }

  @Test
  void reinjectingWithAnotherImageAndPortReplacesOurContainerAndRetargetsTheService() {
    Inject first = Inject.stdin(DEPLOYMENT + "---\n" + SERVICE);
    Inject second = Inject.run(first.out(), "-f", "-", "--image", "registry.example/gatehouse-sidecar:0.2.0", "--port", "8001");
    assertThat(second.status()).isZero();
    assertThat(second.out())
        .contains("image: registry.example/gatehouse-sidecar:0.2.0", "--listen=0.0.0.0:8001", "targetPort: 8001", "port: 8001")
        .doesNotContain("0.1.0", "8000");
    assertThat(second.out().split("restartPolicy: Always", -1)).hasSize(2);
    KubernetesTypes.check(second.out());
  }
}
