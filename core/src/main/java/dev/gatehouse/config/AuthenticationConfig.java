package dev.gatehouse.config;

import java.util.Objects;
import java.util.Optional;

/**
 * {@code authentication}: the methods a caller may use to prove who it is.
 *
 * @param basic HTTP Basic, when configured
 * @param clientCertificate TLS client certificates, when configured
 */
public record AuthenticationConfig(Optional<BasicConfig> basic, Optional<ClientCertificateConfig> clientCertificate) {

  /** Validates the section. */
  public AuthenticationConfig {
    Objects.requireNonNull(basic, "basic");
    Objects.requireNonNull(clientCertificate, "clientCertificate");
  }

  /**
   * A section with HTTP Basic only.
   *
   * @param basic HTTP Basic, when configured
   */
  public AuthenticationConfig(Optional<BasicConfig> basic) {
    this(basic, Optional.empty());
  }

  /**
   * Whether at least one method is configured.
   *
   * @return {@code true} if some caller could authenticate
   */
  public boolean any() {
    return basic.isPresent() || clientCertificate.isPresent();
  }
}
