package dev.gatehouse;

/**
 * Where the engine's audit lines go: one JSON object per refusal (and, with {@code authorization.audit: all}, per
 * decision), as {@link AuditLog} formats it.
 *
 * <p>The default, {@link #logger()}, writes each line to the SLF4J logger {@value AuditLog#LOGGER} at INFO, which suits
 * an embedding application's logging setup. A process whose whole job is forwarding (the sidecar) can take the lines
 * itself and write them in batches, which saves a logging event and a thread hand-off per refused request.
 *
 * <p>Implementations are called on request threads: they must be thread-safe, quick, and must not throw.
 */
@FunctionalInterface
public interface AuditSink {

  /**
   * Takes one audit line.
   *
   * @param line one JSON object, without a line break; every value in it is escaped, so it cannot split or forge lines
   */
  void write(String line);

  /**
   * Whether lines are wanted at all; when not, the engine does not format them.
   *
   * @return true by default
   */
  default boolean enabled() {
    return true;
  }

  /**
   * The SLF4J logger {@value AuditLog#LOGGER} at INFO: the default.
   *
   * @return the sink
   */
  static AuditSink logger() {
    return AuditLog.LOGGER_SINK;
  }
}
