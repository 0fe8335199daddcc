package dev.gatehouse.authn;

import dev.gatehouse.Identity;
import java.util.Objects;

/**
 * The answer of one {@link Authenticator} about one request.
 *
 * <p>Three cases: {@link None} (no credentials of this kind), {@link Success} (an identity) and {@link Failure}
 * (credentials present but not acceptable). The distinction between none and failure matters: failure is always a 401,
 * even on a path the rules leave open, because a caller that sends a bad password must not be treated as anonymous.
 */
public sealed interface AuthenticationResult
    permits AuthenticationResult.None, AuthenticationResult.Success, AuthenticationResult.Failure {

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

  /** No credentials of this kind. */
  enum None implements AuthenticationResult {
    /** The only instance. */
    INSTANCE
  }

  /**
   * Verified credentials.
   *
   * @param identity who the caller is
   */
  record Success(Identity identity) implements AuthenticationResult {
    /** Creates a success. */
    public Success {
      Objects.requireNonNull(identity, "identity");
    }
  }

  /**
   * Credentials present but not acceptable.
   *
   * @param reason why, for logs; never contains the credential
   */
  record Failure(String reason) implements AuthenticationResult {
    /** Creates a failure. */
    public Failure {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
