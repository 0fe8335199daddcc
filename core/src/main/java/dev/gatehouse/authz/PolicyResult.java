package dev.gatehouse.authz;

import java.util.Objects;
import java.util.Optional;

/**
 * What the rules say about one request, and which rule said it.
 *
 * <p>A refusal becomes 401 with a challenge when the caller is anonymous and 403 otherwise; that mapping is the
 * engine's, which knows whether there is an identity.
 *
 * @param allowed whether the request may proceed
 * @param rule the rule that decided: its {@code name}, else {@code rules[i]}; empty when no rule matched and the
 *     default decided
 * @param reason a short explanation for logs and {@code check}
 * @param wantsRequestPrincipal for a refusal: whether a request principal could change it (an allow rule naming {@code
 *     request-principals} matches the peer and the operation, or the deny rule that matched names {@code
 *     not-request-principals}), so that a peer without one gets a 401 with challenges rather than a 403
 */
public record PolicyResult(boolean allowed, Optional<String> rule, String reason, boolean wantsRequestPrincipal) {
  /** Checks the values. */
  public PolicyResult {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * A result no request principal could change.
   *
   * @param allowed see {@link #allowed()}
   * @param rule see {@link #rule()}
   * @param reason see {@link #reason()}
   */
  public PolicyResult(boolean allowed, Optional<String> rule, String reason) {
    this(allowed, rule, reason, false);
  }
}
