package dev.gatehouse.authn.basic;

import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.BasicConfig;

/**
 * This package's one public door: what {@link Authenticator#basic} calls. The implementation behind it stays
 * package-private, so nothing outside can depend on more than the {@link Authenticator} contract.
 */
public final class BasicAuthentication {

  private BasicAuthentication() {}

  /**
   * HTTP Basic against an htpasswd file; prefer {@link Authenticator#basic}.
   *
   * @param config the {@code authentication.basic} section
   * @return the authenticator; close it to stop watching the file
   * @throws dev.gatehouse.config.ConfigException if the file cannot be read
   */
  public static Authenticator authenticator(BasicConfig config) {
    return BasicAuthenticator.create(config);
  }
}
