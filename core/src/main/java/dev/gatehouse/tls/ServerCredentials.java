package dev.gatehouse.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** A private key and its certificate chain, leaf first. */
record ServerCredentials(PrivateKey privateKey, List<X509Certificate> chain) {

  ServerCredentials {
    chain = List.copyOf(chain);
  }

  X509Certificate leaf() {
    return chain.get(0);
  }

  /**
   * Checks that the key belongs to the leaf certificate and that the leaf is valid now.
   *
   * @param what how to name the source in messages, such as {@code tls.crt and tls.key}
   * @param keyKey the configuration key of the private key ({@code tls.private-key}, or {@code tls.keystore})
   * @param certificateKey the configuration key of the certificate ({@code tls.certificate}, or {@code tls.keystore})
   * @throws dev.gatehouse.config.ConfigException naming the key and saying what is wrong
   */
  ServerCredentials check(String what, Instant now, String keyKey, String certificateKey) {
    X509Certificate leaf = leaf();
    if (!matches(privateKey, leaf.getPublicKey())) {
      throw new dev.gatehouse.config.ConfigException(
          keyKey,
          what + ": the private key does not match the certificate " + leaf.getSubjectX500Principal().getName()
              + " (the first certificate in the file must be the server's own)");
    }
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      throw new dev.gatehouse.config.ConfigException(
          certificateKey,
          what + ": the certificate " + leaf.getSubjectX500Principal().getName() + " expired on " + leaf.getNotAfter().toInstant());
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      throw new dev.gatehouse.config.ConfigException(
          certificateKey,
          what + ": the certificate " + leaf.getSubjectX500Principal().getName() + " is not valid before " + leaf.getNotBefore().toInstant());
    }
    return this;
  }

  /**
   * Whether a private key belongs to a public key: sign random bytes with one and verify with the other, which works
   * the same for RSA, EC and EdDSA without looking inside either key.
   */
  static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
    if (!privateKey.getAlgorithm().equals(publicKey.getAlgorithm())
        && !(isEdDsa(privateKey.getAlgorithm()) && isEdDsa(publicKey.getAlgorithm()))) {
      return false;
    }
    String algorithm =
        switch (privateKey.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "Ed448", "EdDSA" -> publicKey.getAlgorithm().equals("EdDSA") ? "EdDSA" : publicKey.getAlgorithm();
          default -> throw new IllegalArgumentException("unsupported private key type " + privateKey.getAlgorithm() + "; use RSA, EC or Ed25519");
        };
    try {
      byte[] data = new byte[32];
      new SecureRandom().nextBytes(data);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(data);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(data);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      // Keys of different curves or sizes fail here rather than verifying false.
      return false;
    }
  }

  private static boolean isEdDsa(String algorithm) {
    return algorithm.equals("EdDSA") || algorithm.equals("Ed25519") || algorithm.equals("Ed448");
  }
}
