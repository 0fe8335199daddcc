package dev.gatehouse.testing;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** Key pairs generated at test time and written as the files Gatehouse reads: PEM pairs and JWKS. */
public final class TestKeys {

  private TestKeys() {}

  public static KeyPair ed25519() {
    return generate("Ed25519", null);
  }

  public static KeyPair p256() {
    return generate("EC", new ECGenParameterSpec("secp256r1"));
  }

  private static KeyPair generate(String algorithm, java.security.spec.AlgorithmParameterSpec spec) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (spec != null) {
        generator.initialize(spec);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code name.key} (private, PKCS#8) and {@code name.pub} (SubjectPublicKeyInfo); returns the private key's path. */
  public static Path writePem(KeyPair pair, Path directory, String name) {
    write(directory.resolve(name + ".pub"), pem(pair.getPublic()));
    return write(directory.resolve(name + ".key"), pem(pair.getPrivate()));
  }

  public static String pem(Object key) {
    if (key instanceof java.security.PrivateKey privateKey) {
      // PKCS#8, as keygen and openssl genpkey write it; Bouncy Castle's writer would drop an EC key's curve from SEC1.
      return "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(privateKey.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The public half as a JWK with a kid. */
  public static JWK publicJwk(KeyPair pair, String kid) {
    if (pair.getPublic() instanceof ECPublicKey ec) {
      return new ECKey.Builder(Curve.P_256, ec).keyID(kid).build();
    }
    byte[] encoded = pair.getPublic().getEncoded();
    byte[] x = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(kid).build();
  }

  public static Path writeJwks(Path file, List<JWK> keys) {
    return write(file, new JWKSet(keys).toString(/* publicKeysOnly= */ false));
  }

  public static Path write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
