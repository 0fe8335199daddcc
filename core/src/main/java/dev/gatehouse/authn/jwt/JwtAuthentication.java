package dev.gatehouse.authn.jwt;

import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.JwtIssuerConfig;
import java.util.List;

/**
 * This package's one public door: what {@link Authenticator#jwt} calls. The implementation behind it stays
 * package-private, so nothing outside can depend on more than the {@link Authenticator} contract.
 */
public final class JwtAuthentication {

  private JwtAuthentication() {}

  /**
   * JWT bearer tokens from the configured issuers; prefer {@link Authenticator#jwt}.
   *
   * @param issuers the {@code authentication.jwt} entries; at least one
   * @param realm the realm of the {@code Bearer} challenge
   * @return the authenticator; close it to stop refreshing keys
   */
  public static Authenticator authenticator(List<JwtIssuerConfig> issuers, String realm) {
    return JwtAuthenticator.create(issuers, realm);
  }
}
