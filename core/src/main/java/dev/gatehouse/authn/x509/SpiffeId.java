package dev.gatehouse.authn.x509;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A SPIFFE ID ({@code spiffe://<trust-domain>/<path>}), parsed by the rules of the SPIFFE ID specification.
 *
 * <p>The trust domain is lower-case letters, digits, {@code .}, {@code -} and {@code _}, at most 255 of them, with no
 * leading or trailing dot and no empty label; there is no port, user info,
 * query or fragment; the path is segments of letters, digits, {@code .}, {@code -} and {@code _}, none empty, {@code .}
 * or {@code ..}, and no trailing slash; the whole ID is at most 2048 bytes. Anything else is refused rather than
 * repaired: two spellings of one workload must never both pass.
 *
 * @param trustDomain the trust domain, such as {@code cluster.local}
 * @param path the path, such as {@code /ns/shop/sa/frontend}; empty for the trust domain's own ID
 */
public record SpiffeId(String trustDomain, String path) {

  private static final String SCHEME = "spiffe://";
  private static final int MAX_LENGTH = 2048;
  private static final int MAX_TRUST_DOMAIN_LENGTH = 255;

  /**
   * Checks the parts.
   *
   * @throws IllegalArgumentException if either part breaks the specification
   */
  public SpiffeId {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(path, "path");
    checkTrustDomain(trustDomain);
    checkPath(path);
    if (SCHEME.length() + trustDomain.length() + path.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("longer than " + MAX_LENGTH + " characters");
    }
  }

  /**
   * The workload SPIFFE ID an X.509 certificate carries, by the X.509-SVID rules, for every place that names a peer by
   * its certificate (a client of the sidecar, a remote the egress calls): URI SANs are read from the extension's bytes
   * (so one the JDK cannot parse refuses the certificate instead of vanishing), a certificate with a {@code spiffe:} URI
   * SAN must have exactly one URI SAN, and it must be a valid ID naming a workload (with a path).
   *
   * @param leaf the certificate
   * @return the ID; empty when no URI SAN claims to be a SPIFFE ID
   * @throws IllegalArgumentException saying why the certificate names no valid workload, as a phrase that follows the
   *     certificate's name ({@code "has 2 URI SANs; ..."})
   */
  public static Optional<SpiffeId> fromCertificate(X509Certificate leaf) {
    List<String> uris = UriSans.of(leaf);
    if (uris.stream().noneMatch(uri -> uri.regionMatches(true, 0, "spiffe:", 0, 7))) {
      return Optional.empty();
    }
    if (uris.size() != 1) {
      throw new IllegalArgumentException("has " + uris.size() + " URI SANs; a SPIFFE certificate must have exactly one");
    }
    SpiffeId id;
    try {
      id = parse(uris.get(0));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("has an invalid SPIFFE ID: " + e.getMessage(), e);
    }
    if (id.path().isEmpty()) {
      throw new IllegalArgumentException("has an invalid SPIFFE ID: " + id + " names a trust domain, not a workload (no path)");
    }
    return Optional.of(id);
  }

  /**
   * Parses a SPIFFE ID.
   *
   * @param uri the ID, such as {@code spiffe://cluster.local/ns/shop/sa/frontend}
   * @return the parsed ID
   * @throws IllegalArgumentException saying which rule the text breaks
   */
  public static SpiffeId parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    if (!uri.startsWith(SCHEME)) {
      throw new IllegalArgumentException("does not start with spiffe:// (the scheme is lower case)");
    }
    if (uri.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("longer than " + MAX_LENGTH + " characters");
    }
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    return new SpiffeId(trustDomain, path);
  }

  /**
   * The Kubernetes namespace of an Istio-style ID, {@code /ns/<namespace>/sa/<service-account>}.
   *
   * @return the namespace, or empty when the path has another shape
   */
  public Optional<String> namespace() {
    String[] segments = istioSegments();
    return segments == null ? Optional.empty() : Optional.of(segments[2]);
  }

  /**
   * The Kubernetes service account of an Istio-style ID.
   *
   * @return the service account, or empty when the path has another shape
   */
  public Optional<String> serviceAccount() {
    String[] segments = istioSegments();
    return segments == null ? Optional.empty() : Optional.of(segments[4]);
  }

  private String @org.jspecify.annotations.Nullable [] istioSegments() {
    String[] segments = path.split("/", -1);
    // "", "ns", <namespace>, "sa", <service-account>
    if (segments.length == 5 && segments[1].equals("ns") && segments[3].equals("sa")) {
      return segments;
    }
    return null;
  }

  /** The ID as text, {@code spiffe://<trust-domain><path>}. */
  @Override
  public String toString() {
    return SCHEME + trustDomain + path;
  }

  private static void checkTrustDomain(String trustDomain) {
    if (trustDomain.isEmpty()) {
      throw new IllegalArgumentException("has an empty trust domain");
    }
    if (trustDomain.length() > MAX_TRUST_DOMAIN_LENGTH) {
      throw new IllegalArgumentException("trust domain is longer than " + MAX_TRUST_DOMAIN_LENGTH + " characters");
    }
    // A DNS name's spellings: "td." and "td" would be two trust domains to us and one to a resolver or a CA's constraint.
    if (trustDomain.startsWith(".") || trustDomain.endsWith(".") || trustDomain.contains("..")) {
      throw new IllegalArgumentException("trust domain must not start or end with '.' or hold an empty label");
    }
    for (int i = 0; i < trustDomain.length(); i++) {
      char c = trustDomain.charAt(i);
      if (c == ':' || c == '@') {
        throw new IllegalArgumentException("trust domain must not carry a port or user info");
      }
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
        throw new IllegalArgumentException("trust domain may hold only a-z, 0-9, '.', '-' and '_'");
      }
    }
  }

  private static void checkPath(String path) {
    if (path.isEmpty()) {
      return;
    }
    if (path.charAt(0) != '/') {
      throw new IllegalArgumentException("path must start with /");
    }
    String[] segments = path.substring(1).split("/", -1);
    for (String segment : segments) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException("path has an empty segment or a trailing slash");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("path has a '.' or '..' segment");
      }
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        if (c == '?' || c == '#') {
          throw new IllegalArgumentException("must not carry a query or fragment");
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
          throw new IllegalArgumentException("path may hold only letters, digits, '.', '-' and '_'");
        }
      }
    }
  }
}
