package dev.gatehouse.authn.basic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every format is checked against hashes Apache's own htpasswd tool wrote (see fixtures/README.md). */
class PasswordHashTest {

  @TempDir Path directory;

  static Stream<Arguments> fixtureUsers() {
    return Stream.of(
        Arguments.of("bcrypt-user", "bcrypt secret"),
        Arguments.of("bcrypt-2a-user", "bcrypt-2a secret"),
        Arguments.of("bcrypt-2b-user", "bcrypt-2b secret"),
        Arguments.of("apr1-user", "apr1 secret"),
        Arguments.of("sha1-user", "sha1 secret"),
        Arguments.of("ssha-user", "ssha secret"),
        Arguments.of("sha256-user", "sha256 secret"),
        Arguments.of("sha512-user", "sha512 secret"),
        Arguments.of("sha512-rounds-user", "sha512 rounds secret"),
        Arguments.of("unicode-user", "pässwörd:with:colons ✓"),
        Arguments.of("jürgen", "jürgen secret"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtureUsers")
  void htpasswdToolHashVerifiesItsPassword(String user, String password) throws IOException {
    HtpasswdFile file = HtpasswdFile.read(Fixtures.copy("formats.htpasswd", directory));

    PasswordHash hash = file.hashOf(user).orElseThrow();

    assertThat(hash.matches(password.getBytes(StandardCharsets.UTF_8))).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtureUsers")
  void htpasswdToolHashRejectsANearMiss(String user, String password) throws IOException {
    HtpasswdFile file = HtpasswdFile.read(Fixtures.copy("formats.htpasswd", directory));
    PasswordHash hash = file.hashOf(user).orElseThrow();

    assertThat(hash.matches((password + "x").getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(hash.matches(password.substring(1).getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(hash.matches(new byte[0])).isFalse();
  }

  @Test
  void plainTextEntryIsRefused() {
    Path plain = Fixtures.copy("plain.htpasswd", directory);

    assertThatThrownBy(() -> HtpasswdFile.read(plain))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("user plain")
        .hasMessageContaining("plain text");
  }

  @Test
  void desCryptEntryIsRefused() {
    Path crypt = Fixtures.copy("crypt.htpasswd", directory);

    assertThatThrownBy(() -> HtpasswdFile.read(crypt))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("DES crypt");
  }

  @Test
  void bcryptNeverTruncatesAPasswordLongerThan72Bytes() {
    // Apache truncates at 72 bytes, so 72 or 73 a's would both match; here only the 72 do.
    PasswordHash hash = PasswordHash.parse(bcryptOf72As());

    assertThat(hash.matches("a".repeat(72).getBytes(StandardCharsets.US_ASCII))).isTrue();
    assertThat(hash.matches("a".repeat(73).getBytes(StandardCharsets.US_ASCII))).isFalse();
    assertThat(hash.matches("a".repeat(100).getBytes(StandardCharsets.US_ASCII))).isFalse();
    assertThat(hash.matches("a".repeat(71).getBytes(StandardCharsets.US_ASCII))).isFalse();
  }

  private static String bcryptOf72As() {
    byte[] salt = new byte[16];
    return org.bouncycastle.crypto.generators.OpenBSDBCrypt.generate("2y", "a".repeat(72).getBytes(StandardCharsets.US_ASCII), salt, 4);
  }

  @Test
  void malformedHashesAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(() -> PasswordHash.parse("$2y$05$short")).hasMessage("malformed bcrypt hash");
    assertThatThrownBy(() -> PasswordHash.parse("$apr1$salt$short")).hasMessage("malformed $apr1$ hash");
    assertThatThrownBy(() -> PasswordHash.parse("$6$salt$short")).hasMessage("malformed SHA-crypt hash");
    assertThatThrownBy(() -> PasswordHash.parse("{SHA}not base64!")).hasMessageContaining("bad base64");
    assertThatThrownBy(() -> PasswordHash.parse("{SHA}AAAA")).hasMessage("malformed {SHA} hash");
    assertThatThrownBy(() -> PasswordHash.parse("$1$abc$def")).hasMessageContaining("$1$");
  }

  @Test
  void decoyIsTheHashOfTheFilesMedianCostNotTheDearest() {
    HtpasswdFile file =
        HtpasswdFile.parse("fast:{SHA}tvRYxZ90euHhTV+mXlnRmD73S7c=\n"
            + "slow:$2y$05$8F3MrKvyBr8H4PhqTnH1IuJbsEbC4epH0URIkSj3XeoBMMSzxHjIS\n"
            + "apr:$apr1$gxbpYFIE$7qvwNRtoM9bwTmRm81T9e.\n");

    assertThat(file.decoy()).isInstanceOf(PasswordHash.Apr1.class);
    assertThat(file.costlierThanTypical()).containsExactly("slow");
  }
}
