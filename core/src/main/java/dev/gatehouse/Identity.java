package dev.gatehouse;

import dev.gatehouse.authn.x509.SpiffeId;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who made a request, as established by one authentication method.
 *
 * <p>A request has up to two identities ({@link Identities}): the {@link Kind#PEER peer}, the workload that holds the
 * verified TLS client certificate, and the {@link Kind#REQUEST_PRINCIPAL request principal}, the user or service a
 * token or password names. Every method (HTTP Basic, JWT, client certificate, or a custom {@link dev.gatehouse.authn.Authenticator}) produces
 * this same value, so authorization rules and the application see one shape whichever way the caller proved itself.
 * Instances are immutable and thread-safe.
 *
 * @param name the principal name: the Basic user name, a JWT's {@code iss/sub} (the subject's {@code %} and {@code /}
 *     percent-encoded), a SPIFFE ID, or {@code cn:} and a certificate's common name
 * @param authenticationMethod how the caller authenticated, for example {@link #BASIC}
 * @param groups the groups or roles the caller belongs to; empty when the method has none
 * @param attributes further facts about the caller (for example JWT claims); empty when there are none
 */
public record Identity(String name, String authenticationMethod, Set<String> groups, Map<String, Object> attributes) {

  /**
   * Which of a request's two identities an authenticator establishes; see {@link
   * dev.gatehouse.authn.Authenticator#kind()}.
   */
  public enum Kind {
    /**
     * The calling workload, proven by the TLS connection (a verified client certificate): authorization's {@code
     * principals} and {@code namespaces} match it, and {@code X-Forwarded-Client-Cert} describes it.
     */
    PEER,
    /**
     * The user or service a request acts for, proven by a credential in the request (a JWT, a Basic password, a custom
     * header): authorization's {@code request-principals} match it, and {@code X-Forwarded-User} names it.
     */
    REQUEST_PRINCIPAL
  }

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

  /**
   * Attribute holding the subject common name ({@code String}) of a client certificate identity named by its CN; such
   * an identity's {@link #name()} is {@code cn:<common name>}, so that it can never be taken for a SPIFFE ID.
   */
  public static final String COMMON_NAME = "x509.common-name";

  /** The prefix of the {@link #name()} of a peer named by its certificate's subject common name. */
  public static final String COMMON_NAME_PREFIX = "cn:";

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
   * The peer identity a verified client certificate naming {@code name} gives: a SPIFFE ID with its trust domain and,
   * for the Istio form {@code spiffe://<td>/ns/<namespace>/sa/<account>}, its namespace and service account; or {@code
   * cn:<common name>} with the common name under {@link #COMMON_NAME}. What {@code check --peer} and the sidecar
   * assertion's verifier use, so that a stated peer matches rules exactly as a certificate would.
   *
   * @param name a SPIFFE ID, or {@code cn:} and a common name
   * @return the identity, with method {@link #CLIENT_CERTIFICATE}
   * @throws IllegalArgumentException if {@code name} starts with {@code spiffe:} but is not a valid SPIFFE ID, or is
   *     neither a SPIFFE ID nor {@code cn:} and a non-blank common name
   */
  public static Identity peer(String name) {
    Objects.requireNonNull(name, "name");
    if (name.startsWith(COMMON_NAME_PREFIX)) {
      String commonName = name.substring(COMMON_NAME_PREFIX.length());
      if (commonName.isBlank()) {
        throw new IllegalArgumentException("a blank common name");
      }
      return new Identity(name, CLIENT_CERTIFICATE, Set.of(), Map.of(COMMON_NAME, commonName));
    }
    if (!name.regionMatches(true, 0, "spiffe:", 0, 7)) {
      throw new IllegalArgumentException("a peer is named by a SPIFFE ID (spiffe://...) or by cn: and its certificate's common name");
    }
    SpiffeId id = SpiffeId.parse(name);
    Map<String, Object> attributes = new HashMap<>();
    attributes.put(SPIFFE_ID, id.toString());
    attributes.put(SPIFFE_TRUST_DOMAIN, id.trustDomain());
    id.namespace().ifPresent(namespace -> attributes.put(SPIFFE_NAMESPACE, namespace));
    id.serviceAccount().ifPresent(account -> attributes.put(SPIFFE_SERVICE_ACCOUNT, account));
    return new Identity(id.toString(), CLIENT_CERTIFICATE, Set.of(), attributes);
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
