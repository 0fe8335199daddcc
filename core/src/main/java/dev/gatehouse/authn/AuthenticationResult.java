package dev.gatehouse.authn;

import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The answer of one {@link Authenticator} about one request.
 *
 * <p>Three cases: {@link None} (no credentials of this kind), {@link Success} (an identity) and {@link Failure}
 * (credentials present but not acceptable); and a fourth, {@link Vouched}, for the one authenticator that relays what a
 * trusted hop in front established (the sidecar's assertion). The distinction between none and failure matters: failure is always a 401,
 * even on a path the rules leave open, because a caller that sends a bad password must not be treated as anonymous.
 */
public sealed interface AuthenticationResult
    permits AuthenticationResult.None,
        AuthenticationResult.Success,
        AuthenticationResult.Failure,
        AuthenticationResult.Vouched,
        AuthenticationResult.Throttled {

  /**
   * No credentials of this kind in the request.
   *
   * @return the shared instance
   */
  static AuthenticationResult none() {
    return None.INSTANCE;
  }

  /**
   * The credentials were verified.
   *
   * @param identity who the caller is
   * @return a success
   */
  static AuthenticationResult success(Identity identity) {
    return new Success(identity);
  }

  /**
   * Credentials were present but are not acceptable.
   *
   * @param reason why, for logs: what was expected and what was seen, never the credential itself
   * @return a failure
   */
  static AuthenticationResult failure(String reason) {
    return new Failure(reason);
  }

  /**
   * Credentials were present but are not acceptable, and the 401 should say so in this method's own words.
   *
   * @param reason why, for logs: what was expected and what was seen, never the credential itself
   * @param challenge the {@code WWW-Authenticate} value that replaces this method's {@link Authenticator#challenge()},
   *     such as {@code Bearer realm="api", error="invalid_token", error_description="token expired"}
   * @return a failure
   */
  static AuthenticationResult failure(String reason, String challenge) {
    return new Failure(reason, Optional.of(challenge));
  }

  /**
   * A hop in front of this one, which the application trusts, authenticated the request and vouches for both of its
   * identities: the sidecar, through the assertion it signed. Only an authenticator whose {@link Authenticator#vouches()}
   * is {@code true} may answer this; the engine refuses it from any other.
   *
   * @param identities what the hop established: the peer, the request principal, both, or neither (a request the
   *     hop's rules let through anonymously)
   * @return a vouched result
   */
  static AuthenticationResult vouched(Identities identities) {
    return new Vouched(identities);
  }

  /**
   * Credentials were present but the caller has spent its budget of failed attempts, so they were not checked: the
   * engine answers 429 with {@code Retry-After} ({@link dev.gatehouse.Decision.Throttle}).
   *
   * @param reason why, for logs; never the credential
   * @param retryAfter how long until another attempt is allowed; positive
   * @return a throttled result
   */
  static AuthenticationResult throttled(String reason, java.time.Duration retryAfter) {
    return new Throttled(reason, retryAfter);
  }

  /** No credentials of this kind. */
  enum None implements AuthenticationResult {
    /** The only instance. */
    INSTANCE
  }

  /**
   * Verified credentials.
   *
   * @param identity who the caller is
   * @param headers further request headers for the application, such as claims a JWT issuer maps to headers; clients
   *     may never send these names, see {@link Authenticator#identityHeaderNames()}
   * @param removeHeaders request headers the application must not see, such as a bearer token that is not forwarded
   */
  record Success(Identity identity, Map<String, String> headers, Set<String> removeHeaders) implements AuthenticationResult {
    /** Creates a success, copying the collections. */
    public Success {
      Objects.requireNonNull(identity, "identity");
      headers = Map.copyOf(headers);
      removeHeaders = Set.copyOf(removeHeaders);
    }

    /**
     * A success with no further headers.
     *
     * @param identity who the caller is
     */
    public Success(Identity identity) {
      this(identity, Map.of(), Set.of());
    }
  }

  /**
   * Credentials present but not acceptable.
   *
   * @param reason why, for logs; never contains the credential
   * @param challenge the {@code WWW-Authenticate} value to send instead of the method's usual one, such as RFC 6750's
   *     {@code error="invalid_token"}; empty to send the usual one
   */
  record Failure(String reason, Optional<String> challenge) implements AuthenticationResult {
    /** Creates a failure. */
    public Failure {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(challenge, "challenge");
    }

    /**
     * A failure answered with the method's usual challenge.
     *
     * @param reason why, for logs
     */
    public Failure(String reason) {
      this(reason, Optional.empty());
    }
  }

  /**
   * Identities a trusted hop established, relayed as they are.
   *
   * @param identities the peer and the request principal, either or both possibly empty
   */
  record Vouched(Identities identities) implements AuthenticationResult {
    /** Checks the value. */
    public Vouched {
      Objects.requireNonNull(identities, "identities");
    }
  }

  /**
   * Credentials not checked because the caller spent its failure budget.
   *
   * @param reason why, for logs
   * @param retryAfter how long until another attempt is allowed
   */
  record Throttled(String reason, java.time.Duration retryAfter) implements AuthenticationResult {
    /** Checks the values. */
    public Throttled {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(retryAfter, "retryAfter");
      if (retryAfter.isNegative() || retryAfter.isZero()) {
        throw new IllegalArgumentException("retryAfter must be positive, was " + retryAfter);
      }
    }
  }
}
