package dev.gatehouse.config;

import dev.gatehouse.http.IdentityHeaders;
import java.util.List;
import java.util.Objects;

/**
 * The {@code headers} section: which client headers the engine lets reach the application that it would otherwise
 * remove.
 *
 * @param passFromClient {@linkplain IdentityHeaders#ROUTING_HEADERS routing headers} whose client value the application
 *     may see (an {@code X-Forwarded-Prefix} set by a trusted ingress, say); empty by default, so all of them are
 *     removed
 */
public record HeadersConfig(List<String> passFromClient) {

  /** Every routing header removed. */
  public static final HeadersConfig DEFAULTS = new HeadersConfig(List.of());

  /**
   * Checks the names.
   *
   * @throws ConfigException (key {@code pass-from-client}) for a framing, hop-by-hop, identity or transport header, or a
   *     name that is not removed anyway
   */
  public HeadersConfig {
    Objects.requireNonNull(passFromClient, "passFromClient");
    passFromClient = List.copyOf(passFromClient);
    try {
      IdentityHeaders.defaults().passingFromClient(passFromClient);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("pass-from-client", e.getMessage());
    }
  }
}
