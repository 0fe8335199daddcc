package dev.gatehouse.authn.assertion;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code jti} of every assertion accepted, each kept until its assertion could no longer pass the time checks
 * ({@code exp} plus the clock skew), so that an assertion is accepted once.
 *
 * <p>Design: a Caffeine cache bounded in size, with a per-entry expiry. Bounded means it may have to forget an id
 * before that assertion expires, and a forgotten id could be replayed. So the cache fails closed: it remembers the
 * latest expiry among the ids it had to forget ({@link #forgottenUntil}), and refuses every assertion it has not seen
 * that expires no later than that, since it can no longer tell whether it saw it. Only the sidecar can make
 * assertions, so filling the cache takes more requests through the sidecar than the bound within one lifetime; the
 * cost then is refusals, never a replay. Maintenance (expiry and eviction) runs on the calling thread, so the
 * eviction listener has run before the insertion that caused it returns.
 *
 * <p>Thread-safe.
 */
final class ReplayCache {

  /** About 30 MB at most; at a 10 s lifetime and 5 s skew, room for over 13,000 requests a second. */
  static final long DEFAULT_MAXIMUM_SIZE = 200_000;

  private final Cache<String, Long> seen;
  private final AtomicLong forgottenUntil = new AtomicLong(Long.MIN_VALUE);

  ReplayCache(long maximumSize, Duration skew, Clock clock, Ticker ticker) {
    long skewMillis = skew.toMillis();
    this.seen =
        Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .ticker(ticker)
            .executor(Runnable::run)
            .expireAfter(
                new Expiry<String, Long>() {
                  @Override
                  public long expireAfterCreate(String id, Long expiresAtMillis, long currentTime) {
                    return Duration.ofMillis(Math.max(0, expiresAtMillis + skewMillis - clock.millis())).toNanos();
                  }

                  @Override
                  public long expireAfterUpdate(String id, Long expiresAtMillis, long currentTime, long currentDuration) {
                    return currentDuration;
                  }

                  @Override
                  public long expireAfterRead(String id, Long expiresAtMillis, long currentTime, long currentDuration) {
                    return currentDuration;
                  }
                })
            .evictionListener(
                (String id, Long expiresAtMillis, RemovalCause cause) -> {
                  if (cause == RemovalCause.SIZE && expiresAtMillis != null) {
                    forgottenUntil.accumulateAndGet(expiresAtMillis, Math::max);
                  }
                })
            .build();
  }

  /**
   * Records an assertion's id.
   *
   * @param id the {@code jti}
   * @param expiresAtMillis its {@code exp}, in milliseconds since the epoch
   * @return {@code true} the first time, {@code false} for an id seen before or one the cache can no longer vouch for
   */
  boolean firstUse(String id, long expiresAtMillis) {
    if (expiresAtMillis <= forgottenUntil.get()) {
      return false;
    }
    if (seen.asMap().putIfAbsent(id, expiresAtMillis) != null) {
      return false;
    }
    // Checked again: an id evicted while this one went in may have raised the mark.
    return expiresAtMillis > forgottenUntil.get();
  }

  /** For tests: the ids held now, after pending maintenance. */
  long size() {
    seen.cleanUp();
    return seen.estimatedSize();
  }
}
