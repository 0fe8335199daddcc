package dev.gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Binds the two ends of the sidecar's assertion: {@code assertion} (it signs) and {@code authentication.sidecar-assertion} (the app verifies). */
final class AssertionBinder {

  private AssertionBinder() {}

  static AssertionConfig signer(ConfigNode node) {
    Optional<Path> signingKey = node.get(ConfigSchema.ASSERTION_SIGNING_KEY);
    Optional<Path> hmacSecretFile = node.get(ConfigSchema.ASSERTION_HMAC_SECRET_FILE);
    Optional<String> keyId = node.get(ConfigSchema.ASSERTION_KEY_ID);
    String issuer = node.require(ConfigSchema.ASSERTION_ISSUER, "the iss the application expects");
    String audience = node.require(ConfigSchema.ASSERTION_AUDIENCE, "the aud naming the application");
    Duration lifetime = node.get(ConfigSchema.ASSERTION_LIFETIME, AssertionConfig.DEFAULT_LIFETIME);
    node.rejectUnknownKeys();
    try {
      return new AssertionConfig(signingKey, hmacSecretFile, keyId, issuer, audience, lifetime);
    } catch (ConfigException e) {
      throw e.within(node.path());
    }
  }

  static SidecarAssertionConfig verifier(ConfigNode node) {
    Optional<Path> verificationKey = node.get(ConfigSchema.SIDECAR_ASSERTION_VERIFICATION_KEY);
    Optional<Path> hmacSecretFile = node.get(ConfigSchema.SIDECAR_ASSERTION_HMAC_SECRET_FILE);
    String issuer = node.require(ConfigSchema.SIDECAR_ASSERTION_ISSUER, "the sidecar's assertion.issuer");
    String audience = node.require(ConfigSchema.SIDECAR_ASSERTION_AUDIENCE, "the aud naming this application");
    Duration clockSkew = node.get(ConfigSchema.SIDECAR_ASSERTION_CLOCK_SKEW, SidecarAssertionConfig.DEFAULT_CLOCK_SKEW);
    Duration maxLifetime = node.get(ConfigSchema.SIDECAR_ASSERTION_MAX_LIFETIME, SidecarAssertionConfig.DEFAULT_MAX_LIFETIME);
    node.rejectUnknownKeys();
    try {
      return new SidecarAssertionConfig(verificationKey, hmacSecretFile, issuer, audience, clockSkew, maxLifetime);
    } catch (ConfigException e) {
      throw e.within(node.path());
    }
  }
}
