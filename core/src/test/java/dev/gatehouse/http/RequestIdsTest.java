package dev.gatehouse.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdsTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "Req-1.a_b:c-9", "0af7651916cd43dd8448eb211c80319c", "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"})
  void idsOfTheAllowedCharactersAreKept(String id) {
    assertThat(RequestIds.isValid(id)).isTrue();
    assertThat(RequestIds.keepOrCreate(Optional.of(id))).isSameAs(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", "line\r\nbreak", "tab\t", "\u00fcnicode", "semi;colon", "quo\"te", "slash/", "comma,", "nul\u0000"})
  void idsWithAnythingElseAreReplaced(String id) {
    assertThat(RequestIds.isValid(id)).isFalse();
    assertThat(RequestIds.keepOrCreate(Optional.of(id))).isNotEqualTo(id).matches("[0-9a-f]{16}-[0-9a-f]{16}");
  }

  @Test
  void idsOfAtMost128CharactersAreKept() {
    assertThat(RequestIds.isValid("x".repeat(128))).isTrue();
    assertThat(RequestIds.isValid("x".repeat(129))).isFalse();
  }

  @Test
  void newIdsAreUniqueAndValid() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = RequestIds.create();
      assertThat(RequestIds.isValid(id)).isTrue();
      ids.add(id);
    }
    assertThat(ids).hasSize(10_000);
    assertThat(RequestIds.keepOrCreate(Optional.empty())).matches("[0-9a-f]{16}-[0-9a-f]{16}");
  }
}
