package dev.gatehouse.metrics;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How one thing the engine reads in the background is doing: a file it reloads (the htpasswd file, the configuration
 * file's rules) or an issuer's key set it fetches.
 *
 * <p>A snapshot: immutable, and out of date as soon as the next reload or fetch happens. Nothing in it is secret: the
 * error is the reason the engine logged (a file name, a parser's line number, a host that did not answer), never a
 * file's content or a key.
 *
 * @param kind what it is: {@link #HTPASSWD}, {@link #RULES} or {@link #JWKS} (the {@value GatehouseMeters#SOURCE_TAG}
 *     tag)
 * @param name which one: the file's path, or the issuer
 * @param successes changed files put in force, or key set fetches that succeeded (the load at start not counted)
 * @param failures changed files refused, or key set fetches that failed
 * @param lastSuccess when the last success happened; empty when there was none since start
 * @param lastError why the last attempt failed; empty when it succeeded or there was none
 * @param healthy {@code false} when the engine decides on something it could not renew: a file refused after a change
 *     (the previous version is still served past its replacement), or an issuer whose keys could not be fetched for
 *     longer than they may be cached
 */
public record SourceStatus(
    String kind, String name, long successes, long failures, Optional<Instant> lastSuccess, Optional<String> lastError, boolean healthy) {

  /** {@link #kind()} of the htpasswd file. */
  public static final String HTPASSWD = "htpasswd";

  /** {@link #kind()} of the configuration file's authorization rules. */
  public static final String RULES = "rules";

  /** {@link #kind()} of a JWT issuer's key set. */
  public static final String JWKS = "jwks";

  /** Checks the values. */
  public SourceStatus {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(lastSuccess, "lastSuccess");
    Objects.requireNonNull(lastError, "lastError");
  }
}
