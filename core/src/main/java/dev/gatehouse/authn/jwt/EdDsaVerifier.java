package dev.gatehouse.authn.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.impl.BaseJWSProvider;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;

/**
 * Ed25519 signature checks with the JDK's own EdDSA (Java 15+).
 *
 * <p>Nimbus verifies Ed25519 only through Google Tink, and its key selector cannot turn an OKP key into a Java key, so
 * its processor cannot check EdDSA tokens at all. The JDK implements RFC 8032 verification (including the checks on
 * {@code S} and on the encoding of {@code R}), so this class adds only the key conversion and the JWS plumbing. Like
 * every Nimbus verifier it refuses a token with a {@code crit} header it does not understand: it understands none.
 */
final class EdDsaVerifier extends BaseJWSProvider implements JWSVerifier {

  /** DER of SubjectPublicKeyInfo for Ed25519 (RFC 8410) up to the 32 key bytes. */
  private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  private final PublicKey key;

  EdDsaVerifier(PublicKey key) {
    super(Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519));
    this.key = key;
  }

  /** The public half of an Ed25519 JWK as a JDK key; the private part, if a careless JWKS carries one, is ignored. */
  static PublicKey publicKey(OctetKeyPair jwk) throws GeneralSecurityException {
    if (!Curve.Ed25519.equals(jwk.getCurve())) {
      throw new GeneralSecurityException("not an Ed25519 key: " + jwk.getCurve());
    }
    byte[] x = jwk.getDecodedX();
    if (x.length != 32) {
      throw new GeneralSecurityException("Ed25519 public key must be 32 bytes");
    }
    byte[] encoded = new byte[ED25519_SPKI_PREFIX.length + 32];
    System.arraycopy(ED25519_SPKI_PREFIX, 0, encoded, 0, ED25519_SPKI_PREFIX.length);
    System.arraycopy(x, 0, encoded, ED25519_SPKI_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
  }

  static boolean isEdDsaKey(java.security.Key key) {
    return key instanceof EdECPublicKey;
  }

  @Override
  public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      return false;
    }
    if (!supportedJWSAlgorithms().contains(header.getAlgorithm())) {
      return false;
    }
    byte[] signatureBytes = signature.decode();
    if (signatureBytes.length != 64) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(signingInput);
      return verifier.verify(signatureBytes);
    } catch (SignatureException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new JOSEException("Ed25519 verification failed: " + e.getMessage(), e);
    }
  }
}
