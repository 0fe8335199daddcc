package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuditLinesTest {

  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(written, false, StandardCharsets.US_ASCII);

  private String output() {
    synchronized (written) {
      return written.toString(StandardCharsets.US_ASCII);
    }
  }

  @Test
  void aLineReachesTheOutputWithinTheMaximumDelayEvenWhenTrafficStops() throws Exception {
    try (AuditLines lines = new AuditLines(out)) {
      lines.write("{\"decision\":\"deny\"}");
      assertThat(output()).isEmpty();
      Instant deadline = Instant.now().plus(AuditLines.MAX_DELAY.multipliedBy(10));
      while (output().isEmpty() && Instant.now().isBefore(deadline)) {
        Thread.sleep(10);
      }
      assertThat(output()).isEqualTo("{\"decision\":\"deny\"}\n");
    }
  }

  @Test
  void aFullBatchIsWrittenAtOnceByTheWriterThatFilledIt() {
    try (AuditLines lines = new AuditLines(out)) {
      String line = "{\"path\":\"" + "x".repeat(1000) + "\"}";
      int count = AuditLines.BATCH_BYTES / (line.length() + 1) + 1;
      for (int i = 0; i < count; i++) {
        lines.write(line);
      }
      assertThat(output().lines()).hasSize(count).allMatch(line::equals);
    }
  }

  @Test
  void closingWritesWhatIsLeft() {
    AuditLines lines = new AuditLines(out);
    lines.write("{\"n\":1}");
    lines.write("{\"n\":2}");
    lines.close();
    assertThat(output()).isEqualTo("{\"n\":1}\n{\"n\":2}\n");
  }

  @Test
  void linesKeepTheirOrder() {
    try (AuditLines lines = new AuditLines(out)) {
      for (int i = 0; i < 100; i++) {
        lines.write("{\"n\":" + i + "}");
      }
      lines.flush();
      assertThat(output().lines()).hasSize(100).first().isEqualTo("{\"n\":0}");
      assertThat(output().lines().skip(99)).containsExactly("{\"n\":99}");
    }
  }

}
