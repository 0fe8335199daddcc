package dev.gatehouse.authn;

import dev.gatehouse.RequestView;
import java.util.Optional;
import java.util.Set;

/**
 * One way of proving who a caller is: HTTP Basic, a JWT, a client certificate, or your own.
 *
 * <p>The engine asks every configured authenticator about every request. An authenticator that finds no credentials of
 * its kind answers {@link AuthenticationResult#none()}; one that finds credentials answers either {@link
 * AuthenticationResult#success success} or {@link AuthenticationResult#failure failure}, and a failure makes the whole
 * request a 401 whatever the rules say.
 *
 * <p>Implementations must be thread-safe and must not block on I/O on the request path, except where their contract
 * says so (a rate-limited key fetch, for instance). They must never log credentials.
 */
public interface Authenticator extends AutoCloseable {

  /**
   * Looks for this method's credentials in the request and checks them.
   *
   * @param request the request; never {@code null}
   * @return none, success with an identity, or failure with a reason for the logs
   */
  AuthenticationResult authenticate(RequestView request);

  /**
   * The {@code WWW-Authenticate} value sent with a 401, such as {@code Basic realm="Restricted", charset="UTF-8"}.
   *
   * @return the challenge, or empty when this method has none (client certificates)
   */
  Optional<String> challenge();

  /**
   * The request headers this method sends to the application on success (beyond {@code X-Forwarded-User} and the
   * other built-in identity headers), such as the targets of a JWT issuer's {@code claims-to-headers}. The engine adds
   * them to the headers no client may send, so a client cannot set them itself.
   *
   * @return the header names; empty by default
   */
  default Set<String> identityHeaderNames() {
    return Set.of();
  }

  /** Releases background resources (file watchers, key refreshers). The default does nothing. */
  @Override
  default void close() {}
}
