package dev.gatehouse.authn;

import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.authn.assertion.SidecarAssertion;
import dev.gatehouse.authn.basic.BasicAuthentication;
import dev.gatehouse.authn.jwt.JwtAuthentication;
import dev.gatehouse.authn.x509.ClientCertificateAuthentication;
import dev.gatehouse.config.BasicConfig;
import dev.gatehouse.config.ClientCertificateConfig;
import dev.gatehouse.config.JwtIssuerConfig;
import dev.gatehouse.metrics.SourceStatus;
import dev.gatehouse.config.SidecarAssertionConfig;
import java.util.List;
import java.util.Objects;
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
 * <p>Every authenticator runs on every request. Each establishes one {@link #kind()} of identity: the client
 * certificate one the peer, all others (a custom one by default) the request principal. Two successes of the same
 * kind make the request a 401, since it would be ambiguous who the caller is.
 *
 * <p>Whatever an authenticator returns passes one boundary before it reaches a header or a {@code Principal} ({@link
 * dev.gatehouse.http.IdentityHeaders#isSafeValue}): an identity whose name HTTP would read differently makes the
 * request a 401; groups, an e-mail address or header values that fail it are dropped. Implementations need not
 * check for that themselves.
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

  /**
   * Which of the request's two identities a success of this authenticator establishes.
   *
   * <p>Only authenticators that read what the TLS layer verified ({@link RequestView#clientCertificates()}) may answer
   * {@link Identity.Kind#PEER}: authorization's {@code principals} and {@code namespaces} trust it as the calling
   * workload.
   *
   * @return {@link Identity.Kind#REQUEST_PRINCIPAL} by default
   */
  default Identity.Kind kind() {
    return Identity.Kind.REQUEST_PRINCIPAL;
  }

  /**
   * A short name for this method, for operators (Actuator's info, logs): {@code basic}, {@code jwt}, {@code
   * client-certificate} for the built-in ones.
   *
   * @return the name; the class's simple name by default
   */
  default String name() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() ? getClass().getName() : simple;
  }

  /**
   * How the files this method reloads and the key sets it fetches are doing, read by {@link
   * dev.gatehouse.Gatehouse#sources()} for health checks and metrics. Called from any thread, at any time; it must be
   * cheap and must not block.
   *
   * @return a snapshot of each source; empty by default, for methods that read nothing in the background
   */
  default List<SourceStatus> sources() {
    return List.of();
  }

  /**
   * Whether this authenticator relays identities a trusted hop in front already established, answering {@link
   * AuthenticationResult#vouched}: both the peer and the request principal at once. Only {@link #sidecarAssertion}
   * does; such an authenticator must be the engine's only one, since the hop authenticated the caller and a request it
   * did not vouch for is refused whatever else it carries.
   *
   * @return {@code false} by default
   */
  default boolean vouches() {
    return false;
  }

  /**
   * The sidecar's signed assertion ({@code X-Gatehouse-Assertion}): the application's end of zero trust inside the
   * pod. Every request without a valid assertion is a 401; a valid one carries the sidecar's peer and request
   * principal.
   *
   * @param config the {@code authentication.sidecar-assertion} section
   * @return the authenticator
   * @throws dev.gatehouse.config.ConfigException if the key file holds no usable key
   */
  static Authenticator sidecarAssertion(SidecarAssertionConfig config) {
    return SidecarAssertion.authenticator(config);
  }

  /**
   * HTTP Basic against an htpasswd file, which is re-read when it changes.
   *
   * @param config the {@code authentication.basic} section
   * @return the authenticator; close it to stop watching the file
   * @throws dev.gatehouse.config.ConfigException if the file cannot be read
   */
  static Authenticator basic(BasicConfig config) {
    return BasicAuthentication.authenticator(config);
  }

  /**
   * JWT bearer tokens from the configured issuers.
   *
   * @param issuers the {@code authentication.jwt} entries; at least one
   * @param realm the realm of the {@code Bearer} challenge
   * @return the authenticator; close it to stop refreshing keys
   * @throws IllegalArgumentException if there is no issuer or the realm cannot be quoted
   */
  static Authenticator jwt(List<JwtIssuerConfig> issuers, String realm) {
    return JwtAuthentication.authenticator(issuers, realm);
  }

  /**
   * The verified TLS client certificate, which names the {@linkplain Identity.Kind#PEER peer}.
   *
   * @param config the {@code authentication.client-certificate} section
   * @return the authenticator
   * @throws dev.gatehouse.config.ConfigException if a trust domain's CA bundle cannot be read
   */
  static Authenticator clientCertificate(ClientCertificateConfig config) {
    return ClientCertificateAuthentication.authenticator(config);
  }

  /**
   * An authenticator that names every request's caller as the given identity without looking at the request: the
   * caller is taken to have proven it already. For {@code check} on the command line and for tests, which then run
   * the very pipeline requests go through; never for serving.
   *
   * @param kind which identity it establishes, which it declares even when {@code identity} is empty (so that rules on
   *     peers stay valid when no peer is stated)
   * @param identity the identity every request gets; empty for none
   * @return the authenticator
   */
  static Authenticator assuming(Identity.Kind kind, Optional<Identity> identity) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(identity, "identity");
    AuthenticationResult success = identity.map(AuthenticationResult::success).orElse(AuthenticationResult.none());
    return new Authenticator() {
      @Override
      public AuthenticationResult authenticate(RequestView request) {
        return success;
      }

      @Override
      public Optional<String> challenge() {
        return Optional.empty();
      }

      @Override
      public Identity.Kind kind() {
        return kind;
      }

      @Override
      public String toString() {
        return "assuming " + kind + " " + identity.map(Identity::name).orElse("(none)");
      }
    };
  }

  /** Releases background resources (file watchers, key refreshers). The default does nothing. */
  @Override
  default void close() {}
}
