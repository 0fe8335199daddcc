package dev.gatehouse.config;

import java.util.List;
import java.util.Objects;

/**
 * The {@code headers} section: which client headers the engine lets reach the application that it would otherwise
 * remove.
 *
 * <p>Which names may pass is the engine's rule ({@code dev.gatehouse.http.IdentityHeaders#passingFromClient}), since only
 * the engine knows every identity header (an authenticator's claim headers among them): a framing, hop-by-hop, identity
 * or transport header, or a name that is not removed anyway, makes building the engine fail with a {@link
 * ConfigException} on {@code headers.pass-from-client}, as the sidecar and the filter start.
 *
 * @param passFromClient routing headers ({@code X-Forwarded-Prefix} set by a trusted ingress, say) whose client value
 *     the application may see; empty by default, so all of them are removed
 */
public record HeadersConfig(List<String> passFromClient) {

  /** Every routing header removed. */
  public static final HeadersConfig DEFAULTS = new HeadersConfig(List.of());

  /**
   * Copies the names.
   *
   * @throws NullPointerException if the list or a name is null
   */
  public HeadersConfig {
    passFromClient = List.copyOf(Objects.requireNonNull(passFromClient, "passFromClient"));
  }
}
