package dev.gatehouse.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A client-certificate trust manager whose CAs (and CRLs) can be replaced while handshakes run.
 *
 * <p>Design: one JDK PKIX trust manager per loaded version behind a volatile field; each check reads the field once.
 * After the JDK's chain validation it also applies {@link ClientCertificates#refusal}: no CA as the client, and
 * {@code clientAuth} wherever the chain restricts its usage. Only client certificates are checked here: the server never validates a server chain.
 */
final class ReloadingTrustManager extends X509ExtendedTrustManager {

  private record Version(X509ExtendedTrustManager delegate, List<X509Certificate> authorities) {}

  private volatile Version current;

  ReloadingTrustManager(X509ExtendedTrustManager delegate, List<X509Certificate> authorities) {
    this.current = new Version(delegate, List.copyOf(authorities));
  }

  void update(X509ExtendedTrustManager delegate, List<X509Certificate> authorities) {
    current = new Version(delegate, List.copyOf(authorities));
  }

  List<X509Certificate> authorities() {
    return current.authorities();
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    current.delegate().checkClientTrusted(chain, authType, engine);
    checkUsage(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    current.delegate().checkClientTrusted(chain, authType, socket);
    checkUsage(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    current.delegate().checkClientTrusted(chain, authType);
    checkUsage(chain);
  }

  private static void checkUsage(X509Certificate[] chain) throws CertificateException {
    java.util.Optional<String> refusal = ClientCertificates.refusal(List.of(chain));
    if (refusal.isPresent()) {
      throw new CertificateException(refusal.get());
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("this trust manager only checks client certificates");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("this trust manager only checks client certificates");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("this trust manager only checks client certificates");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return current.authorities().toArray(X509Certificate[]::new);
  }
}
