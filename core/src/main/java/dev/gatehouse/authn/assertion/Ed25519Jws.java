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
import java.util.Arrays;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * EdDSA over Ed25519 (RFC 8032, RFC 8037) for both ends, with Bouncy Castle's RFC 8032 implementation: Nimbus signs
 * and verifies Ed25519 only through Google Tink, which Gatehouse does not ship.
 *
 * <p>Why not the JDK's own EdDSA: measured on JDK 17 (benchmarks/results/assertion-2026-12-01.txt) it costs about
 * 680 µs a signature and as much a verification, on every request; Bouncy Castle's costs about 36 µs and 95 µs. Both
 * are deterministic RFC 8032 (the same key and message give the same signature), and verification refuses a
 * non-canonical {@code S} or point encoding. Keys are read by the JDK and handed over as their 32 raw bytes.
 *
 * <p>Thread-safe: the key parameters are immutable, and each call works on its own buffers.
 */
final class Ed25519Jws {

  private Ed25519Jws() {}

  static final class Signer extends BaseJWSProvider implements JWSSigner {
    private final Ed25519PrivateKeyParameters key;

    Signer(PrivateKey key) throws GeneralSecurityException {
      super(Set.of(JWSAlgorithm.EdDSA));
      byte[] seed;
      try {
        // PKCS#8 of Ed25519 (RFC 8410): the private key is an OCTET STRING holding the 32-byte seed.
        seed = ASN1OctetString.getInstance(PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey()).getOctets();
      } catch (java.io.IOException | RuntimeException e) {
        throw new GeneralSecurityException("not an Ed25519 private key", e);
      }
      if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
        throw new GeneralSecurityException("not an Ed25519 private key");
      }
      this.key = new Ed25519PrivateKeyParameters(seed);
      Arrays.fill(seed, (byte) 0);
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
      byte[] signature = new byte[Ed25519PrivateKeyParameters.SIGNATURE_SIZE];
      key.sign(org.bouncycastle.math.ec.rfc8032.Ed25519.Algorithm.Ed25519, null, signingInput, 0, signingInput.length, signature, 0);
      return Base64URL.encode(signature);
    }
  }

  static final class Verifier extends BaseJWSProvider implements JWSVerifier {
    private final Ed25519PublicKeyParameters key;

    Verifier(PublicKey key) throws GeneralSecurityException {
      super(Set.of(JWSAlgorithm.EdDSA));
      byte[] encoded = key.getEncoded();
      // SubjectPublicKeyInfo of Ed25519 (RFC 8410) is 44 bytes, the last 32 the key itself.
      if (encoded == null || encoded.length != 44) {
        throw new GeneralSecurityException("not an Ed25519 public key");
      }
      this.key = new Ed25519PublicKeyParameters(encoded, 12);
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
      byte[] bytes = signature.decode();
      if (bytes.length != Ed25519PrivateKeyParameters.SIGNATURE_SIZE || !JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
        return false;
      }
      return key.verify(org.bouncycastle.math.ec.rfc8032.Ed25519.Algorithm.Ed25519, null, signingInput, 0, signingInput.length, bytes, 0);
    }
  }
}
