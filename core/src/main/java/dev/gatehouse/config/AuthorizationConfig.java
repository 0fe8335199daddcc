package dev.gatehouse.config;

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

  /** Copies the rules. */
  public AuthorizationConfig {
    rules = List.copyOf(rules);
    Objects.requireNonNull(audit, "audit");
  }
}
