package dev.gatehouse.authn.basic;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers credentials that verified recently, so a client that sends the same {@code Authorization} header again
 * does not pay bcrypt again.
 *
 * <p>Design: the key is an HMAC-SHA256 of the decoded credentials under a random key made at start-up and never
 * stored, so neither the password nor an offline-attackable unsalted hash of it sits in memory. Only successes are
 * cached; a wrong password always pays the full hash cost. Entries carry the generation of the htpasswd file they were
 * checked against: after a reload an older entry is a miss, even one written by a verification that raced the reload,
 * so a changed or removed password stops working at once. Bounded in size and time by Caffeine; thread-safe.
 */
final class VerifiedCredentialsCache {

  static final Duration DEFAULT_TTL = Duration.ofMinutes(2);
  static final long DEFAULT_MAXIMUM_SIZE = 10_000;

  private record Key(byte[] mac) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && Arrays.equals(mac, key.mac);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(mac);
    }
  }

  private record Entry(String user, long generation) {}

  private final Mac prototype;
  private final Cache<Key, Entry> cache;

  VerifiedCredentialsCache(Duration ttl, long maximumSize, Ticker ticker) {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    try {
      this.prototype = Mac.getInstance("HmacSHA256");
      prototype.init(new SecretKeySpec(secret, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is a required JDK algorithm", e);
    }
    Arrays.fill(secret, (byte) 0);
    this.cache = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maximumSize).ticker(ticker).build();
  }

  /** Whether these exact credentials verified for {@code user} against file generation {@code generation}. */
  boolean contains(byte[] credentials, String user, long generation) {
    Entry entry = cache.getIfPresent(key(credentials));
    return entry != null && entry.generation() == generation && entry.user().equals(user);
  }

  void put(byte[] credentials, String user, long generation) {
    cache.put(key(credentials), new Entry(user, generation));
  }

  void clear() {
    cache.invalidateAll();
  }

  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  private Key key(byte[] credentials) {
    Mac mac;
    try {
      mac = (Mac) prototype.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's HmacSHA256 is cloneable", e);
    }
    return new Key(mac.doFinal(credentials));
  }
}
