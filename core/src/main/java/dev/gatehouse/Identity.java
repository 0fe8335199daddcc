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
   * Attribute holding an e-mail address ({@code String}), sent upstream as {@code X-Forwarded-Email}. Set by JWT
   * identities that carry an {@code email} claim.
   */
  public static final String EMAIL = "email";

  /**
   * Attribute holding all claims of a verified JWT, as a {@code Map<String, Object>} of strings, numbers, booleans,
   * lists and nested maps. Authorization conditions on {@code claims.*} read this attribute.
   */
  public static final String CLAIMS = "claims";

  /** Attribute holding the SPIFFE ID ({@code String}) of a client certificate identity that has one. */
  public static final String SPIFFE_ID = "spiffe.id";

  /** Attribute holding the trust domain ({@code String}) of a SPIFFE ID, such as {@code cluster.local}. */
  public static final String SPIFFE_TRUST_DOMAIN = "spiffe.trust-domain";

  /**
   * Attribute holding the Kubernetes namespace ({@code String}) of a SPIFFE ID of the form {@code
   * spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>}. Authorization's {@code namespaces} reads it.
   */
  public static final String SPIFFE_NAMESPACE = "spiffe.namespace";

  /** Attribute holding the Kubernetes service account ({@code String}) of a SPIFFE ID of the Istio form. */
  public static final String SPIFFE_SERVICE_ACCOUNT = "spiffe.service-account";

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
