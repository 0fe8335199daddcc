package dev.gatehouse.tls;

import dev.gatehouse.internal.LogText;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads certificates, private keys and CRLs from PEM files, and key entries from PKCS#12 keystores. Bouncy Castle
 * parses; every failure becomes an {@link IllegalArgumentException} whose message names the file and what is wrong
 * with it, and never contains a password or key material.
 *
 * <p>Keys come out as JDK keys (the JDK's own key factories), so the JDK's TLS stack signs with them as with any other
 * key; Bouncy Castle's provider is used only to decrypt, and is never registered globally.
 */
final class PemFiles {

  /** Far beyond any real PEM bundle; bounds what a wrong path (a log file, a disk image) can make us read. */
  static final long MAX_FILE_BYTES = 4L << 20;

  private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();

  private PemFiles() {}

  /** Every certificate in a PEM file, in file order. */
  static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    for (Object object : objects(file)) {
      if (object instanceof X509CertificateHolder holder) {
        try {
          certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
        } catch (GeneralSecurityException e) {
          throw new IllegalArgumentException(file + ": unreadable certificate: " + e.getMessage(), e);
        }
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(file + ": no certificate in file (expected -----BEGIN CERTIFICATE-----)");
    }
    return List.copyOf(certificates);
  }

  /** Every CRL in a PEM file. */
  static List<X509CRL> crls(Path file) {
    List<X509CRL> crls = new ArrayList<>();
    for (Object object : objects(file)) {
      if (object instanceof X509CRLHolder holder) {
        try {
          crls.add(new JcaX509CRLConverter().getCRL(holder));
        } catch (GeneralSecurityException e) {
          throw new IllegalArgumentException(file + ": unreadable CRL: " + e.getMessage(), e);
        }
      }
    }
    if (crls.isEmpty()) {
      throw new IllegalArgumentException(file + ": no CRL in file (expected -----BEGIN X509 CRL-----)");
    }
    return List.copyOf(crls);
  }

  /**
   * The one private key in a PEM file: PKCS#1 ({@code RSA PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}), PKCS#8
   * ({@code PRIVATE KEY}), encrypted PKCS#8 ({@code ENCRYPTED PRIVATE KEY}) or legacy OpenSSL-encrypted PKCS#1/SEC1.
   */
  static PrivateKey privateKey(Path file, Optional<char[]> password) {
    List<PrivateKey> keys = new ArrayList<>();
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (Object object : objects(file)) {
      try {
        if (object instanceof PrivateKeyInfo info) {
          keys.add(converter.getPrivateKey(info));
        } else if (object instanceof PEMKeyPair pair) {
          keys.add(converter.getKeyPair(pair).getPrivate());
        } else if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
          char[] secret = password.orElseThrow(() -> new IllegalArgumentException(file + ": the private key is encrypted; give private-key-password"));
          InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BOUNCY_CASTLE).build(secret);
          keys.add(converter.getPrivateKey(decrypt(file, encrypted, decryptor)));
        } else if (object instanceof PEMEncryptedKeyPair encrypted) {
          char[] secret = password.orElseThrow(() -> new IllegalArgumentException(file + ": the private key is encrypted; give private-key-password"));
          try {
            keys.add(converter.getKeyPair(encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BOUNCY_CASTLE).build(secret))).getPrivate());
          } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot decrypt the private key: wrong password?", e);
          }
        }
      } catch (org.bouncycastle.operator.OperatorCreationException | IOException e) {
        throw new IllegalArgumentException(file + ": unusable private key: " + e.getMessage(), e);
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(file + ": no private key in file (expected -----BEGIN PRIVATE KEY----- or similar)");
    }
    if (keys.size() > 1) {
      throw new IllegalArgumentException(file + ": more than one private key in file");
    }
    if (password.isPresent() && !wasEncrypted(file)) {
      // A password for a plain key is harmless, but usually means the wrong file was given.
      throw new IllegalArgumentException(file + ": a password was given but the private key is not encrypted");
    }
    return keys.get(0);
  }

  private static boolean wasEncrypted(Path file) {
    for (Object object : objects(file)) {
      if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
        return true;
      }
    }
    return false;
  }

  private static PrivateKeyInfo decrypt(Path file, PKCS8EncryptedPrivateKeyInfo encrypted, InputDecryptorProvider decryptor) {
    try {
      return encrypted.decryptPrivateKeyInfo(decryptor);
    } catch (PKCSException e) {
      throw new IllegalArgumentException(file + ": cannot decrypt the private key: wrong password", e);
    }
  }

  /** A key entry of a PKCS#12 keystore: the only one, or an error if there are several. */
  static ServerCredentials keystore(Path file, char[] password) {
    checkSize(file);
    KeyStore keyStore;
    try (InputStream in = Files.newInputStream(file)) {
      keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(in, password);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
        throw new IllegalArgumentException(file + ": cannot open the keystore: wrong keystore-password", e);
      }
      throw new IllegalArgumentException(file + ": not a readable PKCS#12 keystore: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + ": not a readable PKCS#12 keystore: " + e.getMessage(), e);
    }
    try {
      List<String> keyAliases = new ArrayList<>();
      for (String alias : Collections.list(keyStore.aliases())) {
        if (keyStore.isKeyEntry(alias)) {
          keyAliases.add(alias);
        }
      }
      if (keyAliases.isEmpty()) {
        throw new IllegalArgumentException(file + ": no private key entry in keystore");
      }
      if (keyAliases.size() > 1) {
        throw new IllegalArgumentException(file + ": more than one private key entry in keystore " + keyAliases);
      }
      String alias = keyAliases.get(0);
      Key key = keyStore.getKey(alias, password);
      if (!(key instanceof PrivateKey privateKey)) {
        throw new IllegalArgumentException(file + ": entry " + alias + " holds no private key");
      }
      Certificate[] chain = keyStore.getCertificateChain(alias);
      if (chain == null || chain.length == 0) {
        throw new IllegalArgumentException(file + ": entry " + alias + " has no certificate");
      }
      List<X509Certificate> certificates = new ArrayList<>();
      for (Certificate certificate : chain) {
        certificates.add((X509Certificate) certificate);
      }
      return new ServerCredentials(privateKey, certificates);
    } catch (UnrecoverableKeyException e) {
      throw new IllegalArgumentException(file + ": cannot read the key entry: wrong keystore-password", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + ": unusable keystore: " + e.getMessage(), e);
    }
  }

  private static List<Object> objects(Path file) {
    checkSize(file);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ": not a PEM file (not ASCII text)", e);
    }
    List<Object> objects = new ArrayList<>();
    try (Reader reader = new StringReader(text);
        PEMParser parser = new PEMParser(reader)) {
      for (Object object; (object = parser.readObject()) != null; ) {
        objects.add(object);
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": malformed PEM: " + LogText.oneLine(e.getMessage()), e);
    }
    return objects;
  }

  private static void checkSize(Path file) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new IllegalArgumentException(file + ": larger than " + MAX_FILE_BYTES + " bytes; not a certificate or key file");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
  }
}
