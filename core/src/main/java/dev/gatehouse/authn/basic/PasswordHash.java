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

  /** bcrypt only looks at the first 72 bytes; Apache's implementation silently truncates, and so do we. */
  private static final int BCRYPT_MAX_PASSWORD_BYTES = 72;

  /**
   * Parses the hash field of an htpasswd line.
   *
   * @throws IllegalArgumentException naming the format problem, never echoing the hash
   */
  static PasswordHash parse(String field) {
    if (field.startsWith("$2y$") || field.startsWith("$2a$") || field.startsWith("$2b$")) {
      return new Bcrypt(field);
    }
    if (field.startsWith("$apr1$")) {
      return new Apr1(field);
    }
    if (field.startsWith("$5$") || field.startsWith("$6$")) {
      return new ShaCrypt(field);
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
  abstract boolean matches(byte[] password);

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

    @Override
    boolean matches(byte[] password) {
      byte[] input = password.length > BCRYPT_MAX_PASSWORD_BYTES ? Arrays.copyOf(password, BCRYPT_MAX_PASSWORD_BYTES) : password;
      try {
        return OpenBSDBCrypt.checkPassword(hash, input);
      } catch (IllegalArgumentException e) {
        // Bouncy Castle's answer to a password it cannot hash (for instance an empty one): no match.
        return false;
      }
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
    boolean matches(byte[] password) {
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
    private final long rounds;

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
    boolean matches(byte[] password) {
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
    boolean matches(byte[] password) {
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
    boolean matches(byte[] password) {
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
