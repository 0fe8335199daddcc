package dev.gatehouse;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Gatehouse#explain(RequestView)} found: the decision {@link Gatehouse#decide(RequestView)} would return,
 * and the steps that led to it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param decision the decision, exactly as {@code decide} makes it
 * @param path the canonical path; empty when the path was refused
 * @param rule the rule that decided; empty when a default did, or the request was refused before the rules
 * @param trace the stages the request went through, in order
 */
public record Explanation(Decision decision, Optional<String> path, Optional<String> rule, List<Step> trace) {

  /** Checks and copies. */
  public Explanation {
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(rule, "rule");
    trace = List.copyOf(trace);
  }

  /**
   * The status a client gets.
   *
   * @return 200 when allowed, else the refusal's status
   */
  public int status() {
    return decision instanceof Decision.Refusal refusal ? refusal.status() : 200;
  }

  /**
   * One stage of the pipeline and what it found.
   *
   * @param stage {@code path}, {@code dispatch}, {@code authenticate}, {@code identities} or {@code rules}
   * @param subject what the stage looked at: the authenticator, the rule; empty when nothing in particular
   * @param outcome what it found, for people; never contains credentials
   */
  public record Step(String stage, Optional<String> subject, String outcome) {
    /** Checks the values. */
    public Step {
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(outcome, "outcome");
    }
  }
}
