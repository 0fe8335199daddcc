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
 * @param sidecarAssertion the sidecar's signed assertions, when configured; then no other method is
 */
public record AuthenticationConfig(
    Optional<BasicConfig> basic,
    List<JwtIssuerConfig> jwt,
    Optional<ClientCertificateConfig> clientCertificate,
    Optional<SidecarAssertionConfig> sidecarAssertion) {

  /**
   * Validates the section.
   *
   * @throws IllegalArgumentException if two JWT entries name the same issuer
   * @throws ConfigException naming {@code sidecar-assertion} if another method is configured beside it: behind the
   *     sidecar, the caller proved itself to the sidecar, and a request with no assertion is refused whatever else it
   *     carries
   */
  public AuthenticationConfig {
    Objects.requireNonNull(basic, "basic");
    Objects.requireNonNull(clientCertificate, "clientCertificate");
    Objects.requireNonNull(sidecarAssertion, "sidecarAssertion");
    jwt = List.copyOf(jwt);
    if (jwt.stream().map(JwtIssuerConfig::issuer).distinct().count() != jwt.size()) {
      throw new IllegalArgumentException("two entries name the same issuer");
    }
    if (sidecarAssertion.isPresent() && (basic.isPresent() || !jwt.isEmpty() || clientCertificate.isPresent())) {
      throw new ConfigException(
          "sidecar-assertion", "configure no other authentication method beside it: the sidecar authenticates callers, the application verifies its assertion");
    }
  }

  /**
   * Basic, JWT and client certificates, without the sidecar's assertion.
   *
   * @param basic HTTP Basic, when configured
   * @param jwt the issuers whose bearer tokens are accepted
   * @param clientCertificate TLS client certificates, when configured
   */
  public AuthenticationConfig(Optional<BasicConfig> basic, List<JwtIssuerConfig> jwt, Optional<ClientCertificateConfig> clientCertificate) {
    this(basic, jwt, clientCertificate, Optional.empty());
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
    return basic.isPresent() || !jwt.isEmpty() || clientCertificate.isPresent() || sidecarAssertion.isPresent();
  }
}
