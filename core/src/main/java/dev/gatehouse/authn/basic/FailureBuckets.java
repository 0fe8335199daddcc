package dev.gatehouse.authn.basic;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.config.BasicConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The failure budget of {@code authentication.basic.failure-budget}: token buckets of failed attempts, one per peer
 * address and one per user name at a peer address, asked before any password is hashed.
 *
 * <p>Design: an attempt first {@linkplain #acquire takes} a token from both buckets (from neither if either is empty,
 * which is the 429), then hashes; a success {@linkplain #refund gives both back}, a failure keeps them spent. Taking
 * before hashing, rather than charging after, means a burst of concurrent wrong passwords cannot all slip past a
 * nearly empty bucket. The per-user bucket is keyed by user <em>and</em> peer on purpose: an attacker failing {@code
 * alice} from many addresses empties only its own buckets, never alice's at her own address. IPv6 peers are keyed by
 * their /64, the smallest block a host is commonly given, so one host cannot mint a fresh budget per address.
 *
 * <p>Each bucket is a few fields behind its own lock; the maps are Caffeine caches bounded in size, and a bucket idle
 * long enough to have refilled is dropped (a full bucket and no bucket are the same). Thread-safe.
 */
final class FailureBuckets {

  /** Peers and user-at-peer pairs remembered; past this the least recently used are forgotten (and so forgiven). */
  static final long MAXIMUM_TRACKED = 100_000;

  /** User names longer than this are keyed by a prefix and a hash, so hostile names cannot fill memory. */
  private static final int MAX_KEYED_USER_LENGTH = 128;

  private final BasicConfig.FailureBudget budget;
  private final Ticker ticker;
  private final @Nullable Cache<String, Bucket> peers;
  private final @Nullable Cache<String, Bucket> users;

  FailureBuckets(BasicConfig.FailureBudget budget, Ticker ticker) {
    this.budget = budget;
    this.ticker = ticker;
    this.peers = budget.peerBurst() == 0 ? null : cache(budget.peerBurst(), budget.peerRefill(), ticker);
    this.users = budget.userBurst() == 0 ? null : cache(budget.userBurst(), budget.userRefill(), ticker);
  }

  private static Cache<String, Bucket> cache(int burst, Duration refill, Ticker ticker) {
    return Caffeine.newBuilder().maximumSize(MAXIMUM_TRACKED).expireAfterAccess(refill.multipliedBy(burst)).ticker(ticker).build();
  }

  /** Two buckets taken from together; either may be absent when its budget is off. */
  record Reservation(@Nullable Bucket peer, @Nullable Bucket user) {}

  /**
   * Takes one attempt from the peer's bucket and from the user-at-peer's.
   *
   * @return the reservation, or how long until the emptier bucket has a token again when either is empty
   */
  Attempt acquire(String remoteAddress, String user) {
    long now = ticker.read();
    String peerKey = peerKey(remoteAddress);
    @Nullable Bucket peer = peers == null ? null : peers.get(peerKey, key -> new Bucket(budget.peerBurst(), budget.peerRefill(), now));
    @Nullable Bucket userBucket = users == null ? null : users.get(userKey(user, peerKey), key -> new Bucket(budget.userBurst(), budget.userRefill(), now));
    long peerWait = peer == null ? 0 : peer.take(now);
    if (peerWait > 0) {
      return new Attempt(null, Optional.of(Duration.ofNanos(peerWait)), "peer");
    }
    long userWait = userBucket == null ? 0 : userBucket.take(now);
    if (userWait > 0) {
      if (peer != null) {
        peer.giveBack();
      }
      return new Attempt(null, Optional.of(Duration.ofNanos(userWait)), "user");
    }
    return new Attempt(new Reservation(peer, userBucket), Optional.empty(), "");
  }

  /**
   * The outcome of {@link #acquire}.
   *
   * @param reservation the tokens taken; {@code null} when refused
   * @param retryAfter present when refused
   * @param spent which budget was spent: {@code peer} or {@code user}
   */
  record Attempt(@Nullable Reservation reservation, Optional<Duration> retryAfter, String spent) {}

  /** A success: the attempt was no failure, so its tokens go back. */
  void refund(Reservation reservation) {
    if (reservation.peer() != null) {
      reservation.peer().giveBack();
    }
    if (reservation.user() != null) {
      reservation.user().giveBack();
    }
  }

  private static String userKey(String user, String peerKey) {
    if (user.length() <= MAX_KEYED_USER_LENGTH) {
      return peerKey + '\n' + user;
    }
    return peerKey + '\n' + user.substring(0, MAX_KEYED_USER_LENGTH) + '#' + user.length() + '#' + user.hashCode();
  }

  /** The address as given, or for an IPv6 literal its /64. */
  static String peerKey(String remoteAddress) {
    String address = remoteAddress.startsWith("[") && remoteAddress.endsWith("]") ? remoteAddress.substring(1, remoteAddress.length() - 1) : remoteAddress;
    if (address.indexOf(':') < 0 || !address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
      return remoteAddress;
    }
    try {
      // A literal of hex digits, colons and dots only: parsed without any name lookup.
      byte[] bytes = InetAddress.getByName(address).getAddress();
      if (bytes.length != 16) {
        return InetAddress.getByAddress(bytes).getHostAddress();
      }
      StringBuilder key = new StringBuilder(20);
      for (int i = 0; i < 8; i += 2) {
        key.append(Integer.toHexString((bytes[i] & 0xff) << 8 | (bytes[i + 1] & 0xff))).append(':');
      }
      return key.append(":/64").toString();
    } catch (UnknownHostException e) {
      return remoteAddress;
    }
  }

  /**
   * One token bucket: up to {@code burst} tokens, one more every {@code refill}. Kept as nanoseconds of credit (one
   * token is {@code refill} of it), so that refilling is exact integer arithmetic.
   */
  static final class Bucket {
    private final long refillNanos;
    private final long capacityNanos;
    private long credit;
    private long updated;

    Bucket(int burst, Duration refill, long now) {
      this.refillNanos = refill.toNanos();
      this.capacityNanos = refillNanos > Long.MAX_VALUE / burst ? Long.MAX_VALUE : burst * refillNanos;
      this.credit = capacityNanos;
      this.updated = now;
    }

    /** Takes a token; returns 0, or the nanoseconds until one is there. */
    synchronized long take(long now) {
      if (now > updated) {
        long elapsed = now - updated;
        credit = elapsed >= capacityNanos - credit ? capacityNanos : credit + elapsed;
        updated = now;
      }
      if (credit >= refillNanos) {
        credit -= refillNanos;
        return 0;
      }
      return refillNanos - credit;
    }

    synchronized void giveBack() {
      credit = credit >= capacityNanos - refillNanos ? capacityNanos : credit + refillNanos;
    }
  }
}
