package dev.gatehouse.authz;

import dev.gatehouse.Identity;
import java.util.Optional;
import java.util.Set;

/**
 * The facts about a caller that a rule's {@code from} fields look at: principal name, groups and SPIFFE namespace.
 * Identities alike in these match the same rules, so the engine remembers candidate rules per caller.
 */
record Caller(String name, Set<String> groups, Optional<String> namespace) {

  static Caller of(Identity identity) {
    return new Caller(identity.name(), identity.groups(), identity.attribute(Identity.SPIFFE_NAMESPACE));
  }
}
