package dev.gatehouse.authz;

import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.config.AuthorizationConfig;
import dev.gatehouse.config.RuleConfig;
import dev.gatehouse.path.CanonicalPath;
import dev.gatehouse.path.PathCanonicalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code authorization.rules} compiled into matchers, applying DESIGN.md's decision semantics:
 *
 * <ol>
 *   <li>if any {@code deny} rule matches, the request is refused (the first matching one, in file order, is named);
 *   <li>otherwise, if there are {@code allow} rules, the request is allowed if one matches and refused if none does;
 *   <li>otherwise an authenticated request is allowed and an anonymous one refused.
 * </ol>
 *
 * <p>An {@code allow} rule without {@code from} lets anonymous requests through (public paths). The caller turns a
 * refusal into 401 for an anonymous request and 403 for an authenticated one.
 *
 * <p>Immutable and thread-safe. Evaluating allocates nothing beyond a small per-request holder; no regular
 * expression is involved, so the time a request takes does not depend on how hostile it is. Rules that name their
 * principals exactly are indexed by principal, so a caller is only matched against the rules that can concern it.
 */
public final class PolicyEngine {

  private static final PolicyResult NO_ALLOW_RULE_MATCHED = new PolicyResult(false, Optional.empty(), "no allow rule matched");
  private static final PolicyResult AUTHENTICATED = new PolicyResult(true, Optional.empty(), "authenticated; no allow rules configured");
  private static final PolicyResult ANONYMOUS = new PolicyResult(false, Optional.empty(), "anonymous; no allow rules configured");

  /** Beyond this many rule references the principal index is not built, and every rule is tried in turn. */
  private static final int MAX_INDEX_ENTRIES = 1 << 20;

  /** The rules that can match one caller, in file order. */
  private record Candidates(CompiledRule[] deny, CompiledRule[] allow) {}

  private final boolean hasAllowRules;
  private final AuthorizationConfig config;
  /** Rules that can match a caller whose name the index does not hold: all but those naming other principals exactly. */
  private final Candidates unindexed;
  /** For each principal named exactly by some rule: the rules that can match that caller. */
  private final Map<String, Candidates> byPrincipal;

  private PolicyEngine(AuthorizationConfig config, CompiledRule[] denyRules, CompiledRule[] allowRules) {
    this.config = config;
    this.hasAllowRules = allowRules.length > 0;
    // Most rule sets name their callers exactly ("alice", a SPIFFE ID). Such a rule cannot match anybody else, so each
    // caller only needs the rules naming it plus the rules that name nobody exactly; matching order is unchanged.
    Set<String> names = new HashSet<>();
    long unbound = 0;
    for (CompiledRule rule : concat(denyRules, allowRules)) {
      Set<String> exact = rule.exactPrincipals();
      if (exact == null) {
        unbound++;
      } else {
        names.addAll(exact);
      }
    }
    if (names.isEmpty() || names.size() * (unbound + 1) > MAX_INDEX_ENTRIES) {
      this.unindexed = new Candidates(denyRules, allowRules);
      this.byPrincipal = Map.of();
    } else {
      this.unindexed = new Candidates(candidates(denyRules, null), candidates(allowRules, null));
      Map<String, Candidates> index = new HashMap<>();
      for (String name : names) {
        index.put(name, new Candidates(candidates(denyRules, name), candidates(allowRules, name)));
      }
      this.byPrincipal = Map.copyOf(index);
    }
  }

  private static CompiledRule[] candidates(CompiledRule[] rules, @Nullable String name) {
    List<CompiledRule> kept = new ArrayList<>();
    for (CompiledRule rule : rules) {
      Set<String> exact = rule.exactPrincipals();
      if (exact == null || (name != null && exact.contains(name))) {
        kept.add(rule);
      }
    }
    return kept.toArray(CompiledRule[]::new);
  }

  private static CompiledRule[] concat(CompiledRule[] a, CompiledRule[] b) {
    CompiledRule[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /**
   * Compiles rules.
   *
   * @param config the {@code authorization} section
   * @return the engine
   * @throws dev.gatehouse.config.ConfigException naming the key, such as {@code authorization.rules[2].to.paths[0]}, of
   *     a value that cannot be matched
   */
  public static PolicyEngine compile(AuthorizationConfig config) {
    Objects.requireNonNull(config, "config");
    List<CompiledRule> deny = new ArrayList<>();
    List<CompiledRule> allow = new ArrayList<>();
    List<RuleConfig> rules = config.rules();
    for (int i = 0; i < rules.size(); i++) {
      CompiledRule rule = new CompiledRule(i, rules.get(i));
      (rule.deny ? deny : allow).add(rule);
    }
    return new PolicyEngine(config, deny.toArray(CompiledRule[]::new), allow.toArray(CompiledRule[]::new));
  }

  /**
   * Decides about a request.
   *
   * @param request the request, for its method, headers, peer address and local port
   * @param canonicalPath the request's path as {@link dev.gatehouse.path.PathCanonicalizer} made it
   * @param identity the caller; empty when anonymous
   * @return the result, naming the rule that decided
   */
  public PolicyResult evaluate(RequestView request, String canonicalPath, Optional<Identity> identity) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(canonicalPath, "canonicalPath");
    Identity caller = identity.orElse(null);
    Evaluation evaluation = new Evaluation(request, canonicalPath, caller);
    Candidates candidates = caller == null ? unindexed : byPrincipal.getOrDefault(caller.name(), unindexed);
    for (CompiledRule rule : candidates.deny()) {
      if (rule.matches(evaluation)) {
        return rule.result;
      }
    }
    if (!hasAllowRules) {
      return caller == null ? ANONYMOUS : AUTHENTICATED;
    }
    for (CompiledRule rule : candidates.allow()) {
      if (rule.matches(evaluation)) {
        return rule.result;
      }
    }
    return NO_ALLOW_RULE_MATCHED;
  }

  /**
   * Explains what these rules decide about a request from a given caller, credentials taken as verified: the path is
   * made canonical as {@link dev.gatehouse.Gatehouse#decide} does, then the rules are applied. For {@code check} on the
   * command line; the status is the one a client would get.
   *
   * @param request the request
   * @param identity the caller; empty when anonymous
   * @return the status (200, 400, 401 or 403), the canonical path, and the rule that decided
   */
  public Explanation explain(RequestView request, Optional<Identity> identity) {
    CanonicalPath canonical = PathCanonicalizer.canonicalize(request.path());
    if (canonical instanceof CanonicalPath.Rejected rejected) {
      return new Explanation(400, Optional.empty(), Optional.empty(), rejected.reason());
    }
    String path = ((CanonicalPath.Valid) canonical).path();
    PolicyResult result = evaluate(request, path, identity);
    int status = result.allowed() ? 200 : identity.isPresent() ? 403 : 401;
    return new Explanation(status, Optional.of(path), result.rule(), result.reason());
  }

  /**
   * What {@link #explain} found.
   *
   * @param status 200 when allowed, else the refusal's status
   * @param path the canonical path; empty when the path was refused
   * @param rule the rule that decided; empty when a default did
   * @param reason why
   */
  public record Explanation(int status, Optional<String> path, Optional<String> rule, String reason) {
    /** Checks the values. */
    public Explanation {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The configuration these rules were compiled from.
   *
   * @return the {@code authorization} section
   */
  public AuthorizationConfig config() {
    return config;
  }
}
