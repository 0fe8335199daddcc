package dev.gatehouse.spring.security;

import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import java.util.Collection;
import java.util.Objects;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;

/**
 * A caller Gatehouse authenticated, as a Spring Security {@code Authentication}: pre-authenticated, since the proof
 * (password, token, certificate) was checked by Gatehouse before Spring Security ran.
 *
 * <p>Its principal is the Gatehouse {@link Identity} the application sees as its user (the request principal, else the
 * mTLS peer), so {@code @AuthenticationPrincipal Identity caller} works; its name is that identity's name; its
 * authorities are the identity's groups behind the configured role prefix ({@code ROLE_ops} for group {@code ops}) and
 * its JWT scopes as {@code SCOPE_<scope>}; its details are a {@link GatehouseAuthenticationDetails}, which carries the
 * peer. It has no credentials: Gatehouse never hands them on.
 *
 * <p>Immutable once made, apart from what {@code AbstractAuthenticationToken} lets anyone set (details, and being
 * marked unauthenticated).
 */
public final class GatehouseAuthentication extends PreAuthenticatedAuthenticationToken {

  private static final long serialVersionUID = 1L;

  private final transient Identities identities;

  /**
   * Creates an authenticated token.
   *
   * @param identities the request's identities; at least one present
   * @param authorities the caller's authorities
   * @param details the request's details
   * @throws IllegalArgumentException if {@code identities} is anonymous
   */
  public GatehouseAuthentication(Identities identities, Collection<? extends GrantedAuthority> authorities, GatehouseAuthenticationDetails details) {
    super(identities.primary().orElseThrow(() -> new IllegalArgumentException("an anonymous request has no Authentication")), "", authorities);
    this.identities = identities;
    setDetails(Objects.requireNonNull(details, "details"));
  }

  /**
   * The identity the application sees as its user.
   *
   * @return the request principal, else the peer
   */
  public Identity identity() {
    return (Identity) getPrincipal();
  }

  /**
   * Both identities of the request.
   *
   * @return the peer and the request principal
   */
  public Identities identities() {
    return identities;
  }

  /** The identity's name ({@code iss/sub}, the Basic user, the SPIFFE ID), never the record's {@code toString}. */
  @Override
  public String getName() {
    return identity().name();
  }
}
