package dev.gatehouse.authn.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import java.security.Key;

/** Nimbus's verifiers for RSA, EC and HMAC, plus {@link EdDsaVerifier} for Ed25519. */
final class VerifierFactory extends DefaultJWSVerifierFactory {

  @Override
  public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
    JWSAlgorithm algorithm = header.getAlgorithm();
    if (JWSAlgorithm.Family.ED.contains(algorithm)) {
      if (!EdDsaVerifier.isEdDsaKey(key)) {
        throw new JOSEException("EdDSA needs an Ed25519 public key");
      }
      return new EdDsaVerifier((java.security.PublicKey) key);
    }
    return super.createJWSVerifier(header, key);
  }
}
