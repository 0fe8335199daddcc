package dev.gatehouse.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of {@code authorization.rules}. Within a rule every given field must match (AND); within a field any value
 * may match (OR); a {@code not-} field matches when none of its values does.
 *
 * @param name a name for logs, the audit line and {@code check}; {@code rules[i]} is used when absent
 * @param action whether a match allows or denies
 * @param from conditions on the caller; empty means any caller, anonymous ones included
 * @param to conditions on the request; empty means any request
 * @param when further conditions on JWT claims and request headers, all of which must hold
 */
public record RuleConfig(
    Optional<String> name, Action action, Optional<SourceConfig> from, Optional<OperationConfig> to, List<ConditionConfig> when) {

  /** What a matching rule does. */
  public enum Action {
    /** Lets the request through (unless a deny rule matches too). */
    ALLOW,
    /** Refuses the request, whatever allow rules say. */
    DENY
  }

  /** Checks and copies. */
  public RuleConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    when = List.copyOf(when);
  }

  /**
   * {@code from}: who sent the request. Every list is empty when not configured.
   *
   * @param principals names of the mTLS peer (a SPIFFE ID, or {@code cn:} and a certificate CN): exact, {@code prefix*}, {@code
   *     *suffix}, or {@code *} for any peer; only with {@code authentication.client-certificate}
   * @param notPrincipals peer names that must not match
   * @param namespaces Kubernetes namespaces of the peer's SPIFFE ID
   * @param notNamespaces namespaces that must not match
   * @param groups groups of the request principal, else of the peer
   * @param notGroups groups the caller must not be in
   * @param ipBlocks IPv4 or IPv6 addresses or CIDR blocks of the direct peer
   * @param notIpBlocks blocks the peer must not be in
   * @param requestPrincipals names of the request principal (a JWT's {@code iss/sub}, a Basic user, a custom
   *     authenticator's name), in the same four forms; {@code *} for any request principal
   * @param notRequestPrincipals request principals that must not match
   */
  public record SourceConfig(
      List<String> principals,
      List<String> notPrincipals,
      List<String> namespaces,
      List<String> notNamespaces,
      List<String> groups,
      List<String> notGroups,
      List<String> ipBlocks,
      List<String> notIpBlocks,
      List<String> requestPrincipals,
      List<String> notRequestPrincipals) {
    /** Copies the lists. */
    public SourceConfig {
      requestPrincipals = List.copyOf(requestPrincipals);
      notRequestPrincipals = List.copyOf(notRequestPrincipals);
      principals = List.copyOf(principals);
      notPrincipals = List.copyOf(notPrincipals);
      namespaces = List.copyOf(namespaces);
      notNamespaces = List.copyOf(notNamespaces);
      groups = List.copyOf(groups);
      notGroups = List.copyOf(notGroups);
      ipBlocks = List.copyOf(ipBlocks);
      notIpBlocks = List.copyOf(notIpBlocks);
    }

    /**
     * A source without request-principal conditions.
     *
     * @param principals see {@link #principals()}
     * @param notPrincipals see {@link #notPrincipals()}
     * @param namespaces see {@link #namespaces()}
     * @param notNamespaces see {@link #notNamespaces()}
     * @param groups see {@link #groups()}
     * @param notGroups see {@link #notGroups()}
     * @param ipBlocks see {@link #ipBlocks()}
     * @param notIpBlocks see {@link #notIpBlocks()}
     */
    public SourceConfig(
        List<String> principals,
        List<String> notPrincipals,
        List<String> namespaces,
        List<String> notNamespaces,
        List<String> groups,
        List<String> notGroups,
        List<String> ipBlocks,
        List<String> notIpBlocks) {
      this(principals, notPrincipals, namespaces, notNamespaces, groups, notGroups, ipBlocks, notIpBlocks, List.of(), List.of());
    }
  }

  /**
   * {@code to}: what the request asks for. Every list is empty when not configured.
   *
   * @param methods request methods, case-sensitive
   * @param notMethods methods that must not match
   * @param paths canonical paths: exact, {@code /prefix/*}, {@code *suffix}, {@code *}, or templates with {@code {*}}
   *     (one segment) and {@code {**}} (any number of segments)
   * @param notPaths paths that must not match
   * @param hosts {@code Host} header values, case-insensitive, port ignored unless given
   * @param notHosts hosts that must not match
   * @param ports local ports the request arrived on
   * @param notPorts ports that must not match
   */
  public record OperationConfig(
      List<String> methods,
      List<String> notMethods,
      List<String> paths,
      List<String> notPaths,
      List<String> hosts,
      List<String> notHosts,
      List<Integer> ports,
      List<Integer> notPorts) {
    /** Copies the lists. */
    public OperationConfig {
      methods = List.copyOf(methods);
      notMethods = List.copyOf(notMethods);
      paths = List.copyOf(paths);
      notPaths = List.copyOf(notPaths);
      hosts = List.copyOf(hosts);
      notHosts = List.copyOf(notHosts);
      ports = List.copyOf(ports);
      notPorts = List.copyOf(notPorts);
    }
  }

  /**
   * One entry of {@code when}.
   *
   * @param key {@code claims.<name>[.<name>...]} for a JWT claim (nested objects by dots), or {@code
   *     request.headers[<Name>]} for a request header
   * @param values values of which one must match; empty when not configured
   * @param notValues values none of which may match; empty when not configured
   */
  public record ConditionConfig(String key, List<String> values, List<String> notValues) {
    /** Checks and copies. */
    public ConditionConfig {
      Objects.requireNonNull(key, "key");
      values = List.copyOf(values);
      notValues = List.copyOf(notValues);
    }
  }
}
