package dev.gatehouse.spring.security;

import dev.gatehouse.Identity;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * The details of a {@link GatehouseAuthentication}: Spring Security's web details (remote address, session id) and
 * the mTLS peer, the workload that called, which {@code getPrincipal()} does not show when a user acts through it.
 */
public final class GatehouseAuthenticationDetails extends WebAuthenticationDetails {

  private static final long serialVersionUID = 1L;

  private final transient @Nullable Identity peer;

  /**
   * Creates the details.
   *
   * @param remoteAddress the client's address
   * @param sessionId the HTTP session's id, if there is one
   * @param peer the mTLS peer; empty without a verified client certificate
   */
  public GatehouseAuthenticationDetails(String remoteAddress, Optional<String> sessionId, Optional<Identity> peer) {
    super(Objects.requireNonNull(remoteAddress, "remoteAddress"), sessionId.orElse(null));
    this.peer = peer.orElse(null);
  }

  /**
   * The calling workload.
   *
   * @return the peer (SPIFFE ID or certificate CN, with its trust domain, namespace and service account); empty without
   *     a verified client certificate
   */
  public Optional<Identity> peer() {
    return Optional.ofNullable(peer);
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof GatehouseAuthenticationDetails details && super.equals(other) && Objects.equals(peer, details.peer);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + Objects.hashCode(peer);
  }

  @Override
  public String toString() {
    return super.toString() + " peer=" + (peer == null ? "none" : peer.name());
  }
}
