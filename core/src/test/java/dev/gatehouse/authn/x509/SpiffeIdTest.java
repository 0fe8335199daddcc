package dev.gatehouse.authn.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {

  @Test
  void istioFormGivesNamespaceAndServiceAccount() {
    SpiffeId id = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/frontend");

    assertThat(id.trustDomain()).isEqualTo("cluster.local");
    assertThat(id.path()).isEqualTo("/ns/shop/sa/frontend");
    assertThat(id.namespace()).hasValue("shop");
    assertThat(id.serviceAccount()).hasValue("frontend");
    assertThat(id).hasToString("spiffe://cluster.local/ns/shop/sa/frontend");
  }

  @ParameterizedTest
  @ValueSource(strings = {"spiffe://example.org", "spiffe://example.org/workload", "spiffe://my_domain-1.example/a/b.c/D-e_f", "spiffe://example.org/ns/x/sa/y/extra"})
  void validIdsParse(String text) {
    assertThat(SpiffeId.parse(text)).hasToString(text);
  }

  @Test
  void otherShapesHaveNoNamespace() {
    assertThat(SpiffeId.parse("spiffe://example.org/ns/x/sa/y/extra").namespace()).isEmpty();
    assertThat(SpiffeId.parse("spiffe://example.org/workload").serviceAccount()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      commentCharacter = '!',
      value = {
        "SPIFFE://example.org/a | does not start with spiffe://",
        "https://example.org/a | does not start with spiffe://",
        "spiffe:///a | empty trust domain",
        "spiffe://Example.org/a | trust domain may hold only",
        "spiffe://example.org:8443/a | port or user info",
        "spiffe://user@example.org/a | port or user info",
        "spiffe://example.org/a?x=1 | query or fragment",
        "spiffe://example.org/a#frag | query or fragment",
        "spiffe://example.org/ | empty segment or a trailing slash",
        "spiffe://example.org/a//b | empty segment",
        "spiffe://example.org/a/../b | segment",
        "spiffe://example.org/a/./b | segment",
        "spiffe://example.org/a%2Fb | may hold only letters",
        "spiffe://example.org/caf\u00e9 | may hold only letters",
        "spiffe://exa mple.org/a | trust domain may hold only"
      })
  void invalidIdsAreRefusedWithTheRule(String text, String rule) {
    assertThatThrownBy(() -> SpiffeId.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(rule);
  }

  @Test
  void overlongIdIsRefused() {
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://example.org/" + "a".repeat(2040))).hasMessageContaining("longer than 2048");
  }
}
