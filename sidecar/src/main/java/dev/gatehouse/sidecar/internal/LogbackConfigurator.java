package dev.gatehouse.sidecar.internal;

import dev.gatehouse.internal.LogText;
import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.time.Instant;

/**
 * The sidecar's logging: one line per event on standard output (standard error is kept for the one-line reason a bad
 * configuration exits with), Gatehouse's loggers at {@code GATEHOUSE_LOG_LEVEL} (default INFO), everything else at
 * WARN, which keeps Netty's DEBUG output off.
 *
 * <p>Lines go through an {@link AsyncAppender}: the event loop that decided a request only puts the event on a queue
 * (the audit line of every refusal included), and one background thread formats and writes it, without a flush per
 * line ({@code immediateFlush} off; the console stream flushes when its buffer fills and at exit). When the queue is
 * full the writer waits rather than dropping: an audit line is never lost, and a sidecar logging faster than its
 * terminal can take is the exception. The appender is stopped (and its queue written out) at JVM exit.
 *
 * <p>Set up in code rather than in {@code logback.xml}: parsing the XML took about a third of the one-second start-up
 * budget. {@code -Dlogback.configurationFile=...} still replaces all of this.
 */
public final class LogbackConfigurator extends ContextAwareBase implements Configurator {

  /** The environment variable that sets the level of the {@code dev.gatehouse} loggers. */
  public static final String LEVEL_ENV = "GATEHOUSE_LOG_LEVEL";

  private static final int ASYNC_QUEUE = 8192;

  /** Set once the configuration is read ({@code log-format}); lines before that are text. */
  private static volatile boolean json;

  /**
   * Switches the sidecar's own log lines to one JSON object a line ({@code log-format: json}), or back to text. The
   * audit and access lines are JSON either way, so with this on every line of standard output parses as JSON.
   *
   * @param on whether to write JSON
   */
  public static void json(boolean on) {
    json = on;
  }

  /** Creates the configurator; logback calls this through {@link java.util.ServiceLoader}. */
  public LogbackConfigurator() {}

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    OneLineLayout layout = new OneLineLayout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    AsyncAppender async = new AsyncAppender();
    BatchingStdoutAppender console = new BatchingStdoutAppender(async);
    console.setContext(context);
    console.setName("console");
    console.setEncoder(encoder);
    console.start();
    async.setContext(context);
    async.setName("async");
    async.setQueueSize(ASYNC_QUEUE);
    // Never drop: logback would otherwise discard INFO lines (the audit log) once the queue is 80 % full.
    async.setDiscardingThreshold(0);
    async.setNeverBlock(false);
    // The caller's data (file, line) would be computed on the event loop; the layout does not print it.
    async.setIncludeCallerData(false);
    async.addAppender(console);
    async.start();
    Runtime.getRuntime().addShutdownHook(new Thread(async::stop, "gatehouse-log-flush"));

    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(async);
    String level = System.getenv(LEVEL_ENV);
    context.getLogger("dev.gatehouse").setLevel(Level.toLevel(level, Level.INFO));
    // The authorization audit log (one JSON object per line after the usual prefix) is on whatever the level above.
    context.getLogger("gatehouse.audit").setLevel(Level.INFO);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** {@code 2026-01-31T12:00:00.123Z INFO  [thread] Logger - message | Cause: message at frame}, always one line. */
  /**
   * Standard output through a 64 KiB buffer, flushed whenever the async queue in front has been drained: a burst of
   * audit lines (one per refusal) becomes a few large writes instead of a system call per line, and a quiet moment
   * still sees every line on its way out at once. Runs on the async appender's worker thread only.
   */
  static final class BatchingStdoutAppender extends OutputStreamAppender<ILoggingEvent> {
    private final AsyncAppender queue;

    BatchingStdoutAppender(AsyncAppender queue) {
      this.queue = queue;
      setImmediateFlush(false);
    }

    @Override
    public void start() {
      // Set here, once encoder and context are in place, as ConsoleAppender does. Through System.out, not the raw file
      // descriptor: whoever replaced System.out (a test runner capturing output) must still see every line, and one
      // flushed 64 KiB write is still one write. Closing the appender must not close System.out.
      setOutputStream(
          new BufferedOutputStream(
              new FilterOutputStream(System.out) {
                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                  out.write(bytes, offset, length);
                }

                @Override
                public void close() throws IOException {
                  flush();
                }
              },
              64 * 1024));
      super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
      super.append(event);
      if (queue.getNumberOfElementsInQueue() == 0) {
        streamWriteLock.lock();
        try {
          getOutputStream().flush();
        } catch (IOException e) {
          addError("cannot flush standard output", e);
        } finally {
          streamWriteLock.unlock();
        }
      }
    }
  }

  static final class OneLineLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
      if (json) {
        return jsonLine(event);
      }
      StringBuilder line = new StringBuilder(128);
      line.append(Instant.ofEpochMilli(event.getTimeStamp())).append(' ');
      String level = event.getLevel().toString();
      line.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
      line.append('[').append(event.getThreadName()).append("] ");
      String logger = event.getLoggerName();
      line.append(logger, logger.lastIndexOf('.') + 1, logger.length()).append(" - ");
      appendFolded(line, event.getFormattedMessage());
      for (IThrowableProxy cause = event.getThrowableProxy(); cause != null; cause = cause.getCause()) {
        line.append(" | ").append(cause.getClassName()).append(": ");
        appendFolded(line, cause.getMessage());
        StackTraceElementProxy[] frames = cause.getStackTraceElementProxyArray();
        if (frames.length > 0) {
          line.append(" at ").append(frames[0].getStackTraceElement());
        }
      }
      return line.append(CoreConstants.LINE_SEPARATOR).toString();
    }

    /**
     * {@code {"time":...,"level":"INFO","thread":...,"logger":...,"message":...,"error":...}}: Logback's JsonEncoder
     * writes nested objects and nanoseconds that log shippers then have to map; these are the fields people query.
     */
    private static String jsonLine(ILoggingEvent event) {
      StringBuilder line = new StringBuilder(192).append('{');
      string(line, "time", Instant.ofEpochMilli(event.getTimeStamp()).toString()).append(',');
      string(line, "level", event.getLevel().toString()).append(',');
      string(line, "thread", event.getThreadName()).append(',');
      string(line, "logger", event.getLoggerName()).append(',');
      string(line, "message", event.getFormattedMessage());
      IThrowableProxy cause = event.getThrowableProxy();
      if (cause != null) {
        StringBuilder error = new StringBuilder();
        for (; cause != null; cause = cause.getCause()) {
          if (error.length() > 0) {
            error.append(" | ");
          }
          error.append(cause.getClassName()).append(": ").append(cause.getMessage());
          StackTraceElementProxy[] frames = cause.getStackTraceElementProxyArray();
          if (frames.length > 0) {
            error.append(" at ").append(frames[0].getStackTraceElement());
          }
        }
        line.append(',');
        string(line, "error", error.toString());
      }
      return line.append('}').append(CoreConstants.LINE_SEPARATOR).toString();
    }

    /** A JSON string field, escaped to ASCII: no value can end the line or the string; messages are not cut. */
    private static StringBuilder string(StringBuilder line, String name, String value) {
      return LogText.jsonField(line, name, value, Integer.MAX_VALUE);
    }

    /** Messages can carry client-supplied text; a line break in one must not forge a second log line. */
    private static void appendFolded(StringBuilder line, String text) {
      if (text == null) {
        return;
      }
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        line.append(c == '\n' || c == '\r' ? ' ' : c);
      }
    }
  }
}
