package dev.gatehouse.authn.x509;

import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.ClientCertificateConfig;

/**
 * This package's one public door: what {@link Authenticator#clientCertificate} calls. The implementation behind it
 * stays package-private, so nothing outside can depend on more than the {@link Authenticator} contract.
 */
public final class ClientCertificateAuthentication {

  private ClientCertificateAuthentication() {}

  /**
   * The verified TLS client certificate, naming the peer; prefer {@link Authenticator#clientCertificate}.
   *
   * @param config the {@code authentication.client-certificate} section
   * @return the authenticator
   */
  public static Authenticator authenticator(ClientCertificateConfig config) {
    return ClientCertificateAuthenticator.create(config);
  }
}
