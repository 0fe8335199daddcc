package dev.gatehouse.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one rule for which certificates may authenticate a client and which may be a client CA, whatever path a
 * certificate comes in by: the sidecar's TLS handshake ({@link ServerTls}) and the client-certificate authenticator,
 * which reads the chain every delivery reports (the sidecar's handshake, the servlet container's {@code
 * jakarta.servlet.request.X509Certificate}), both ask here.
 *
 * <p>A client certificate must be an end-entity certificate: not a CA ({@code basicConstraints CA:TRUE}) and unable to
 * sign certificates ({@code keyCertSign}), since a CA presented as the client would authenticate as every name it could
 * issue. Its extended key usage, when it has one, must allow {@code clientAuth}; so must that of every intermediate in
 * the presented chain that restricts its usage (the CA/Browser Forum's and Envoy's reading of an intermediate's EKU as a
 * limit on what it may issue for). A client CA bundle may hold only CA certificates: the JDK accepts any certificate
 * as a trust anchor, so a server certificate put in {@code client-ca} by mistake would otherwise be trusted to sign.
 *
 * <p>Stateless and thread-safe.
 */
public final class ClientCertificates {

  /** The extended key usage a client certificate must allow, when it restricts its usage at all. */
  static final String CLIENT_AUTH_EKU = "1.3.6.1.5.5.7.3.2";

  private static final String ANY_EKU = "2.5.29.37.0";
  private static final int KEY_CERT_SIGN = 5;

  private ClientCertificates() {}

  /**
   * Why a presented chain may not authenticate a client.
   *
   * @param chain the chain as presented, leaf first; the trust anchor need not be in it
   * @return empty if it may; otherwise the reason, for logs
   */
  public static Optional<String> refusal(List<X509Certificate> chain) {
    Objects.requireNonNull(chain, "chain");
    if (chain.isEmpty()) {
      return Optional.of("no certificate");
    }
    X509Certificate leaf = chain.get(0);
    if (leaf.getBasicConstraints() >= 0 || signsCertificates(leaf)) {
      return Optional.of("client certificate " + subject(leaf) + " is a CA certificate (CA:TRUE or keyCertSign), not a client's");
    }
    if (!allowsClientAuth(leaf)) {
      return Optional.of("client certificate " + subject(leaf) + " has an extended key usage without clientAuth");
    }
    for (int i = 1; i < chain.size(); i++) {
      if (!allowsClientAuth(chain.get(i))) {
        return Optional.of(
            "client certificate " + subject(leaf) + " is issued by " + subject(chain.get(i)) + ", whose extended key usage is without clientAuth");
      }
    }
    return Optional.empty();
  }

  /**
   * Why a certificate of a client CA bundle cannot be a trust anchor.
   *
   * @param certificate a certificate of the bundle
   * @return empty if it is a CA certificate; otherwise the reason
   */
  static Optional<String> notAnAuthority(X509Certificate certificate) {
    if (certificate.getBasicConstraints() < 0) {
      return Optional.of("certificate " + subject(certificate) + " is not a CA certificate (no basicConstraints CA:TRUE)");
    }
    boolean[] usage = certificate.getKeyUsage();
    if (usage != null && !signsCertificates(certificate)) {
      return Optional.of("certificate " + subject(certificate) + " is not a CA certificate (its key usage lacks keyCertSign)");
    }
    return Optional.empty();
  }

  private static boolean signsCertificates(X509Certificate certificate) {
    boolean[] usage = certificate.getKeyUsage();
    return usage != null && usage.length > KEY_CERT_SIGN && usage[KEY_CERT_SIGN];
  }

  private static boolean allowsClientAuth(X509Certificate certificate) {
    try {
      List<String> usages = certificate.getExtendedKeyUsage();
      return usages == null || usages.contains(CLIENT_AUTH_EKU) || (certificate.getBasicConstraints() >= 0 && usages.contains(ANY_EKU));
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  /**
   * A certificate's subject for a log line: quoted RFC 2253 text, control characters replaced, at most 128 characters.
   *
   * @param certificate the certificate
   * @return the text
   */
  public static String subject(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    StringBuilder out = new StringBuilder(Math.min(subject.length(), 128) + 2).append('\'');
    for (int i = 0; i < subject.length() && i < 128; i++) {
      char c = subject.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.append('\'').toString();
  }
}
