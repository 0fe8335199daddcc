package dev.gatehouse.sidecar.inject;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestStreamTest {

  private static List<String> texts(String source) {
    return ManifestStream.split(source).stream().map(ManifestStream.Chunk::text).toList();
  }

  @Test
  void aStreamIsCutAtEachDocumentMarkerLineAndNowhereElse() {
    String source = "# header\n---\na: 1\n--- # second\nb: |\n  ---\n  text\n----\n---\n";
    assertThat(texts(source)).containsExactly("# header\n", "---\na: 1\n", "--- # second\nb: |\n  ---\n  text\n----\n", "---\n");
    assertThat(String.join("", texts(source))).isEqualTo(source);
  }

  @Test
  void windowsLineEndsAreCutToo() {
    assertThat(texts("a: 1\r\n---\r\nb: 2\r\n")).containsExactly("a: 1\r\n", "---\r\nb: 2\r\n");
  }

  @Test
  void commentsAloneAreNoDocument() {
    assertThat(ManifestStream.parse("# only a comment\n\n# another\n")).isEmpty();
    assertThat(ManifestStream.parse("---\n# only a comment\n")).hasSize(1);
  }

  @Test
  void aGuardedDocumentWithoutAFinalLineEndIsFollowedByItsNetworkPolicyOnALineOfItsOwn() {
    String pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: p}\nspec:\n  containers:\n  - name: app\n    image: app:1\n    ports:\n    - containerPort: 8080";
    String once = Inject.stdin(pod).out();
    assertThat(once).contains("\n---\napiVersion: networking.k8s.io/v1\n").endsWith("\n");
    assertThat(Inject.stdin(once).out()).isEqualTo(once);
  }
}
