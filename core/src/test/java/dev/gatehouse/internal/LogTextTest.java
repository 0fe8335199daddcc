package dev.gatehouse.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

  @Test
  void aHostileValueCannotStartAnotherLogLine() {
    assertThat(LogText.quote("alice\r\n2026-12-01 INFO admin logged in")).isEqualTo("'alice??2026-12-01 INFO admin logged in'");
    assertThat(LogText.quote("a\u0085b\u2028c\u001bd\u007f")).isEqualTo("'a?b?c?d?'");
  }

  @Test
  void longValuesAreCutAndMarked() {
    assertThat(LogText.quote("x".repeat(65))).isEqualTo("'" + "x".repeat(64) + "...'");
    assertThat(LogText.printable("y".repeat(64))).isEqualTo("y".repeat(64));
    assertThat(LogText.printable("y".repeat(100))).isEqualTo("y".repeat(64) + "...");
  }

  @Test
  void messagesAreFoldedOntoOneLine() {
    assertThat(LogText.oneLine("while scanning\n  a mapping\r\n\tat line 3 ")).isEqualTo("while scanning a mapping at line 3");
    assertThat(LogText.oneLine(null)).isEmpty();
  }
}
