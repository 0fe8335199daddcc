package dev.gatehouse.tls;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the TLS listener is serving right now and how its reloading went, for health and metrics endpoints.
 *
 * <p>An immutable snapshot; ask {@link ServerTls#status()} again for a newer one.
 *
 * @param certificateSubject the served leaf certificate's subject, RFC 2253
 * @param certificateNotAfter when the served leaf certificate expires; alert well before this
 * @param reloadCount how many times new files were loaded successfully after the first load
 * @param lastLoaded when the material now served was loaded
 * @param lastReloadError why the most recent reload attempt failed, when it failed; empty once a later one succeeds
 * @param lastReloadErrorTime when that failure happened
 * @param reloadFailures how many times changed files were refused (the previous material kept)
 */
public record TlsStatus(
    String certificateSubject,
    Instant certificateNotAfter,
    long reloadCount,
    Instant lastLoaded,
    Optional<String> lastReloadError,
    Optional<Instant> lastReloadErrorTime,
    long reloadFailures) {

  /** Checks the arguments. */
  public TlsStatus {
    Objects.requireNonNull(certificateSubject, "certificateSubject");
    Objects.requireNonNull(certificateNotAfter, "certificateNotAfter");
    Objects.requireNonNull(lastLoaded, "lastLoaded");
    Objects.requireNonNull(lastReloadError, "lastReloadError");
    Objects.requireNonNull(lastReloadErrorTime, "lastReloadErrorTime");
  }
}
