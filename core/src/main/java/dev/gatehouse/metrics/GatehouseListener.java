package dev.gatehouse.metrics;

import dev.gatehouse.Identities;
import dev.gatehouse.RequestView;
import java.util.Optional;

/**
 * Hears about every decision the engine makes, as it makes it; what a metrics adapter (Micrometer, Prometheus) plugs
 * into. Register one with {@link dev.gatehouse.Gatehouse.Builder#listener}; an engine without one does no work for it.
 *
 * <p>Counts of reloads and key fetches are not pushed here: they are read when wanted from {@link
 * dev.gatehouse.Gatehouse#sources()}, which the background threads that do that work keep up to date.
 *
 * <p>Implementations are called on request threads, concurrently, after the decision is made and before the adapter
 * acts on it: they must be thread-safe, quick and must not block. An exception thrown by one is logged and ignored;
 * it never changes the decision.
 */
@FunctionalInterface
public interface GatehouseListener {

  /** The kind of a decision, as the {@value GatehouseMeters#DECISION_TAG} tag names it. */
  enum DecisionKind {
    /** The request was let through. */
    ALLOW("allow"),
    /** 401 with challenges: no acceptable credentials. */
    CHALLENGE("challenge"),
    /** 403: the caller is known and refused; also 429, a caller that spent its budget of failed attempts. */
    DENY("deny"),
    /** 400: the request was malformed or ambiguous. */
    REJECT("reject");

    private final String tag;

    DecisionKind(String tag) {
      this.tag = tag;
    }

    /**
     * The tag value.
     *
     * @return {@code allow}, {@code challenge}, {@code deny} or {@code reject}
     */
    public String tag() {
      return tag;
    }
  }

  /**
   * One decision was made.
   *
   * @param kind what was decided
   * @param authentication how the identity the application sees was established, as the {@value
   *     GatehouseMeters#AUTHN_TAG} tag names it ({@link GatehouseMeters#authnTag}): {@code basic}, {@code jwt}, {@code
   *     client_certificate}, a custom method's name, or {@code none} when the request has no identity
   * @param durationNanos how long the decision took
   */
  void decision(DecisionKind kind, String authentication, long durationNanos);

  /**
   * One decision was made, with the request it was about, who asked and the rule that decided: what an access log
   * wants besides the counts. The default forwards to {@link #decision(DecisionKind, String, long)}; the engine calls this one.
   *
   * @param request the request, exactly as the adapter handed it to the engine
   * @param kind what was decided
   * @param identities who the caller proved to be, refused or not; {@link Identities#ANONYMOUS} when nobody
   * @param authentication as in {@link #decision(DecisionKind, String, long)}
   * @param rule the name of the rule that decided; empty when no rule did (a malformed request, a failed
   *     authentication, no rules configured)
   * @param durationNanos how long the decision took
   */
  default void decision(
      RequestView request, DecisionKind kind, Identities identities, String authentication, Optional<String> rule, long durationNanos) {
    decision(kind, authentication, durationNanos);
  }
}
