package dev.gatehouse;

import dev.gatehouse.http.RequestHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine decided about one request.
 *
 * <p>Either the request is {@link Allow allowed}, and the adapter forwards it (or continues the filter chain) carrying
 * the identity and the headers to add, or it is a {@link Refusal} the adapter writes back as it is: a {@link Challenge}
 * (401), a {@link Deny} (403), a {@link Reject} (400) or a {@link Throttle} (429 with {@code Retry-After}). Adapters
 * never change a decision.
 */
public sealed interface Decision permits Decision.Allow, Decision.Refusal {

  /**
   * The request may proceed.
   *
   * @param identities who made it: the peer, the request principal, both or (when rules allow anonymous access)
   *     neither
   * @param requestHeaders what the adapter does to the request's headers: which client-sent ones it removes (sidecar)
   *     or hides (filter), and which it sets; the adapter only applies this
   * @param path the canonical path the decision was made on, which the sidecar forwards instead of the raw one; empty
   *     only for decisions made without looking at the path
   */
  record Allow(Identities identities, RequestHeaders requestHeaders, Optional<String> path) implements Decision {
    /** Checks the values. */
    public Allow {
      Objects.requireNonNull(identities, "identities");
      Objects.requireNonNull(requestHeaders, "requestHeaders");
      Objects.requireNonNull(path, "path");
    }

    /**
     * The identity the application sees as its user: the request principal, else the peer.
     *
     * @return the identity; empty when anonymous
     */
    public Optional<Identity> identity() {
      return identities.primary();
    }

    /**
     * The identity headers the engine sets, in a stable order; shorthand for {@code requestHeaders().toSet()}.
     *
     * @return name to value; names as in {@link dev.gatehouse.http.IdentityHeaders}
     */
    public Map<String, String> headers() {
      return requestHeaders.toSet();
    }
  }

  /**
   * The request is refused; the adapter writes {@link #status()}, one {@code WWW-Authenticate} header per element of
   * {@link #challenges()}, a {@code Retry-After} header when {@link #retryAfterSeconds()} is positive, and {@link
   * #body()} as {@code text/plain; charset=UTF-8}.
   */
  sealed interface Refusal extends Decision permits Challenge, Deny, Reject, Throttle {
    /**
     * The HTTP status to answer with.
     *
     * @return 400, 401, 403 or 429
     */
    int status();

    /**
     * The value of the {@code Retry-After} header to send, in whole seconds (RFC 9110 section 10.2.3).
     *
     * @return the seconds, at least 1, for a {@link Throttle}; 0, meaning no header, for every other refusal
     */
    default long retryAfterSeconds() {
      return 0;
    }

    /**
     * The {@code WWW-Authenticate} values to send.
     *
     * @return the challenges; empty unless the status is 401
     */
    List<String> challenges();

    /**
     * The fixed, short response body. It never contains anything from the request.
     *
     * @return the body text
     */
    String body();

    /**
     * Why the request was refused, for the adapter's log. Never contains credentials.
     *
     * @return a short diagnosis
     */
    String reason();
  }

  /**
   * 401: no acceptable credentials; the client may try again with the given challenges.
   *
   * @param challenges the {@code WWW-Authenticate} values, one per configured method
   * @param reason why, for logs
   */
  record Challenge(List<String> challenges, String reason) implements Refusal {
    /** Creates a challenge, copying the list. */
    public Challenge {
      challenges = List.copyOf(challenges);
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public int status() {
      return 401;
    }

    @Override
    public String body() {
      return "Unauthorized\n";
    }
  }

  /**
   * 403: the caller is known but not allowed.
   *
   * @param reason why, for logs
   */
  record Deny(String reason) implements Refusal {
    /** Creates a deny decision. */
    public Deny {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public int status() {
      return 403;
    }

    @Override
    public List<String> challenges() {
      return List.of();
    }

    @Override
    public String body() {
      return "Forbidden\n";
    }
  }

  /**
   * 400: the request is malformed or ambiguous, so no safe decision can be made about it.
   *
   * @param reason why, for logs
   */
  record Reject(String reason) implements Refusal {
    /** Creates a reject decision. */
    public Reject {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public int status() {
      return 400;
    }

    @Override
    public List<String> challenges() {
      return List.of();
    }

    @Override
    public String body() {
      return "Bad Request\n";
    }
  }

  /**
   * 429: the caller spent its budget of failed attempts (HTTP Basic: wrong passwords from its address, or for one user
   * from its address); it may try again after {@link #retryAfter()}. Made before any password is hashed, so it costs
   * the server nothing. Metrics count it as a deny ({@code GatehouseListener.DecisionKind.DENY}).
   *
   * @param retryAfter how long until the budget allows another attempt; positive
   * @param reason why, for logs
   */
  record Throttle(Duration retryAfter, String reason) implements Refusal {
    /** Checks the values. */
    public Throttle {
      Objects.requireNonNull(retryAfter, "retryAfter");
      Objects.requireNonNull(reason, "reason");
      if (retryAfter.isNegative() || retryAfter.isZero()) {
        throw new IllegalArgumentException("retryAfter must be positive, was " + retryAfter);
      }
    }

    @Override
    public int status() {
      return 429;
    }

    @Override
    public List<String> challenges() {
      return List.of();
    }

    @Override
    public String body() {
      return "Too Many Requests\n";
    }

    /** Rounded up, so that a client that waits exactly this long finds the budget refilled. */
    @Override
    public long retryAfterSeconds() {
      long seconds = retryAfter.toSeconds();
      return retryAfter.toNanosPart() == 0 && seconds > 0 ? seconds : seconds + 1;
    }
  }
}
