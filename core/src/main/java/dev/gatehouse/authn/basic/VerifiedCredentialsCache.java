package dev.gatehouse.authn.basic;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;

/**
 * Remembers credentials that verified recently, so a client that sends the same {@code Authorization} header again
 * does not pay bcrypt again.
 *
 * <p>Design: the key is SHA-256 of a random 64-byte secret made at start-up followed by the decoded credentials, so
 * neither the password nor an offline-attackable unsalted hash of it sits in memory. The secret fills SHA-256's first
 * block, which is absorbed once; each lookup then costs one compression for credentials under 56 bytes (an HMAC would
 * cost four, which profiling showed as the top frame of a cached request). Length extension, the reason HMAC exists,
 * is no concern: the digests never leave this cache, and an attacker who could read them could read the secret too. Only successes are
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

  /** SHA-256 that has absorbed the secret block; cloned per lookup, never updated itself. */
  private final MessageDigest prototype;
  private final Cache<Key, Entry> cache;

  VerifiedCredentialsCache(Duration ttl, long maximumSize, Ticker ticker) {
    byte[] secret = new byte[64];
    new SecureRandom().nextBytes(secret);
    try {
      this.prototype = MessageDigest.getInstance("SHA-256");
      prototype.update(secret);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
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
    MessageDigest digest;
    try {
      digest = (MessageDigest) prototype.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
    }
    return new Key(digest.digest(credentials));
  }
}
