package dev.gatehouse.authn.assertion;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.gatehouse.config.ConfigException;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;

/**
 * Reads the key files of both ends: the sidecar's PEM private key or shared secret, the application's PEM public key,
 * JWKS or shared secret. Each key fixes its one algorithm (Ed25519: {@code EdDSA}, P-256: {@code ES256}, a secret:
 * {@code HS256}), so an assertion's {@code alg} header can only ever agree with the key, never choose it.
 *
 * <p>Every problem is a {@link ConfigException} naming the key given; no message quotes a secret or a key.
 */
final class AssertionKeys {

  private static final java.security.Provider BOUNCY_CASTLE = new org.bouncycastle.jce.provider.BouncyCastleProvider();

  /** Key files are small; anything larger is the wrong file. */
  private static final long MAX_FILE_BYTES = 1 << 20;

  /** RFC 7518 section 3.2: an HS256 key must be at least as long as the hash. */
  static final int MIN_SECRET_BYTES = 32;

  private AssertionKeys() {}

  /** A key the application may check an assertion with, and the one algorithm it checks. */
  record VerificationKey(Optional<String> keyId, JWSAlgorithm algorithm, JWSVerifier verifier) {}

  /** The sidecar's signer over an Ed25519 or P-256 PEM private key. */
  static JWSSigner signer(Path file, String key) {
    PrivateKey privateKey = privateKey(file, key);
    try {
      if (privateKey instanceof ECPrivateKey ec) {
        requireP256(ec, file, key);
        ECDSASigner signer = new ECDSASigner(ec);
        // Bouncy Castle's P-256 rather than the JDK's, which costs several times as much per signature on JDK 17.
        signer.getJCAContext().setProvider(BOUNCY_CASTLE);
        return signer;
      }
      return new Ed25519Jws.Signer(privateKey);
    } catch (JOSEException | GeneralSecurityException e) {
      throw new ConfigException(key, file + ": not an Ed25519 or EC P-256 private key");
    }
  }

  /** The sidecar's HS256 signer over a shared secret file. */
  static JWSSigner hmacSigner(Path file, String key) {
    try {
      return new MACSigner(secret(file, key));
    } catch (JOSEException e) {
      throw new ConfigException(key, file + ": unusable secret");
    }
  }

  static JWSAlgorithm algorithm(JWSSigner signer) {
    return signer.supportedJWSAlgorithms().contains(JWSAlgorithm.EdDSA)
        ? JWSAlgorithm.EdDSA
        : signer.supportedJWSAlgorithms().contains(JWSAlgorithm.ES256) ? JWSAlgorithm.ES256 : JWSAlgorithm.HS256;
  }

  /** The application's keys: one PEM public key, or every key of a JWKS file (several during a rotation). */
  static List<VerificationKey> verificationKeys(Path file, String key) {
    String text = read(file, key);
    if (text.stripLeading().startsWith("{")) {
      return jwks(text, file, key);
    }
    PublicKey publicKey = publicKey(text, file, key);
    return List.of(new VerificationKey(Optional.empty(), algorithmOf(publicKey), verifier(publicKey, file, key)));
  }

  /** The application's HS256 key. */
  static List<VerificationKey> hmacVerificationKeys(Path file, String key) {
    try {
      return List.of(new VerificationKey(Optional.empty(), JWSAlgorithm.HS256, new MACVerifier(secret(file, key))));
    } catch (JOSEException e) {
      throw new ConfigException(key, file + ": unusable secret");
    }
  }

