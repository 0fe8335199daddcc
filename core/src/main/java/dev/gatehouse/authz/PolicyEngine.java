package dev.gatehouse.authz;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.Identities;
import dev.gatehouse.RequestView;
import dev.gatehouse.config.AuthorizationConfig;
import dev.gatehouse.config.RuleConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
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
 * <p>An {@code allow} rule without {@code from} lets anonymous requests through (public paths). A request with a peer,
 * a request principal or both counts as authenticated. The caller turns a refusal into 401 for an anonymous request,
 * and for a peer without a request principal when one could change the answer ({@link
 * PolicyResult#wantsRequestPrincipal()}: an allow rule naming {@code request-principals} matches the peer and the
 * operation, or the deny rule that matched names {@code not-request-principals}); otherwise into 403.
 *
 * <p>Immutable and thread-safe. Evaluating allocates nothing beyond a small per-request holder; no regular
 * expression is involved, so the time a request takes does not depend on how hostile it is. A request is only matched
 * against the rules its caller can satisfy: which rules those are depends on the caller's name, groups and namespace
 * alone, so it is worked out once per caller and remembered (bounded), and a thousand rules for a thousand workloads cost a caller what its own
 * few rules cost.
 */
public final class PolicyEngine {

  private static final PolicyResult NO_ALLOW_RULE_MATCHED = new PolicyResult(false, Optional.empty(), "no allow rule matched");
  private static final PolicyResult NO_ALLOW_RULE_MATCHED_WITHOUT_REQUEST_PRINCIPAL =
      new PolicyResult(false, Optional.empty(), "no allow rule matched; some need a request principal", true);
  private static final PolicyResult AUTHENTICATED = new PolicyResult(true, Optional.empty(), "authenticated; no allow rules configured");
  private static final PolicyResult ANONYMOUS = new PolicyResult(false, Optional.empty(), "anonymous; no allow rules configured");

  /** Up to this many rules every caller simply tries them all: a cache lookup would cost more than it saves. */
  private static final int SCAN_ALL_UP_TO = 8;

  /** Callers whose candidate rules are remembered; callers are workloads and users, not requests. */
  private static final int MAX_REMEMBERED_CALLERS = 10_000;

  /** The rules that can match one caller, in file order. */
  private record Candidates(CompiledRule[] deny, CompiledRule[] allow) {}

  private final boolean hasAllowRules;
  private final AuthorizationConfig config;
  private final CompiledRule[] denyRules;
  private final CompiledRule[] allowRules;
  private final Candidates anonymous;
  private final @Nullable Cache<Caller, Candidates> byCaller;
  private final Function<Caller, Candidates> candidatesOf = this::candidatesOf;
  private final Set<String> acceptedMethods;

  /** The methods accepted whatever the rules say; see {@link #acceptsMethod}. */
  static final Set<String> REGISTERED_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

  private static final PolicyResult METHOD_NOT_ACCEPTED = new PolicyResult(false, Optional.empty(), "method not accepted: not registered and named by no rule");

  private PolicyEngine(AuthorizationConfig config, CompiledRule[] denyRules, CompiledRule[] allowRules) {
    this.config = config;
    Set<String> methods = new HashSet<>(REGISTERED_METHODS);
    for (RuleConfig rule : config.rules()) {
      rule.to().ifPresent(to -> {
        methods.addAll(to.methods());
        methods.addAll(to.notMethods());
      });
    }
    methods.remove("*");
    this.acceptedMethods = Set.copyOf(methods);
    this.denyRules = denyRules;
    this.allowRules = allowRules;
    this.hasAllowRules = allowRules.length > 0;
    this.anonymous = candidatesOf((Caller) null);
    this.byCaller =
        denyRules.length + allowRules.length <= SCAN_ALL_UP_TO ? null : Caffeine.newBuilder().maximumSize(MAX_REMEMBERED_CALLERS).build();
  }

  private Candidates candidatesOf(@Nullable Caller caller) {
    return new Candidates(admitting(denyRules, caller), admitting(allowRules, caller));
  }

  private static CompiledRule[] admitting(CompiledRule[] rules, @Nullable Caller caller) {
    List<CompiledRule> kept = new ArrayList<>();
    for (CompiledRule rule : rules) {
      if (rule.matchesCaller(caller)) {
        kept.add(rule);
      }
    }
    return kept.toArray(CompiledRule[]::new);
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
   * @param identities the caller's peer and request principal; {@link Identities#ANONYMOUS} when it has neither
   * @return the result, naming the rule that decided
   */
  public PolicyResult evaluate(RequestView request, String canonicalPath, Identities identities) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(canonicalPath, "canonicalPath");
    Objects.requireNonNull(identities, "identities");
    if (!acceptedMethods.contains(request.method())) {
      // The engine rejects these first; a caller that asks the rules directly still never gets an allow.
      return METHOD_NOT_ACCEPTED;
    }
    Evaluation evaluation = new Evaluation(request, canonicalPath, identities);
    Caller caller = evaluation.caller;
    if (caller != null && byCaller == null) {
      // Few rules: try them all, whole.
      for (CompiledRule rule : denyRules) {
        if (rule.matches(evaluation)) {
          return rule.result;
        }
      }
      if (!hasAllowRules) {
        return AUTHENTICATED;
      }
      for (CompiledRule rule : allowRules) {
        if (rule.matches(evaluation)) {
          return rule.result;
        }
      }
      return noAllowRuleMatched(evaluation);
    }
    // Only the rules whose caller fields this caller satisfies, so only their request fields are left to check.
    Candidates candidates = caller == null ? anonymous : byCaller.get(caller, candidatesOf);
    for (CompiledRule rule : candidates.deny()) {
      if (rule.matchesRequest(evaluation)) {
        return rule.result;
      }
    }
    if (!hasAllowRules) {
      return caller == null ? ANONYMOUS : AUTHENTICATED;
    }
    for (CompiledRule rule : candidates.allow()) {
      if (rule.matchesRequest(evaluation)) {
        return rule.result;
      }
    }
    return noAllowRuleMatched(evaluation);
  }

  /**
   * No allow rule matched. For a peer without a request principal, says whether an allow rule would have matched with
   * one ({@link CompiledRule#couldMatchWithRequestPrincipal}), so that the answer is a 401 asking for it.
   */
  private PolicyResult noAllowRuleMatched(Evaluation evaluation) {
    Caller caller = evaluation.caller;
    if (caller != null && caller.requestPrincipal() == null) {
      for (CompiledRule rule : allowRules) {
        if (rule.couldMatchWithRequestPrincipal(evaluation)) {
          return NO_ALLOW_RULE_MATCHED_WITHOUT_REQUEST_PRINCIPAL;
        }
      }
    }
    return NO_ALLOW_RULE_MATCHED;
  }

  /**
   * Whether requests with this method may be decided on at all: the methods RFC 9110 and RFC 5789 register ({@code
   * GET HEAD POST PUT DELETE PATCH OPTIONS TRACE CONNECT}) and every method a rule names in {@code methods} or {@code
   * not-methods}, compared case-sensitively as HTTP says. Anything else ({@code FOO}, {@code delete}, WebDAV's {@code
   * MOVE} when no rule names it) would pass every method-scoped deny rule while a backend may still act on it, so the
   * engine refuses it with 400 before it looks at credentials.
   *
   * @param method the request method exactly as received
   * @return whether it is accepted
   */
  public boolean acceptsMethod(String method) {
    return acceptedMethods.contains(method);
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
