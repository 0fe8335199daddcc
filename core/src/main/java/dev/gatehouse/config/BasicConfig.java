package dev.gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code authentication.basic}: HTTP Basic against an htpasswd file.
 *
 * @param realm the realm named in the challenge; printable ASCII without quotes or backslashes
 * @param htpasswd the htpasswd file, as written by Apache's {@code htpasswd}
 * @param maxBcryptCost the highest bcrypt cost an entry of the file may have; a file with a costlier one is refused
 * @param maxShaCryptRounds the most rounds a SHA-256/512-crypt entry may ask for; a file with more is refused
 * @param failureBudget how many failed attempts a peer, and a user from one peer, may make before being answered 429
 */
public record BasicConfig(String realm, Path htpasswd, int maxBcryptCost, int maxShaCryptRounds, FailureBudget failureBudget) {

  /** The realm used when none is configured, as in nginx examples. */
  public static final String DEFAULT_REALM = "Restricted";

  /** bcrypt cost 14 takes about a second on one core; htpasswd's default is 5 and common advice 10 to 12. */
  public static final int DEFAULT_MAX_BCRYPT_COST = 14;

  /** About the time of bcrypt at cost 13 to 14; glibc's default is 5000 rounds and its maximum 999,999,999. */
  public static final int DEFAULT_MAX_SHA_CRYPT_ROUNDS = 1_000_000;

  /**
   * Validates the realm and the ceilings.
   *
   * @throws IllegalArgumentException if the realm is empty, too long, or has characters that would break the
   *     challenge header, or a ceiling is out of range
   */
  public BasicConfig {
    Objects.requireNonNull(realm, "realm");
    Objects.requireNonNull(htpasswd, "htpasswd");
    Objects.requireNonNull(failureBudget, "failureBudget");
    if (realm.isEmpty() || realm.length() > 128) {
      throw new IllegalArgumentException("must be 1 to 128 characters");
    }
    for (int i = 0; i < realm.length(); i++) {
      char c = realm.charAt(i);
      // The realm goes inside a quoted-string in WWW-Authenticate: no quote, backslash or control character.
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        throw new IllegalArgumentException("must be printable ASCII without quotes or backslashes");
      }
    }
    if (maxBcryptCost < 4 || maxBcryptCost > 31) {
      throw new CeilingException("max-bcrypt-cost", "must be a bcrypt cost from 4 to 31, found " + maxBcryptCost);
    }
    if (maxShaCryptRounds < 1000) {
      throw new CeilingException("max-sha-crypt-rounds", "must be at least 1000 (SHA-crypt's minimum), found " + maxShaCryptRounds);
    }
  }

  /**
   * A Basic configuration with the default ceilings and failure budget.
   *
   * @param realm see {@link #realm()}
   * @param htpasswd see {@link #htpasswd()}
   */
  public BasicConfig(String realm, Path htpasswd) {
    this(realm, htpasswd, DEFAULT_MAX_BCRYPT_COST, DEFAULT_MAX_SHA_CRYPT_ROUNDS, FailureBudget.DEFAULT);
  }

  /**
   * {@code authentication.basic.failure-budget}: two token buckets checked before any password is hashed. One per peer
   * address (a peer's failures, whatever user names it tries), one per user name <em>and</em> peer address (so that
   * failures for {@code alice} from other addresses never stop alice from her own). A failed attempt takes a token from
   * both; a success gives its token back; a bucket gains one token per refill interval up to its burst. With a bucket
   * empty the answer is 429 with {@code Retry-After}, and no hash is computed.
   *
   * @param peerBurst failures one peer address may make in a row; 0 turns the per-peer budget off
   * @param peerRefill how often a peer gains back one failure
   * @param userBurst failures for one user name from one peer address in a row; 0 turns the per-user budget off
   * @param userRefill how often a user name at one peer gains back one failure
   */
  public record FailureBudget(int peerBurst, Duration peerRefill, int userBurst, Duration userRefill) {

    /** 20 at once then one a second per peer; 5 at once then one every 10 s per user and peer. */
    public static final FailureBudget DEFAULT = new FailureBudget(20, Duration.ofSeconds(1), 5, Duration.ofSeconds(10));

    /** No budget at all: every attempt is checked. */
    public static final FailureBudget NONE = new FailureBudget(0, Duration.ofSeconds(1), 0, Duration.ofSeconds(1));

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if a burst is negative or a refill interval is not positive
     */
    public FailureBudget {
      Objects.requireNonNull(peerRefill, "peerRefill");
      Objects.requireNonNull(userRefill, "userRefill");
      if (peerBurst < 0) {
        throw new CeilingException("failure-budget.peer-burst", "must be 0 (off) or more, found " + peerBurst);
      }
      if (userBurst < 0) {
        throw new CeilingException("failure-budget.user-burst", "must be 0 (off) or more, found " + userBurst);
      }
      if (peerRefill.isNegative() || peerRefill.isZero()) {
        throw new CeilingException("failure-budget.peer-refill", "must be positive, found " + peerRefill);
      }
      if (userRefill.isNegative() || userRefill.isZero()) {
        throw new CeilingException("failure-budget.user-refill", "must be positive, found " + userRefill);
      }
    }
  }

  /** A bad value of one of the numeric settings, naming its key below {@code authentication.basic}. */
  static final class CeilingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    final String key;

    CeilingException(String key, String message) {
      super(message);
      this.key = key;
    }
  }
}
