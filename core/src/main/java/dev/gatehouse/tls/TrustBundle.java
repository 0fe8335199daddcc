package dev.gatehouse.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust for Gatehouse's own outgoing TLS connections (fetching an issuer's keys, say) that names its CAs explicitly,
 * instead of the JDK's trust store: what an internal issuer signed by a private CA needs.
 *
 * <p>The connection is verified as the JDK verifies any HTTPS connection (PKIX path to one of the bundle's CAs, host name
 * checked by the HTTPS client), only against these anchors. Stateless and thread-safe.
 */
public final class TrustBundle {

  private TrustBundle() {}

  /**
   * A socket factory for TLS 1.3 and 1.2 connections that trust exactly the CAs of a PEM bundle.
   *
   * @param bundle a PEM file of one or more CA certificates
   * @return the socket factory
   * @throws IllegalArgumentException if the file holds no certificate or a certificate that cannot be read
   */
  public static SSLSocketFactory socketFactory(Path bundle) {
    Objects.requireNonNull(bundle, "bundle");
    List<X509Certificate> authorities = PemFiles.certificates(bundle);
    try {
      KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
      anchors.load(null, null);
      for (int i = 0; i < authorities.size(); i++) {
        anchors.setCertificateEntry("ca-" + i, authorities.get(i));
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
      trust.init(anchors);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException(bundle + ": cannot build a trust store from it: " + e.getMessage(), e);
    }
  }
}
