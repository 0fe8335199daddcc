package dev.gatehouse.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the sidecar is operated rather than what it decides: its admin listener, how it drains on {@code SIGTERM}, its
 * access log and the format of its own log lines ({@code docs/operations.md}). Sidecar only.
 *
 * @param admin where the plain-HTTP admin listener ({@code /livez}, {@code /readyz}, {@code /metrics}) listens; empty
 *     when it is off
 * @param drainDelay after {@code SIGTERM}, how long {@code /readyz} answers 503 while requests are still served, so
 *     that load balancers stop routing here before the listener closes
 * @param accessLog {@value #ACCESS_LOG_NONE}, {@code stdout}, {@code stderr} or a file path
 * @param logFormat the format of the sidecar's own log lines
 */
public record OperationsConfig(Optional<InetSocketAddress> admin, Duration drainDelay, String accessLog, LogFormat logFormat) {

  /** {@link #accessLog()} when there is none. */
  public static final String ACCESS_LOG_NONE = "none";

  /** Kubernetes' endpoints take a few seconds to drop a terminating pod; 5 s is what most proxies wait. */
  public static final Duration DEFAULT_DRAIN_DELAY = Duration.ofSeconds(5);

  /** No admin listener, the default drain delay, no access log, text logs. */
  public static final OperationsConfig DEFAULT = new OperationsConfig(Optional.empty(), DEFAULT_DRAIN_DELAY, ACCESS_LOG_NONE, LogFormat.TEXT);

  /** The format of log lines. */
  public enum LogFormat {
    /** Logback's pattern lines, for people. */
    TEXT,
    /** One JSON object a line, for log shippers. */
    JSON
  }

  /**
   * Checks the values.
   *
   * @throws ConfigException if the drain delay is negative or the access log target is blank
   */
  public OperationsConfig {
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(drainDelay, "drainDelay");
    Objects.requireNonNull(accessLog, "accessLog");
    Objects.requireNonNull(logFormat, "logFormat");
    if (drainDelay.isNegative()) {
      throw new ConfigException("shutdown.drain-delay", "must not be negative");
    }
    if (accessLog.isBlank()) {
      throw new ConfigException("access-log", "expected none, stdout, stderr or a file path");
    }
  }
}
