package dev.gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code assertion} (sidecar only): every request the sidecar forwards carries {@code X-Gatehouse-Assertion}, a compact
 * JWS stating who the sidecar authenticated and which request it let through, so that an application verifying it
 * ({@link SidecarAssertionConfig}) refuses whatever reached it by another way. See {@code docs/zero-trust.md}.
 *
 * @param signingKey the PEM private key, Ed25519 (EdDSA) or EC P-256 (ES256); empty when signing with a shared secret
 * @param hmacSecretFile the file holding a shared HS256 secret; empty when signing with a key
 * @param keyId the {@code kid} header written into every assertion; empty for none
 * @param issuer the {@code iss} claim
 * @param audience the {@code aud} claim: the application the assertions are for
 * @param lifetime {@code exp - iat}
 */
public record AssertionConfig(
    Optional<Path> signingKey, Optional<Path> hmacSecretFile, Optional<String> keyId, String issuer, String audience, Duration lifetime) {

  /** The lifetime when none is configured: long enough for a loopback hop, short enough to be useless to a thief. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(10);

  /** The longest lifetime accepted; an assertion is for one hop of one request, never a session. */
  public static final Duration MAX_LIFETIME = Duration.ofMinutes(5);

  /**
   * Validates the section.
   *
   * @throws ConfigException naming the key relative to the section: neither or both of {@code signing-key} and {@code
   *     hmac-secret-file}, a {@code key-id}, {@code issuer} or {@code audience} that is not printable ASCII, or a
   *     lifetime that is not positive or is over {@link #MAX_LIFETIME}
   */
  public AssertionConfig {
    Objects.requireNonNull(signingKey, "signingKey");
    Objects.requireNonNull(hmacSecretFile, "hmacSecretFile");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(lifetime, "lifetime");
    if (signingKey.isPresent() == hmacSecretFile.isPresent()) {
      throw new ConfigException("signing-key", signingKey.isPresent() ? "set signing-key or hmac-secret-file, not both" : "missing; set signing-key (a PEM Ed25519 or P-256 key) or hmac-secret-file");
    }
    keyId.ifPresent(id -> requirePrintable("key-id", id));
    requirePrintable("issuer", issuer);
    requirePrintable("audience", audience);
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new ConfigException("lifetime", "must be more than 0 and at most " + MAX_LIFETIME.toMinutes() + "m");
    }
  }

  /**
   * Refuses what would need escaping in a JWS header or be read differently by the application's check: the values
   * are compared exactly on the other side, so they are kept to printable ASCII.
   */
  static void requirePrintable(String key, String value) {
    if (value.isEmpty() || value.length() > 256) {
      throw new ConfigException(key, "must be 1 to 256 characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= 0x20 || c > 0x7e || c == '"' || c == '\\') {
        throw new ConfigException(key, "must be printable ASCII without spaces, quotes or backslashes");
      }
    }
  }
}
