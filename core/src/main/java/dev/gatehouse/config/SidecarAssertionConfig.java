package dev.gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code authentication.sidecar-assertion}: the application accepts only requests carrying a valid {@code
 * X-Gatehouse-Assertion} signed by its sidecar ({@link AssertionConfig}), and takes the identities the sidecar
 * established from it. Any other request, a direct call to {@code 127.0.0.1:8080} whatever headers it forges included,
 * is a 401. It replaces every other authentication method, which are the sidecar's. See {@code docs/zero-trust.md}.
 *
 * @param verificationKey a PEM public key (Ed25519 or EC P-256) or a JWKS file of such keys; empty with a shared secret
 * @param hmacSecretFile the file holding the shared HS256 secret; empty with a verification key
 * @param issuer the exact {@code iss} expected
 * @param audience the exact {@code aud} expected
 * @param clockSkew how far {@code iat} may lie in the future and {@code exp} in the past
 * @param maxLifetime the longest {@code exp - iat} accepted
 */
public record SidecarAssertionConfig(
    Optional<Path> verificationKey, Optional<Path> hmacSecretFile, String issuer, String audience, Duration clockSkew, Duration maxLifetime) {

  /** The clock skew when none is configured: the sidecar and the application share the pod's node and its clock. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(5);

  /** The longest lifetime accepted when none is configured. */
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofSeconds(60);

  /**
   * Validates the section.
   *
   * @throws ConfigException naming the key relative to the section: neither or both of {@code verification-key} and
   *     {@code hmac-secret-file}, an {@code issuer} or {@code audience} that is not printable ASCII, a negative or over
   *     1m clock skew, or a maximum lifetime that is not positive or is over 10m
   */
  public SidecarAssertionConfig {
    Objects.requireNonNull(verificationKey, "verificationKey");
    Objects.requireNonNull(hmacSecretFile, "hmacSecretFile");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(clockSkew, "clockSkew");
    Objects.requireNonNull(maxLifetime, "maxLifetime");
    if (verificationKey.isPresent() == hmacSecretFile.isPresent()) {
      throw new ConfigException(
          "verification-key",
          verificationKey.isPresent() ? "set verification-key or hmac-secret-file, not both" : "missing; set verification-key (the sidecar's public key or a JWKS) or hmac-secret-file");
    }
    AssertionConfig.requirePrintable("issuer", issuer);
    AssertionConfig.requirePrintable("audience", audience);
    if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new ConfigException("clock-skew", "must be between 0 and 1m");
    }
    if (maxLifetime.isNegative() || maxLifetime.isZero() || maxLifetime.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new ConfigException("max-lifetime", "must be more than 0 and at most 10m");
    }
  }
}
