package dev.gatehouse.config;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * {@code authorization}: the rules deciding which requests are let through, and what the audit log records.
 *
 * <p>Semantics (DESIGN.md): a matching {@code deny} rule refuses; otherwise, if there is any {@code allow} rule, the
 * request must match one; with no {@code allow} rule every authenticated request is allowed. A refused anonymous
 * request gets 401 with a challenge, a refused authenticated one 403.
 *
 * @param rules the rules, in the order written
 * @param audit which decisions are written to the {@code gatehouse.audit} log
 */
public record AuthorizationConfig(List<RuleConfig> rules, Audit audit) {

  /** No rules, refusals audited: what an absent {@code authorization} section means. */
  public static final AuthorizationConfig NONE = new AuthorizationConfig(List.of(), Audit.DENIED);

  /** Which decisions go to the audit log. */
  public enum Audit {
    /** Every refusal (400, 401, 403); the default. */
    DENIED,
    /** Every decision, allowed ones included. */
    ALL,
    /** Nothing. */
    NONE
  }

  /** How a peer named by its certificate's common name is written ({@code dev.gatehouse.Identity.COMMON_NAME_PREFIX}). */
  private static final String COMMON_NAME_PREFIX = "cn:";

  /** What a {@code principals} entry that cannot name an mTLS peer is told. */
  public static final String PEER_ONLY = "principals match the mTLS peer; use request-principals for Basic users and JWT subjects";

  /** Copies the rules. */
  public AuthorizationConfig {
    rules = List.copyOf(rules);
    Objects.requireNonNull(audit, "audit");
  }

  /**
   * Whether some rule names a SPIFFE peer: a {@code principals} or {@code not-principals} entry holding {@code spiffe:}
   * or a {@code /} (such as the pattern {@code *}{@code /ns/ops/sa/admin}), or a namespace. Such a deployment names its workloads by SPIFFE ID, so a certificate's CN is not
   * allowed to name a peer unless configured ({@code allow-common-names}).
   *
   * @return whether any rule does
   */
  public boolean namesSpiffePeers() {
    for (RuleConfig rule : rules) {
      RuleConfig.SourceConfig from = rule.from().orElse(null);
      if (from != null
          && (!from.namespaces().isEmpty()
              || !from.notNamespaces().isEmpty()
              || java.util.stream.Stream.concat(from.principals().stream(), from.notPrincipals().stream())
                  .anyMatch(name -> name.toLowerCase(java.util.Locale.ROOT).contains("spiffe:") || name.indexOf('/') >= 0))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Refuses rules whose meaning changed when {@code principals} came to mean the mTLS peer only: until then they also
   * matched Basic users and JWT subjects, so such a rule must fail at start rather than silently stop matching (or,
   * for {@code not-principals} in a deny rule, silently stop denying).
   *
   * <p>The rule: a {@code principals} or {@code not-principals} entry is refused when nothing can establish a peer
   * (no {@code authentication.client-certificate}), and when it starts with a configured JWT issuer followed by
   * {@code /}, which is a request principal's {@code iss/sub} by construction. An entry that is not {@code spiffe:...},
   * {@code cn:...} or a {@code *suffix} pattern is refused too: a peer has no other names.
   *
   * @param peerAuthentication whether some authenticator establishes the peer
   * @param jwtIssuers the configured JWT issuers
   * @throws ConfigException naming {@code authorization.rules[i].from.principals[j]} (or {@code not-principals})
   */
  public void checkPeerRules(boolean peerAuthentication, Collection<String> jwtIssuers) {
    Objects.requireNonNull(jwtIssuers, "jwtIssuers");
    for (int i = 0; i < rules.size(); i++) {
      RuleConfig.SourceConfig from = rules.get(i).from().orElse(null);
      if (from != null) {
        String key = "authorization.rules[" + i + "].from.";
        checkPeerNames(key + "principals", from.principals(), peerAuthentication, jwtIssuers);
        checkPeerNames(key + "not-principals", from.notPrincipals(), peerAuthentication, jwtIssuers);
      }
    }
  }

  /**
   * Refuses {@code request-principals} entries that could never match a JWT's request principal: {@code <iss>/<sub>}
   * percent-encodes {@code /} and {@code %} in the subject, so after a configured issuer and its {@code /} an entry may
   * hold neither a {@code /} (unless a longer configured issuer explains it) nor a {@code %} other than {@code %2F} and
   * {@code %25}. Such an entry was written for the old, ambiguous form; in a deny rule it would silently stop denying.
   *
   * @param jwtIssuers the configured JWT issuers
   * @throws ConfigException naming {@code authorization.rules[i].from.request-principals[j]} (or {@code
   *     not-request-principals}), with the entry as it must now be written
   */
  public void checkRequestPrincipals(Collection<String> jwtIssuers) {
    Objects.requireNonNull(jwtIssuers, "jwtIssuers");
    for (int i = 0; i < rules.size(); i++) {
      RuleConfig.SourceConfig from = rules.get(i).from().orElse(null);
      if (from != null) {
        String key = "authorization.rules[" + i + "].from.";
        checkRequestPrincipalNames(key + "request-principals", from.requestPrincipals(), jwtIssuers);
        checkRequestPrincipalNames(key + "not-request-principals", from.notRequestPrincipals(), jwtIssuers);
      }
    }
  }

  private static void checkRequestPrincipalNames(String key, List<String> names, Collection<String> jwtIssuers) {
    for (int j = 0; j < names.size(); j++) {
      String name = names.get(j);
      if (name.startsWith("*")) {
        continue;
      }
      String suggestion = null;
      boolean explained = false;
      for (String issuer : jwtIssuers) {
        if (!name.startsWith(issuer + "/")) {
          continue;
        }
        String subject = name.substring(issuer.length() + 1);
        String literal = subject.endsWith("*") ? subject.substring(0, subject.length() - 1) : subject;
        if (literal.indexOf('/') < 0 && validEscapes(literal)) {
          explained = true;
          break;
        }
        suggestion = issuer + "/" + literal.replace("%", "%25").replace("/", "%2F") + (subject.endsWith("*") ? "*" : "");
      }
      if (!explained && suggestion != null) {
        throw new ConfigException(
            key + "[" + j + "]",
            "a JWT request principal is <iss>/<sub> with '/' and '%' in sub written %2F and %25, so this never matches; write " + suggestion);
      }
    }
  }

  private static boolean validEscapes(String subject) {
    for (int i = subject.indexOf('%'); i >= 0; i = subject.indexOf('%', i + 1)) {
      if (!(subject.startsWith("%25", i) || subject.startsWith("%2F", i))) {
        return false;
      }
    }
    return true;
  }

  private static void checkPeerNames(String key, List<String> names, boolean peerAuthentication, Collection<String> jwtIssuers) {
    for (int j = 0; j < names.size(); j++) {
      String name = names.get(j);
      boolean jwtSubject = jwtIssuers.stream().anyMatch(issuer -> name.startsWith(issuer + "/"));
      if (!peerAuthentication || jwtSubject) {
        throw new ConfigException(key + "[" + j + "]", PEER_ONLY);
      }
      // A bare name was a certificate's CN until CN peers became cn:<CN>: refused, not left to match nothing (a deny
      // rule that silently stopped denying).
      if (!name.startsWith("*") && !name.regionMatches(true, 0, "spiffe:", 0, 7) && !name.startsWith(COMMON_NAME_PREFIX)) {
        throw new ConfigException(
            key + "[" + j + "]", "a peer is named by its SPIFFE ID (spiffe://...) or by cn: and its certificate's common name, such as cn:" + name);
      }
    }
  }
}
