package dev.gatehouse.authn.assertion;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.impl.BaseJWSProvider;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Set;

/**
 * EdDSA over Ed25519 (RFC 8037) with the JDK's own implementation, for both ends: Nimbus signs and verifies Ed25519
 * only through Google Tink, which Gatehouse does not ship.
 *
 * <p>A {@link Signature} is not thread-safe and {@code getInstance} looks the provider up each time, so each thread
 * keeps one, initialised once: after {@code sign()} or {@code verify()} it is ready for the next message with the same
 * key (the JCA contract), which keeps a per-request signature at the cost of the arithmetic alone.
 */
final class Ed25519Jws {

  private Ed25519Jws() {}

  static final class Signer extends BaseJWSProvider implements JWSSigner {
    private final ThreadLocal<Signature> signatures;

    Signer(PrivateKey key) throws GeneralSecurityException {
      super(Set.of(JWSAlgorithm.EdDSA));
      // Fail at start-up, not on the first request, if the key is not an Ed25519 key the JDK can use.
      Signature probe = Signature.getInstance("Ed25519");
      probe.initSign(key);
      this.signatures = ThreadLocal.withInitial(() -> initialised(key));
    }

    private static Signature initialised(PrivateKey key) {
      try {
        Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(key);
        return signature;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("Ed25519 signing is unavailable", e);
      }
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
      Signature signature = signatures.get();
      try {
        signature.update(signingInput);
        return Base64URL.encode(signature.sign());
      } catch (SignatureException e) {
        // The object is in an unknown state now; the next use on this thread gets a fresh one.
        signatures.remove();
        throw new JOSEException("Ed25519 signing failed", e);
      }
    }
  }

  static final class Verifier extends BaseJWSProvider implements JWSVerifier {
    private final PublicKey key;

    Verifier(PublicKey key) throws GeneralSecurityException {
      super(Set.of(JWSAlgorithm.EdDSA));
      Signature probe = Signature.getInstance("Ed25519");
      probe.initVerify(key);
      this.key = key;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
      byte[] bytes = signature.decode();
      if (bytes.length != 64 || !JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
        return false;
      }
      try {
        // Verification happens once per assertion (each is single-use), so a fresh object costs little beside the check.
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key);
        verifier.update(signingInput);
        return verifier.verify(bytes);
      } catch (SignatureException e) {
        return false;
      } catch (GeneralSecurityException e) {
        throw new JOSEException("Ed25519 verification failed", e);
      }
    }
  }
}
