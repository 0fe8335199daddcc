package dev.gatehouse.authn.basic;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * One password hash from an htpasswd file, in one of the formats Apache's {@code htpasswd} writes.
 *
 * <p>bcrypt is Bouncy Castle's; {@code $apr1$} and SHA-crypt are Apache Commons Codec's implementations of the
 * Apache and glibc algorithms. Every comparison is constant-time over the full digest. Plain text and DES
 * {@code crypt(3)} are refused at load time: the first stores the password itself, the second keeps 8 characters of it.
 */
abstract sealed class PasswordHash {

  /**
   * bcrypt only looks at the first 72 bytes, and Apache's implementation silently truncates; Gatehouse refuses longer
   * passwords at login instead ({@link BasicAuthenticator}), so two passwords never pass as one.
   */
  static final int BCRYPT_MAX_PASSWORD_BYTES = 72;

  /** What a file may ask a verification to cost; {@code authentication.basic.max-*}. */
  record Ceilings(int maxBcryptCost, int maxShaCryptRounds) {
    static final Ceilings DEFAULT =
        new Ceilings(dev.gatehouse.config.BasicConfig.DEFAULT_MAX_BCRYPT_COST, dev.gatehouse.config.BasicConfig.DEFAULT_MAX_SHA_CRYPT_ROUNDS);
  }

  /**
   * Sees every bcrypt computation a verification makes, with its cost; how tests measure what a request costs without
   * a wall clock. Implementations must be thread-safe.
   */
  @FunctionalInterface
  interface Work {
    /** No one is counting. */
    Work NONE = cost -> {};

    /** One bcrypt computation at this cost was made. */
    void bcrypt(int cost);
  }

  /** Parses with the default ceilings. */
  static PasswordHash parse(String field) {
    return parse(field, Ceilings.DEFAULT);
  }

  /**
   * Parses the hash field of an htpasswd line.
   *
   * @throws IllegalArgumentException naming the format problem, or the ceiling exceeded, never echoing the hash
   */
  static PasswordHash parse(String field, Ceilings ceilings) {
    if (field.startsWith("$2y$") || field.startsWith("$2a$") || field.startsWith("$2b$")) {
      Bcrypt bcrypt = new Bcrypt(field);
      if (bcrypt.cost > ceilings.maxBcryptCost()) {
        throw new IllegalArgumentException(
            "bcrypt cost " + bcrypt.cost + " is above the ceiling of " + ceilings.maxBcryptCost() + " (authentication.basic.max-bcrypt-cost)");
      }
      return bcrypt;
    }
    if (field.startsWith("$apr1$")) {
      return new Apr1(field);
    }
    if (field.startsWith("$5$") || field.startsWith("$6$")) {
      ShaCrypt shaCrypt = new ShaCrypt(field);
      if (shaCrypt.rounds > ceilings.maxShaCryptRounds()) {
        throw new IllegalArgumentException(
            "SHA-crypt rounds "
                + shaCrypt.rounds
                + " are above the ceiling of "
                + ceilings.maxShaCryptRounds()
                + " (authentication.basic.max-sha-crypt-rounds)");
      }
      return shaCrypt;
    }
    if (field.startsWith("{SHA}")) {
      return new Sha1(field);
    }
    if (field.startsWith("{SSHA}")) {
      return new SaltedSha1(field);
    }
    if (field.startsWith("$1$")) {
      throw new IllegalArgumentException("unsalted-prefix MD5 crypt ($1$) is not supported; use htpasswd -B");
    }
    throw new IllegalArgumentException(
        "unsupported password format (plain text or DES crypt?); create the entry with htpasswd -B");
  }

  /** Whether the password produces this hash. Constant-time in the password's content. */
  final boolean matches(byte[] password) {
    return matches(password, Work.NONE);
  }

  /** Whether the password produces this hash, telling {@code work} of every bcrypt computation made. */
  abstract boolean matches(byte[] password, Work work);

  /**
   * Whether this hash is the hash of the empty password, for formats where asking costs next to nothing; bcrypt is
   * not asked (a bcrypt run per entry would make loading slow), since an empty password is refused at login anyway.
   */
  boolean isOfEmptyPassword() {
    return matches(new byte[0]);
  }

  /**
   * Computes bcrypt once at this cost on a fixed input and throws the result away: the padding that makes a cheap
   * verification cost what a typical one does ({@link HtpasswdFile#verify}).
   */
  static void spendBcrypt(int cost, Work work) {
    work.bcrypt(cost);
    sink ^= OpenBSDBCrypt.generate(PADDING_PASSWORD, PADDING_SALT, cost).hashCode();
  }