  private static List<VerificationKey> jwks(String text, Path file, String key) {
    JWKSet set;
    try {
      set = JWKSet.parse(text);
    } catch (ParseException e) {
      throw new ConfigException(key, file + ": not a valid JWKS");
    }
    if (set.getKeys().isEmpty()) {
      throw new ConfigException(key, file + ": the JWKS holds no key");
    }
    List<VerificationKey> keys = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    for (JWK jwk : set.getKeys()) {
      String kid = jwk.getKeyID();
      if (set.getKeys().size() > 1 && (kid == null || kid.isEmpty())) {
        throw new ConfigException(key, file + ": with several keys every key needs a kid");
      }
      if (kid != null && !kids.add(kid)) {
        throw new ConfigException(key, file + ": two keys have kid " + kid);
      }
      if (jwk.isPrivate()) {
        // The application needs the public half only; a private key here is a private key copied where it must not be.
        throw new ConfigException(key, file + ": key " + kid + " holds a private key; give the application the public key only");
      }
      if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
        throw new ConfigException(key, file + ": key " + kid + " is not for signatures (use " + jwk.getKeyUse() + ")");
      }
      PublicKey publicKey;
      try {
        if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
          publicKey = ed25519PublicKey(okp.getDecodedX());
        } else if (jwk instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
          publicKey = ec.toECPublicKey();
        } else {
          throw new ConfigException(key, file + ": key " + kid + " is neither Ed25519 (OKP) nor P-256 (EC)");
        }
      } catch (JOSEException | GeneralSecurityException e) {
        throw new ConfigException(key, file + ": key " + kid + " is not a usable public key");
      }
      JWSAlgorithm algorithm = algorithmOf(publicKey);
      if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().getName().equals(algorithm.getName())) {
        throw new ConfigException(key, file + ": key " + kid + " names alg " + jwk.getAlgorithm() + ", but it is a " + algorithm + " key");
      }
      keys.add(new VerificationKey(Optional.ofNullable(kid), algorithm, verifier(publicKey, file, key)));
    }
    return List.copyOf(keys);
  }

  /** DER of SubjectPublicKeyInfo for Ed25519 (RFC 8410) up to the 32 key bytes. */
  private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  static PublicKey ed25519PublicKey(byte[] x) throws GeneralSecurityException {
    if (x.length != 32) {
      throw new GeneralSecurityException("Ed25519 public key must be 32 bytes");
    }
    byte[] encoded = new byte[ED25519_SPKI_PREFIX.length + 32];
    System.arraycopy(ED25519_SPKI_PREFIX, 0, encoded, 0, ED25519_SPKI_PREFIX.length);
    System.arraycopy(x, 0, encoded, ED25519_SPKI_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
  }

  private static JWSAlgorithm algorithmOf(PublicKey key) {
    return key instanceof ECPublicKey ? JWSAlgorithm.ES256 : JWSAlgorithm.EdDSA;
  }

  private static JWSVerifier verifier(PublicKey publicKey, Path file, String key) {
    try {
      if (publicKey instanceof ECPublicKey ec) {
        requireP256(ec, file, key);
        ECDSAVerifier verifier = new ECDSAVerifier(ec);
        verifier.getJCAContext().setProvider(BOUNCY_CASTLE);
        return verifier;
      }
      return new Ed25519Jws.Verifier(publicKey);
    } catch (JOSEException | GeneralSecurityException e) {
      throw new ConfigException(key, file + ": not an Ed25519 or EC P-256 public key");
    }
  }

  private static void requireP256(java.security.interfaces.ECKey ec, Path file, String key) {
    if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
      throw new ConfigException(key, file + ": an EC key must be on P-256 (ES256)");
    }
  }

  private static PrivateKey privateKey(Path file, String key) {
    List<Object> objects = pem(read(file, key), file, key);
    if (objects.size() != 1) {
      throw new ConfigException(key, file + ": expected exactly one PEM private key (-----BEGIN PRIVATE KEY----- or EC PRIVATE KEY), found " + objects.size() + " objects");
    }
    PrivateKeyInfo info =
        objects.get(0) instanceof PrivateKeyInfo pkcs8 ? pkcs8 : objects.get(0) instanceof PEMKeyPair sec1 ? sec1.getPrivateKeyInfo() : null;
    boolean p256 = true;
    if (info != null) {
      ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
      try {
        if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
          return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        }
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
          org.bouncycastle.asn1.sec.ECPrivateKey ec = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
          // The curve is named in PKCS#8's algorithm, or only inside the SEC1 structure (OpenSSL's "EC PRIVATE KEY").
          Object curve = info.getPrivateKeyAlgorithm().getParameters() != null ? info.getPrivateKeyAlgorithm().getParameters() : ec.getParametersObject();
          if (!X9ObjectIdentifiers.prime256v1.equals(curve)) {
            p256 = false;
          } else {
            // From the scalar: JDK 17's EC key factory refuses the SEC1 encoding with the public point OpenSSL writes.
            return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(ec.getKey(), Curve.P_256.toECParameterSpec()));
          }
        }
      } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
        throw new ConfigException(key, file + ": unusable private key", e);
      }
    }
    if (!p256) {
      throw new ConfigException(key, file + ": an EC key must be on P-256 (ES256)");
    }
    throw new ConfigException(key, file + ": not an unencrypted Ed25519 or EC P-256 private key (encrypted keys are not read: protect the file instead)");
  }

  private static PublicKey publicKey(String text, Path file, String key) {
    List<Object> objects = pem(text, file, key);
    if (objects.size() != 1 || !(objects.get(0) instanceof SubjectPublicKeyInfo info)) {
      throw new ConfigException(key, file + ": expected one PEM public key (-----BEGIN PUBLIC KEY-----) or a JWKS");
    }
    ASN1ObjectIdentifier oid = info.getAlgorithm().getAlgorithm();
    String algorithm = oid.equals(EdECObjectIdentifiers.id_Ed25519) ? "Ed25519" : oid.equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC" : null;
    if (algorithm == null) {
      throw new ConfigException(key, file + ": not an Ed25519 or EC P-256 public key");
    }
    try {
      return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(info.getEncoded()));
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(key, file + ": unusable public key");
    }
  }

  private static List<Object> pem(String text, Path file, String key) {
    List<Object> objects = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        objects.add(object);
      }
    } catch (IOException | RuntimeException e) {
      // Bouncy Castle's message may quote the file's content; the key's file is named instead.
      throw new ConfigException(key, file + ": not a valid PEM file");
    }
    return objects;
  }

  private static byte[] secret(Path file, String key) {
    // Secrets mounted from Kubernetes or written by echo often end in a newline that is not part of the secret.
    byte[] secret = read(file, key).strip().getBytes(StandardCharsets.UTF_8);
    if (secret.length < MIN_SECRET_BYTES) {
      throw new ConfigException(key, file + ": the secret must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    return secret;
  }

  private static String read(Path file, String key) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new ConfigException(key, file + ": larger than a key file can be");
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read " + file + ": " + e.getClass().getSimpleName());
    }
  }
}
