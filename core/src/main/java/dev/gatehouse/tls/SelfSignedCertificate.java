package dev.gatehouse.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throwaway TLS material for trying the sidecar locally: a new CA and a server certificate it signed for {@code
 * localhost}, {@code 127.0.0.1} and {@code ::1}, valid for a week, written as PEM files. Never used unless asked for
 * ({@code --self-signed}); clients can pin the printed fingerprint or trust {@link #caCertificate()}.
 *
 * @param directory where the files were written
 * @param caCertificate the CA certificate (PEM), for clients to trust
 * @param certificate the server certificate chain (PEM)
 * @param privateKey the server's private key (PEM PKCS#8, readable by the owner only)
 * @param sha256Fingerprint the SHA-256 fingerprint of the server certificate, colon-separated upper-case hex as
 *     {@code openssl x509 -fingerprint -sha256} prints it
 */
public record SelfSignedCertificate(Path directory, Path caCertificate, Path certificate, Path privateKey, String sha256Fingerprint) {

  /** How long the throwaway certificates are valid. */
  public static final Duration VALIDITY = Duration.ofDays(7);

  /** Checks the arguments. */
  public SelfSignedCertificate {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(caCertificate, "caCertificate");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(sha256Fingerprint, "sha256Fingerprint");
  }

  /**
   * Generates a CA and a server certificate into a new temporary directory.
   *
   * @return the files and the server certificate's fingerprint
   * @throws UncheckedIOException if the files cannot be written
   */
  public static SelfSignedCertificate generate() {
    try {
      return generate(Files.createTempDirectory("gatehouse-self-signed-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Generates a CA and a server certificate into a directory.
   *
   * @param directory an existing directory
   * @return the files and the server certificate's fingerprint
   * @throws UncheckedIOException if the files cannot be written
   */
  public static SelfSignedCertificate generate(Path directory) {
    Objects.requireNonNull(directory, "directory");
    try {
      KeyPair caKeys = ecKeyPair();
      KeyPair serverKeys = ecKeyPair();
      Instant now = Instant.now();
      Date notBefore = Date.from(now.minus(Duration.ofMinutes(5)));
      Date notAfter = Date.from(now.plus(VALIDITY));
      X500Name caName = new X500Name("CN=Gatehouse throwaway CA " + Long.toHexString(new SecureRandom().nextLong()));
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();

      X509v3CertificateBuilder ca =
          new JcaX509v3CertificateBuilder(caName, serial(), notBefore, notAfter, caName, caKeys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
      X509Certificate caCertificate = sign(ca, caKeys);

      X509v3CertificateBuilder server =
          new JcaX509v3CertificateBuilder(caCertificate, serial(), notBefore, notAfter, new X500Name("CN=localhost"), serverKeys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(caCertificate))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(
                      new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.iPAddress, "::1")
                      }));
      X509Certificate serverCertificate = sign(server, caKeys);

      Path caFile = directory.resolve("ca.crt");
      Path certificateFile = directory.resolve("tls.crt");
      Path keyFile = directory.resolve("tls.key");
      Files.writeString(caFile, pem(List.of(caCertificate)), StandardCharsets.US_ASCII);
      Files.writeString(certificateFile, pem(List.of(serverCertificate, caCertificate)), StandardCharsets.US_ASCII);
      Files.writeString(keyFile, pem(List.of(new JcaPKCS8Generator(serverKeys.getPrivate(), null))), StandardCharsets.US_ASCII);
      try {
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system; the temporary directory is private to the user anyway
      }
      return new SelfSignedCertificate(directory, caFile, certificateFile, keyFile, fingerprint(serverCertificate));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate a certificate: " + e.getMessage(), e);
    }
  }

  /**
   * The SHA-256 fingerprint of a certificate, as {@code openssl x509 -fingerprint -sha256} prints it.
   *
   * @param certificate the certificate
   * @return colon-separated upper-case hex
   */
  public static String fingerprint(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer) throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }

  private static String pem(List<Object> objects) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object object : objects) {
        writer.writeObject(object);
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return "SelfSignedCertificate[" + certificate + ", SHA-256 " + sha256Fingerprint.toLowerCase(Locale.ROOT) + "]";
  }
}
