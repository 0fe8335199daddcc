package dev.gatehouse.servlet;

import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for token authentication: {@code Authorization: Bearer good} is the JWT identity {@code svc} in group
 * {@code ops}. It also records what the engine was shown of each request, so tests can check the servlet request view
 * end to end.
 */
final class TokenAuthenticator implements Authenticator {

  /** What one request looked like through the view. */
  record Seen(String method, String path, String remoteAddress, boolean secure, List<String> authorization) {}

  final List<Seen> seen = new CopyOnWriteArrayList<>();

  @Override
  public AuthenticationResult authenticate(RequestView request) {
    seen.add(
        new Seen(
            request.method(), request.path(), request.remoteAddress(), request.secure(), request.headers("authorization")));
    Optional<String> authorization = request.header("Authorization");
    if (authorization.isEmpty() || !authorization.get().startsWith("Bearer ")) {
      return AuthenticationResult.none();
    }
    if (!authorization.get().equals("Bearer good")) {
      return AuthenticationResult.failure("bad token");
    }
    return AuthenticationResult.success(
        new Identity("svc", Identity.JWT, Set.of("ops"), Map.of("email", "svc@example.com")));
  }

  @Override
  public Optional<String> challenge() {
    return Optional.of("Bearer");
  }
}
