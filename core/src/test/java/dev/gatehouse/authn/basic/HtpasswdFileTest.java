package dev.gatehouse.authn.basic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtpasswdFileTest {

  private static final String SHA1_OF_SHA1_SECRET = "{SHA}tvRYxZ90euHhTV+mXlnRmD73S7c=";

  @TempDir Path directory;

  @Test
  void commentsBlankLinesAndCrlfAreTolerated() {
    HtpasswdFile file = HtpasswdFile.parse("# users\r\n\r\nalice:" + SHA1_OF_SHA1_SECRET + "\r\n   \n");

    assertThat(file.size()).isEqualTo(1);
    assertThat(file.hashOf("alice")).isPresent();
  }

  @Test
  void duplicateUserIsRefusedWithItsLineNumber() {
    assertThatThrownBy(() -> HtpasswdFile.parse("a:" + SHA1_OF_SHA1_SECRET + "\nb:" + SHA1_OF_SHA1_SECRET + "\na:" + SHA1_OF_SHA1_SECRET))
        .hasMessage("line 3: duplicate user a");
  }

  @Test
  void lineWithoutColonIsRefused() {
    assertThatThrownBy(() -> HtpasswdFile.parse("alice")).hasMessage("line 1: expected user:hash");
    assertThatThrownBy(() -> HtpasswdFile.parse(":" + SHA1_OF_SHA1_SECRET)).hasMessage("line 1: expected user:hash");
  }

  @Test
  void userNamesAreCaseSensitiveAsInApache() {
    HtpasswdFile file = HtpasswdFile.parse("Alice:" + SHA1_OF_SHA1_SECRET);

    assertThat(file.hashOf("alice")).isEmpty();
    assertThat(file.hashOf("Alice")).isPresent();
  }

  @Test
  void emptyFileLetsNobodyInButStillHasADecoy() {
    HtpasswdFile file = HtpasswdFile.parse("");

    assertThat(file.size()).isZero();
    assertThat(file.decoy()).isInstanceOf(PasswordHash.Bcrypt.class);
  }

  @Test
  void invalidUtf8FileIsRefused() throws IOException {
    Path file = directory.resolve("htpasswd");
    Files.write(file, new byte[] {'a', (byte) 0xC3, ':', 'x'});

    assertThatThrownBy(() -> HtpasswdFile.read(file)).hasMessage("file is not valid UTF-8");
  }
}
