package dev.gatehouse.authn.basic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class BasicCredentialsTest {

  private static String basic(String credentials) {
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void userEndsAtTheFirstColonAndThePasswordKeepsTheRest() {
    BasicCredentials.Parsed parsed = BasicCredentials.parse(basic("alice:pa:ss:word"));

    assertThat(parsed.user()).isEqualTo("alice");
    assertThat(new String(parsed.password(), StandardCharsets.UTF_8)).isEqualTo("pa:ss:word");
  }

  @Test
  void utf8UserAndPasswordDecode() {
    BasicCredentials.Parsed parsed = BasicCredentials.parse(basic("jürgen:pässwörd ✓"));

    assertThat(parsed.user()).isEqualTo("jürgen");
    assertThat(parsed.password()).isEqualTo("pässwörd ✓".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void emptyPasswordIsParsedAndLeftToTheHashToRefuse() {
    assertThat(BasicCredentials.parse(basic("alice:")).password()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Basic", "basic YWxpY2U6cHc=", "BASIC YWxpY2U6cHc=", "Basic   YWxpY2U6cHc="})
  void schemeIsCaseInsensitive(String header) {
    assertThat(BasicCredentials.isBasic(header)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Bearer abc", "Basicx YWxp", "Digest username=x", ""})
  void otherSchemesAreNotBasic(String header) {
    assertThat(BasicCredentials.isBasic(header)).isFalse();
  }

  @Test
  void missingColonIsRefused() {
    assertThatThrownBy(() -> BasicCredentials.parse(basic("alice"))).hasMessageContaining("no colon");
  }

  @Test
  void emptyUserIsRefused() {
    assertThatThrownBy(() -> BasicCredentials.parse(basic(":secret"))).hasMessageContaining("empty user");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Basic", "Basic ", "Basic YWxpY2U6cHc", "Basic YWxp!2U6cHc=", "Basic YWxpY2U6cHc=\t", "Basic YWxp Y2U6cHc=", "Basic YQ==YQ==", "Basic YR=="})
  void malformedBase64IsRefused(String header) {
    assertThatThrownBy(() -> BasicCredentials.parse(header)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invalidUtf8IsRefused() {
    String header = "Basic " + Base64.getEncoder().encodeToString(new byte[] {'a', (byte) 0xff, ':', 'b'});

    assertThatThrownBy(() -> BasicCredentials.parse(header)).hasMessageContaining("UTF-8");
  }

  @Test
  void invalidUtf8InThePasswordIsRefused() {
    String header = "Basic " + Base64.getEncoder().encodeToString(new byte[] {'a', ':', (byte) 0xC3});

    assertThatThrownBy(() -> BasicCredentials.parse(header)).hasMessageContaining("UTF-8");
  }

  @Test
  void controlCharacterInUserIsRefused() {
    assertThatThrownBy(() -> BasicCredentials.parse(basic("ali\nce:pw"))).hasMessageContaining("control character");
  }

  @Test
  void oversizedCredentialsAreRefusedBeforeDecoding() {
    assertThatThrownBy(() -> BasicCredentials.parse(basic("a:" + "x".repeat(4000))))
        .hasMessageContaining("longer than");
  }

  @Test
  void reasonsNeverContainTheCredentials() {
    assertThatThrownBy(() -> BasicCredentials.parse(basic("topsecretuser")))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("topsecret"));
  }
}
