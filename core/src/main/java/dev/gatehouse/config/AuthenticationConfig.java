package dev.gatehouse.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code authentication}: the methods a caller may use to prove who it is.
 *
 * @param basic HTTP Basic, when configured
 * @param jwt the issuers whose bearer tokens are accepted; empty when JWT authentication is off
 * @param clientCertificate TLS client certificates, when configured
 */
public record AuthenticationConfig(
    Optional<BasicConfig> basic, List<JwtIssuerConfig> jwt, Optional<ClientCertificateConfig> clientCertificate) {

  /**
   * Validates the section.
   *
   * @throws IllegalArgumentException if two JWT entries name the same issuer
   */
  public AuthenticationConfig {
    Objects.requireNonNull(basic, "basic");
    Objects.requireNonNull(clientCertificate, "clientCertificate");
    jwt = List.copyOf(jwt);
    if (jwt.stream().map(JwtIssuerConfig::issuer).distinct().count() != jwt.size()) {
      throw new IllegalArgumentException("two entries name the same issuer");
    }
  }

  /**
   * Only HTTP Basic.
   *
   * @param basic HTTP Basic, when configured
   */
  public AuthenticationConfig(Optional<BasicConfig> basic) {
    this(basic, List.of(), Optional.empty());
  }

  /**
   * Whether at least one method is configured.
   *
   * @return {@code true} if some caller could authenticate
   */
  public boolean any() {
    return basic.isPresent() || !jwt.isEmpty() || clientCertificate.isPresent();
  }
}
