package dev.gatehouse.metrics;

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
}
