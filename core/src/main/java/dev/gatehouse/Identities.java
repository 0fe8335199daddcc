package dev.gatehouse;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Both identities of one request: the {@linkplain Identity.Kind#PEER peer} (the workload behind the verified client
 * certificate) and the {@linkplain Identity.Kind#REQUEST_PRINCIPAL request principal} (the user or service a JWT, a
 * Basic password or a custom authenticator names). Either, both or neither may be present; neither is anonymous.
 *
 * <p>Istio keeps the two apart in the same way ({@code principals} and {@code requestPrincipals}), so that "service X
 * on behalf of user Y" can be written as a rule. What the application is told follows one order everywhere: the
 * request principal when there is one, else the peer ({@link #primary()}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param peer the calling workload; empty without a verified client certificate
 * @param requestPrincipal who the request acts for; empty without credentials in the request
 */
public record Identities(Optional<Identity> peer, Optional<Identity> requestPrincipal) {

  /** No identity at all. */
  public static final Identities ANONYMOUS = new Identities(Optional.empty(), Optional.empty());

  /** Checks the values. */
  public Identities {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(requestPrincipal, "requestPrincipal");
  }

  /**
   * The identity the application sees as its user: {@code X-Forwarded-User}, {@code getUserPrincipal()}.
   *
   * @return the request principal when there is one, else the peer; empty when anonymous
   */
  public Optional<Identity> primary() {
    return requestPrincipal.isPresent() ? requestPrincipal : peer;
  }

  /**
   * Whether the request carries no identity at all.
   *
   * @return {@code true} with neither a peer nor a request principal
   */
  public boolean isAnonymous() {
    return peer.isEmpty() && requestPrincipal.isEmpty();
  }

  /**
   * The groups authorization's {@code groups} match and {@code X-Forwarded-Groups} lists: the request principal's
   * when there is one (a user's groups say more than a workload's), else the peer's.
   *
   * @return the groups; empty when anonymous or the identity has none
   */
  public Set<String> groups() {
    return primary().map(Identity::groups).orElse(Set.of());
  }
}
