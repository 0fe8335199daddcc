package dev.gatehouse.sidecar;

import dev.gatehouse.AuditSink;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar's audit lines: one JSON object a line on standard output, written in batches.
 *
 * <p>Design: a refused request is the cheapest thing the sidecar answers, so what its audit line costs is most of the
 * refusal. Through the logging system that was a logging event, a hand-off to the async appender's thread (a wake-up
 * and a context switch on a one-core pod) and a write per line. Here a line is appended to a buffer under an
 * uncontended lock on the event loop; the buffer goes out in one write when it holds {@value #BATCH_BYTES} bytes, and
 * at the latest {@link #MAX_DELAY} after its first line, from a small timer thread; and on close (SIGTERM drains first).
 * Lines are plain JSON, without the log prefix, so a log shipper can parse them as they are. Nothing is dropped: a full
 * buffer is written at once by whoever filled it.
 */
final class AuditLines implements AuditSink, AutoCloseable {

  static final int BATCH_BYTES = 32 * 1024;
  static final Duration MAX_DELAY = Duration.ofMillis(200);

  private final PrintStream out;
  private final StringBuilder buffer = new StringBuilder(BATCH_BYTES + 1024);
  private final ScheduledExecutorService timer;
  private boolean flushScheduled;

  AuditLines(PrintStream out) {
    this.out = out;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "gatehouse-audit");
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public void write(String line) {
    synchronized (buffer) {
      buffer.append(line).append('\n');
      if (buffer.length() >= BATCH_BYTES) {
        flushLocked();
      } else if (!flushScheduled) {
        flushScheduled = true;
        timer.schedule(this::flush, MAX_DELAY.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  void flush() {
    synchronized (buffer) {
      flushLocked();
    }
  }

  private void flushLocked() {
    flushScheduled = false;
    if (buffer.length() == 0) {
      return;
    }
    // Audit lines are escaped to ASCII (AuditLog), so one byte a character.
    byte[] bytes = buffer.toString().getBytes(StandardCharsets.US_ASCII);
    buffer.setLength(0);
    out.write(bytes, 0, bytes.length);
    out.flush();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    flush();
  }
}
