package dev.gatehouse;

import dev.gatehouse.http.RequestIds;
import dev.gatehouse.internal.LogText;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one JSON object per decision to the SLF4J logger {@value #LOGGER}: {@code time}, {@code decision}, {@code
 * status}, {@code method}, {@code path}, {@code principal}, {@code rule}, {@code reason}. No credential is ever part of
 * it. Every string comes from the client, so each is escaped for JSON, non-ASCII and line separators included, and cut
 * at {@value #MAX_FIELD} characters: an audit line cannot be forged or split by a hostile path or user name.
 */
final class AuditLog {

  /** The logger audit lines go to. */
  static final String LOGGER = "gatehouse.audit";

  private static final int MAX_FIELD = LogText.MAX_JSON_FIELD;
  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  private AuditLog() {}

  /** Lines to the SLF4J logger, formatted only when that logger is on. */
  static final AuditSink LOGGER_SINK =
      new AuditSink() {
        @Override
        public void write(String line) {
          log.info(line);
        }

        @Override
        public boolean enabled() {
          return log.isInfoEnabled();
        }
      };

  static void write(
      AuditSink sink, String decision, int status, RequestView request, String path, @Nullable Identity identity, Optional<String> rule, String reason) {
    if (sink.enabled()) {
      // Only an id that passes the same check as the sidecar's: an adapter that does not set one passes the client's on
      // unchecked, and a line must never carry what RequestIds would have replaced.
      Optional<String> requestId = request.header(RequestIds.HEADER).filter(RequestIds::isValid);
      sink.write(line(Instant.now(), requestId, decision, status, request.method(), path, identity, rule, reason));
    }
  }

  static String line(
      Instant time, String decision, int status, String method, String path, @Nullable Identity identity, Optional<String> rule, String reason) {
    return line(time, Optional.empty(), decision, status, method, path, identity, rule, reason);
  }

  static String line(
      Instant time,
      Optional<String> requestId,
      String decision,
      int status,
      String method,
      String path,
      @Nullable Identity identity,
      Optional<String> rule,
      String reason) {
    StringBuilder line = new StringBuilder(256).append('{');
    field(line, "time", time.toString()).append(',');
    if (requestId.isPresent()) {
      field(line, "request_id", requestId.get()).append(',');
    }
    field(line, "decision", decision).append(',');
    line.append("\"status\":").append(status).append(',');
    field(line, "method", method).append(',');
    field(line, "path", path).append(',');
    if (identity == null) {
      line.append("\"principal\":null,");
    } else {
      field(line, "principal", identity.name()).append(',');
    }
    if (rule.isPresent()) {
      field(line, "rule", rule.get()).append(',');
    } else {
      line.append("\"rule\":null,");
    }
    field(line, "reason", reason).append('}');
    return line.toString();
  }

  private static StringBuilder field(StringBuilder line, String name, String value) {
    return LogText.jsonField(line, name, value, MAX_FIELD);
  }
}
