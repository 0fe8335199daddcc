package dev.gatehouse.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A certificate and its key pair generated at test time with Bouncy Castle, in the manner of OkHttp's {@code
 * HeldCertificate}: CAs, intermediates, servers and clients with any SANs, EKU, validity and key type, written as PEM
 * in every format the loader reads.
 */
public final class TestCertificate {

  /** Key algorithms. */
  public enum KeyType {
    RSA,
    EC,
    ED25519
  }

  /** The extended key usage to put in a leaf. */
  public enum Usage {
    SERVER,
    CLIENT,
    SERVER_AND_CLIENT,
    NONE
  }

  private final X509Certificate certificate;
  private final KeyPair keyPair;
  private final List<TestCertificate> issuers;

  private TestCertificate(X509Certificate certificate, KeyPair keyPair, List<TestCertificate> issuers) {
    this.certificate = certificate;
    this.keyPair = keyPair;
    this.issuers = issuers;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A self-signed CA. */
  public static TestCertificate ca(String name) {
    return builder().commonName(name).ca().build();
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public PrivateKey privateKey() {
    return keyPair.getPrivate();
  }

  /** This certificate, then its issuers up to (excluding) the self-signed root. */
  public List<X509Certificate> chain() {
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(certificate);
    for (TestCertificate issuer : issuers) {
      if (!issuer.certificate.getSubjectX500Principal().equals(issuer.certificate.getIssuerX500Principal())) {
        chain.add(issuer.certificate);
      }
    }
    return chain;
  }

  public String certificatePem() {
    return pem(List.of(certificate));
  }

  public String chainPem() {
    return pem(new ArrayList<Object>(chain()));
  }

  /** PKCS#8 {@code PRIVATE KEY}. */
  public String pkcs8Pem() {
    try {
      return pem(List.of(new JcaPKCS8Generator(keyPair.getPrivate(), null)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}, as Bouncy Castle's PEM writer makes them. */
  public String traditionalPem() {
    return pem(List.of(keyPair.getPrivate()));
  }

  /** Encrypted PKCS#8, PBES2 with AES-256-CBC, as {@code openssl pkcs8 -topk8 -v2 aes256} makes it. */
  public String encryptedPkcs8Pem(String password) {
    try {
      JceOpenSSLPKCS8EncryptorBuilder encryptor =
          new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider()).setPassword(password.toCharArray());
      PemObject object = new JcaPKCS8Generator(keyPair.getPrivate(), encryptor.build()).generate();
      return pem(List.of(object));
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public Path writeChain(Path file) {
    return write(file, chainPem());
  }

  public Path writeCertificate(Path file) {
    return write(file, certificatePem());
  }

  public Path writeKey(Path file) {
    return write(file, pkcs8Pem());
  }

  public static Path write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.US_ASCII);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A PKCS#12 keystore with this certificate's key and chain. */
  public Path writePkcs12(Path file, String password) {
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry("server", keyPair.getPrivate(), password.toCharArray(), chain().toArray(X509Certificate[]::new));
      try (var out = Files.newOutputStream(file)) {
        keyStore.store(out, password.toCharArray());
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A client-side context that trusts the given CAs and, when {@code client} is given, presents its chain.
   */
  public static SSLContext clientContext(TestCertificate client, X509Certificate... trusted) {
    return context(client, trusted);
  }

  public static SSLContext clientContext(X509Certificate... trusted) {
    return context(null, trusted);
  }

  private static SSLContext context(TestCertificate client, X509Certificate[] trusted) {
    try {
      KeyStore trustStore = KeyStore.getInstance("PKCS12");
      trustStore.load(null, null);
      for (int i = 0; i < trusted.length; i++) {
        trustStore.setCertificateEntry("ca-" + i, trusted[i]);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustStore);
      KeyManagerFactory keys = null;
      if (client != null) {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("client", client.privateKey(), "pw".toCharArray(), client.chain().toArray(X509Certificate[]::new));
        keys = KeyManagerFactory.getInstance("NewSunX509");
        keys.init(keyStore, "pw".toCharArray());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client context that trusts any server, for tests that look at what the server presents. */
  public static SSLContext trustingAnyServer(TestCertificate client) {
    try {
      KeyManagerFactory keys = null;
      if (client != null) {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("client", client.privateKey(), "pw".toCharArray(), client.chain().toArray(X509Certificate[]::new));
        keys = KeyManagerFactory.getInstance("NewSunX509");
        keys.init(keyStore, "pw".toCharArray());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), new javax.net.ssl.TrustManager[] {new TrustingAny()}, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class TrustingAny extends X509ExtendedTrustManager {
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {}
    @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {}
    @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
  }

  static String pem(List<Object> objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object object : objects) {
        writer.writeObject(object);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Builds one certificate. */
  public static final class Builder {
    private String commonName = "test";
    private String subject;
    private KeyType keyType = KeyType.EC;
    private TestCertificate issuer;
    private int maxIntermediates = -1;
    private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
    private Instant notAfter = Instant.now().plus(Duration.ofDays(1));
    private final List<GeneralName> sans = new ArrayList<>();
    private Usage usage = Usage.NONE;
    private KeyPair keyPair;
    private Integer keyUsage;
    private final List<GeneralSubtree> permittedUris = new ArrayList<>();

    public Builder commonName(String commonName) {
      this.commonName = commonName;
      return this;
    }

    /** A full subject DN instead of {@code CN=<commonName>}. */
    public Builder subject(String subject) {
      this.subject = subject;
      return this;
    }

    public Builder keyType(KeyType keyType) {
      this.keyType = keyType;
      return this;
    }

    public Builder keyPair(KeyPair keyPair) {
      this.keyPair = keyPair;
      return this;
    }

    public Builder issuedBy(TestCertificate issuer) {
      this.issuer = issuer;
      return this;
    }

    public Builder ca() {
      this.maxIntermediates = 1;
      return this;
    }

    public Builder validity(Instant notBefore, Instant notAfter) {
      this.notBefore = notBefore;
      this.notAfter = notAfter;
      return this;
    }

    public Builder dns(String name) {
      sans.add(new GeneralName(GeneralName.dNSName, name));
      return this;
    }

    public Builder ip(String address) {
      sans.add(new GeneralName(GeneralName.iPAddress, address));
      return this;
    }

    public Builder uri(String uri) {
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
      return this;
    }

    /**
     * A URI SAN whose IA5String holds exactly these bytes, encoded here rather than by Bouncy Castle's string
     * constructor: what a CA that does not validate would sign (NUL, CR/LF, bytes above 0x7F).
     */
    public Builder rawUri(byte[] bytes) {
      // Unvalidated: each char of an ISO-8859-1 string becomes one byte of the IA5String as it is.
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, new DERIA5String(new String(bytes, StandardCharsets.ISO_8859_1), false)));
      return this;
    }

    /** The key usage bits ({@link KeyUsage} constants) instead of the default for a CA or a leaf. */
    public Builder keyUsage(int bits) {
      this.keyUsage = bits;
      return this;
    }

    /** A CA name constraint: only URI SANs in this host (or, starting with '.', domain). */
    public Builder permittedUri(String host) {
      permittedUris.add(new GeneralSubtree(new GeneralName(GeneralName.uniformResourceIdentifier, host)));
      return this;
    }

    public Builder usage(Usage usage) {
      this.usage = usage;
      return this;
    }

    /** A server certificate for 127.0.0.1 and localhost. */
    public Builder localhostServer() {
      return dns("localhost").ip("127.0.0.1").usage(Usage.SERVER);
    }

    public TestCertificate build() {
      try {
        KeyPair keys = keyPair != null ? keyPair : generate(keyType);
        X500Name name = new X500Name(subject != null ? subject : "CN=" + commonName);
        X500Name issuerName = issuer == null ? name : X500Name.getInstance(issuer.certificate.getSubjectX500Principal().getEncoded());
        PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.privateKey();
        X509v3CertificateBuilder builder =
            new JcaX509v3CertificateBuilder(
                issuerName, new BigInteger(64, new SecureRandom()).add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
        if (maxIntermediates >= 0) {
          builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(maxIntermediates));
          builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage != null ? keyUsage : KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
          builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
          builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage != null ? keyUsage : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        }
        if (!permittedUris.isEmpty()) {
          builder.addExtension(Extension.nameConstraints, true, new NameConstraints(permittedUris.toArray(GeneralSubtree[]::new), null));
        }
        switch (usage) {
          case SERVER -> builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
          case CLIENT -> builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
          case SERVER_AND_CLIENT ->
              builder.addExtension(
                  Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
          case NONE -> {}
        }
        if (!sans.isEmpty()) {
          builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
        }
        String algorithm =
            switch (signingKey.getAlgorithm()) {
              case "RSA" -> "SHA256withRSA";
              case "EC" -> "SHA256withECDSA";
              default -> "Ed25519";
            };
        X509Certificate certificate =
            new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey)));
        List<TestCertificate> issuers = new ArrayList<>();
        if (issuer != null) {
          issuers.add(issuer);
          issuers.addAll(issuer.issuers);
        }
        return new TestCertificate(certificate, keys, issuers);
      } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private static KeyPair generate(KeyType type) throws GeneralSecurityException {
      return switch (type) {
        case RSA -> {
          KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
          generator.initialize(2048);
          yield generator.generateKeyPair();
        }
        case EC -> {
          KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
          generator.initialize(new ECGenParameterSpec("secp256r1"));
          yield generator.generateKeyPair();
        }
        case ED25519 -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      };
    }
  }

}
