package dev.gatehouse.authn.assertion;

import com.github.benmanes.caffeine.cache.Ticker;
import com.nimbusds.jose.JWSSigner;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.AssertionConfig;
import dev.gatehouse.config.SidecarAssertionConfig;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * This package's one public door: the signer the sidecar's {@code assertion} section describes, and the authenticator
 * {@link Authenticator#sidecarAssertion} returns. The implementations behind it stay package-private.
 */
public final class SidecarAssertion {

  private SidecarAssertion() {}

  /**
   * The signer of the {@code assertion} section: its key is read now.
   *
   * @param config the {@code assertion} section
   * @return a thread-safe signer
   * @throws dev.gatehouse.config.ConfigException naming {@code assertion.signing-key} or {@code
   *     assertion.hmac-secret-file} if the file is not an unencrypted Ed25519 or P-256 PEM key, or a secret of at least
   *     32 bytes
   */
  public static AssertionSigner signer(AssertionConfig config) {
    return signer(config, Clock.systemUTC());
  }

  static AssertionSigner signer(AssertionConfig config, Clock clock) {
    Objects.requireNonNull(config, "config");
    JWSSigner signer =
        config.signingKey().isPresent()
            ? AssertionKeys.signer(config.signingKey().get(), "assertion.signing-key")
            : AssertionKeys.hmacSigner(config.hmacSecretFile().orElseThrow(), "assertion.hmac-secret-file");
    return new JwsAssertionSigner(signer, AssertionKeys.algorithm(signer), config.keyId(), config.issuer(), config.audience(), config.lifetime(), clock);
  }

  /**
   * The application's verifier of the sidecar's assertions; prefer {@link Authenticator#sidecarAssertion}.
   *
   * @param config the {@code authentication.sidecar-assertion} section
   * @return the authenticator
   * @throws dev.gatehouse.config.ConfigException naming the key of a file that holds no usable key
   */
  public static Authenticator authenticator(SidecarAssertionConfig config) {
    return authenticator(config, Clock.systemUTC(), Ticker.systemTicker(), ReplayCache.DEFAULT_MAXIMUM_SIZE);
  }

  static Authenticator authenticator(SidecarAssertionConfig config, Clock clock, Ticker ticker, long replayCacheSize) {
    Objects.requireNonNull(config, "config");
    String prefix = "authentication.sidecar-assertion.";
    List<AssertionKeys.VerificationKey> keys =
        config.verificationKey().isPresent()
            ? AssertionKeys.verificationKeys(config.verificationKey().get(), prefix + "verification-key")
            : AssertionKeys.hmacVerificationKeys(config.hmacSecretFile().orElseThrow(), prefix + "hmac-secret-file");
    return new SidecarAssertionAuthenticator(config, keys, clock, ticker, replayCacheSize);
  }
}
