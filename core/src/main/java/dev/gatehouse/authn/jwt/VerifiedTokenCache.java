package dev.gatehouse.authn.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Tokens that verified recently, so a token seen before costs a hash and a lookup instead of a signature check.
 *
 * <p>Design: the key is the SHA-256 digest of the token, so the cache holds no bearer token that could be replayed from
 * a heap dump. Only successes are cached. An entry lives until the token expires (plus the issuer's clock skew) or for
 * {@link #DEFAULT_MAXIMUM_AGE}, whichever is sooner, so a rotated-away key or a changed configuration stops mattering
 * within minutes; and every hit checks {@code exp} against the clock again, so an entry that outlives its token (the
 * cache's clock and the wall clock can disagree) is never a success. Bounded by Caffeine; thread-safe.
 */
final class VerifiedTokenCache {

  static final Duration DEFAULT_MAXIMUM_AGE = Duration.ofMinutes(5);
  static final long DEFAULT_MAXIMUM_SIZE = 10_000;

  /** A verified token: whose it is, and until when (epoch seconds, skew included) it may be used. */
  record Entry(Verified verified, long usableUntilEpochSecond) {}

  private record Key(byte[] digest) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && Arrays.equals(digest, key.digest);
    }

    @Override
    public int hashCode() {
      // SHA-256 output is uniformly distributed; its first bytes are as good a hash as any.
      return (digest[0] & 0xff) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8 | (digest[3] & 0xff);
    }
  }

  private final MessageDigest prototype;
  private final Cache<Key, Entry> cache;
  private final Clock clock;
  /** A maximum size of 0 turns caching off (benchmarks of the first-seen path). */
  private final boolean enabled;

  VerifiedTokenCache(Duration maximumAge, long maximumSize, Clock clock, Ticker ticker) {
    this.clock = clock;
    this.enabled = maximumSize > 0;
    try {
      this.prototype = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
    long maximumAgeNanos = maximumAge.toNanos();
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .ticker(ticker)
            .expireAfter(
                new Expiry<Key, Entry>() {
                  @Override
                  public long expireAfterCreate(Key key, Entry entry, long currentTime) {
                    long secondsLeft = entry.usableUntilEpochSecond() - clock.instant().getEpochSecond();
                    long nanosLeft = secondsLeft <= 0 ? 0 : Math.min(secondsLeft, maximumAgeNanos / 1_000_000_000L) * 1_000_000_000L;
                    return Math.min(nanosLeft, maximumAgeNanos);
                  }

                  @Override
                  public long expireAfterUpdate(Key key, Entry entry, long currentTime, long currentDuration) {
                    return expireAfterCreate(key, entry, currentTime);
                  }

                  @Override
                  public long expireAfterRead(Key key, Entry entry, long currentTime, long currentDuration) {
                    return currentDuration;
                  }
                })
            .build();
  }

  /** The digest to look up and store under; computed once per request. */
  Object keyOf(String token) {
    MessageDigest digest;
    try {
      digest = (MessageDigest) prototype.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
    }
    return new Key(digest.digest(token.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The entry for a token, only while its token is still within {@code exp} plus skew by the clock. */
  @Nullable Entry get(Object key) {
    if (!enabled) {
      return null;
    }
    Entry entry = cache.getIfPresent((Key) key);
    if (entry == null) {
      return null;
    }
    if (clock.instant().getEpochSecond() >= entry.usableUntilEpochSecond()) {
      cache.invalidate((Key) key);
      return null;
    }
    return entry;
  }

  void put(Object key, Entry entry) {
    if (!enabled) {
      return;
    }
    cache.put((Key) key, entry);
  }

  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }
}