  private static final byte[] PADDING_PASSWORD = "gatehouse padding".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PADDING_SALT = new byte[16];

  /** Written so that no compiler can prove the padding's result unused. */
  @SuppressWarnings("unused")
  private static volatile int sink;

  /** Rough relative cost of one verification, used to pick the decoy for unknown users. */
  abstract long workFactor();

  static final class Bcrypt extends PasswordHash {
    private final String hash;
    private final int cost;

    Bcrypt(String hash) {
      // $2y$NN$ + 22 salt characters + 31 hash characters
      if (hash.length() != 60 || hash.charAt(6) != '$') {
        throw new IllegalArgumentException("malformed bcrypt hash");
      }
      try {
        this.cost = Integer.parseInt(hash.substring(4, 6));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("malformed bcrypt cost");
      }
      if (cost < 4 || cost > 31) {
        throw new IllegalArgumentException("bcrypt cost must be between 4 and 31");
      }
      this.hash = hash;
    }

    int cost() {
      return cost;
    }

    @Override
    boolean matches(byte[] password, Work work) {
      if (password.length == 0 || password.length > BCRYPT_MAX_PASSWORD_BYTES) {
        // Refused at login before any hash is asked; never truncate, never hash the empty password.
        return false;
      }
      work.bcrypt(cost);
      try {
        return OpenBSDBCrypt.checkPassword(hash, password);
      } catch (IllegalArgumentException e) {
        // Bouncy Castle's answer to a password it cannot hash: no match.
        return false;
      }
    }

    @Override
    boolean isOfEmptyPassword() {
      return false;
    }

    @Override
    long workFactor() {
      return 1L << Math.min(cost + 10, 62);
    }
  }

  static final class Apr1 extends PasswordHash {
    private final String hash;

    Apr1(String hash) {
      if (!hash.matches("\\$apr1\\$[./0-9A-Za-z]{1,8}\\$[./0-9A-Za-z]{22}")) {
        throw new IllegalArgumentException("malformed $apr1$ hash");
      }
      this.hash = hash;
    }

    @Override
    boolean matches(byte[] password, Work work) {
      String computed = Md5Crypt.apr1Crypt(password, hash);
      return constantTimeEquals(computed, hash);
    }

    @Override
    long workFactor() {
      return 1000;
    }
  }

  static final class ShaCrypt extends PasswordHash {
    private final String hash;
    private final boolean sha512;
    final long rounds;

    ShaCrypt(String hash) {
      if (!hash.matches("\\$[56]\\$(rounds=[0-9]{1,9}\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{43,86}")) {
        throw new IllegalArgumentException("malformed SHA-crypt hash");
      }
      this.hash = hash;
      this.sha512 = hash.charAt(1) == '6';
      int roundsAt = hash.indexOf("rounds=");
      this.rounds = roundsAt < 0 ? 5000 : Long.parseLong(hash.substring(roundsAt + 7, hash.indexOf('$', roundsAt)));
    }

    @Override
    boolean matches(byte[] password, Work work) {
      String computed = sha512 ? Sha2Crypt.sha512Crypt(password, hash) : Sha2Crypt.sha256Crypt(password, hash);
      return constantTimeEquals(computed, hash);
    }

    @Override
    long workFactor() {
      return rounds;
    }
  }

  static final class Sha1 extends PasswordHash {
    private final byte[] digest;

    Sha1(String field) {
      this.digest = decode(field.substring("{SHA}".length()), "{SHA}");
      if (digest.length != 20) {
        throw new IllegalArgumentException("malformed {SHA} hash");
      }
    }

    @Override
    boolean matches(byte[] password, Work work) {
      return MessageDigest.isEqual(sha1(password, new byte[0]), digest);
    }

    @Override
    long workFactor() {
      return 1;
    }
  }

  static final class SaltedSha1 extends PasswordHash {
    private final byte[] digest;
    private final byte[] salt;

    SaltedSha1(String field) {
      byte[] decoded = decode(field.substring("{SSHA}".length()), "{SSHA}");
      if (decoded.length <= 20) {
        throw new IllegalArgumentException("malformed {SSHA} hash");
      }
      this.digest = Arrays.copyOf(decoded, 20);
      this.salt = Arrays.copyOfRange(decoded, 20, decoded.length);
    }

    @Override
    boolean matches(byte[] password, Work work) {
      return MessageDigest.isEqual(sha1(password, salt), digest);
    }

    @Override
    long workFactor() {
      return 1;
    }
  }

  private static byte[] decode(String base64, String format) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed " + format + " hash: bad base64");
    }
  }

  private static byte[] sha1(byte[] password, byte[] salt) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(password);
      sha1.update(salt);
      return sha1.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }
}
