package dev.gatehouse;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who made a request, as established by one authentication method.
 *
 * <p>Every method (HTTP Basic, JWT, client certificate, or a custom {@link dev.gatehouse.authn.Authenticator}) produces
 * this same value, so authorization rules and the application see one shape whichever way the caller proved itself.
 * Instances are immutable and thread-safe.
 *
 * @param name the principal name: the Basic user name, a JWT's {@code iss/sub}, or a SPIFFE ID
 * @param authenticationMethod how the caller authenticated, for example {@link #BASIC}
 * @param groups the groups or roles the caller belongs to; empty when the method has none
 * @param attributes further facts about the caller (for example JWT claims); empty when there are none
 */
public record Identity(String name, String authenticationMethod, Set<String> groups, Map<String, Object> attributes) {

  /** The {@link #authenticationMethod()} of HTTP Basic identities. */
  public static final String BASIC = "basic";

  /** The {@link #authenticationMethod()} of JWT bearer identities. */
  public static final String JWT = "jwt";

  /** The {@link #authenticationMethod()} of client certificate identities. */
  public static final String CLIENT_CERTIFICATE = "client-certificate";

  /**
   * Creates an identity, copying the collections.
   *
   * @throws IllegalArgumentException if {@code name} or {@code authenticationMethod} is blank
   */
  public Identity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(authenticationMethod, "authenticationMethod");
    if (name.isBlank()) {
      throw new IllegalArgumentException("identity name must not be blank");
    }
    if (authenticationMethod.isBlank()) {
      throw new IllegalArgumentException("authentication method must not be blank");
    }
    groups = Set.copyOf(groups);
    attributes = Map.copyOf(attributes);
  }

  /**
   * An identity with no groups and no attributes.
   *
   * @param name the principal name
   * @param authenticationMethod how the caller authenticated
   * @return the identity
   */
  public static Identity of(String name, String authenticationMethod) {
    return new Identity(name, authenticationMethod, Set.of(), Map.of());
  }

  /**
   * One attribute, if present and a string.
   *
   * @param key the attribute name
   * @return the value, or empty when absent or not a string
   */
  public Optional<String> attribute(String key) {
    Object value = attributes.get(key);
    return value instanceof String s ? Optional.of(s) : Optional.empty();
  }
}
