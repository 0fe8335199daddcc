package dev.gatehouse.authz;

import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The facts about a caller that a rule's {@code from} fields look at: the peer's name and SPIFFE namespace, the
 * request principal's name, and the groups ({@link Identities#groups()}). Callers alike in these match the same rules,
 * so the engine remembers candidate rules per caller.
 *
 * @param peer the peer's name; {@code null} without a peer
 * @param namespace the peer's namespace; {@code null} without one
 * @param requestPrincipal the request principal's name; {@code null} without one
 * @param groups the groups rules match
 */
record Caller(@Nullable String peer, @Nullable String namespace, @Nullable String requestPrincipal, Set<String> groups) {

  static Caller of(Identities identities) {
    Identity peer = identities.peer().orElse(null);
    Identity principal = identities.requestPrincipal().orElse(null);
    return new Caller(
        peer == null ? null : peer.name(),
        peer == null ? null : peer.attribute(Identity.SPIFFE_NAMESPACE).orElse(null),
        principal == null ? null : principal.name(),
        identities.groups());
  }
}
