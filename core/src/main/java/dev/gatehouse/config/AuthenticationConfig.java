package dev.gatehouse.config;

import java.util.Objects;
import java.util.Optional;

/**
 * {@code authentication}: the methods a caller may use to prove who it is.
 *
 * @param basic HTTP Basic, when configured
 */
public record AuthenticationConfig(Optional<BasicConfig> basic) {

  /** Validates the section. */
  public AuthenticationConfig {
    Objects.requireNonNull(basic, "basic");
  }

  /**
   * Whether at least one method is configured.
   *
   * @return {@code true} if some caller could authenticate
   */
  public boolean any() {
    return basic.isPresent();
  }
}
