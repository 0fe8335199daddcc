package dev.gatehouse;

import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.authn.basic.BasicAuthenticator;
import dev.gatehouse.authn.x509.ClientCertificateAuthenticator;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.http.ForwardedClientCert;
import dev.gatehouse.http.IdentityHeaders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: one entry point that turns a request into a {@link Decision}.
 *
 * <p>The pipeline is a list of {@link Authenticator} stages followed by the policy. The semantics are DESIGN.md's:
 * credentials that are present but invalid make a 401 whatever else holds; a request with no credentials is anonymous;
 * with no authorization rules configured every authenticated request is allowed and every anonymous one is challenged.
 *
 * <p>Create one per configuration with {@link #create(GatehouseConfig)} or {@link #builder()}, share it between all
 * request threads (it is immutable and thread-safe), and {@link #close()} it when the application stops, which stops
 * the background work of its authenticators (file reloading, for instance).
 */
public final class Gatehouse implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Gatehouse.class);

  private final List<Authenticator> authenticators;
  private final List<String> challenges;
  private final IdentityHeaders identityHeaders;
  private final Decision.Challenge anonymousChallenge;

  private Gatehouse(Builder builder) {
    this.authenticators = List.copyOf(builder.authenticators);
    List<String> all = new ArrayList<>();
    for (Authenticator authenticator : authenticators) {
      authenticator.challenge().ifPresent(all::add);
    }
    this.challenges = List.copyOf(all);
    this.identityHeaders = IdentityHeaders.defaults();
    this.anonymousChallenge = new Decision.Challenge(challenges, "no credentials");
  }

  /**
   * Builds the engine a configuration describes.
   *
   * @param config a validated configuration
   * @return a running engine; close it when done
   * @throws dev.gatehouse.config.ConfigException if a file the configuration names cannot be used
   */
  public static Gatehouse create(GatehouseConfig config) {
    Objects.requireNonNull(config, "config");
    Builder builder = builder();
    config.authentication().basic().ifPresent(basic -> builder.authenticator(BasicAuthenticator.create(basic)));
    config.authentication().clientCertificate().ifPresent(cert -> builder.authenticator(ClientCertificateAuthenticator.create(cert)));
    return builder.build();
  }

  /**
   * A builder for engines assembled in code.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Decides about one request. Never throws for anything the client sent; an authenticator that fails unexpectedly
   * makes the request a 401, since every error path must deny.
   *
   * @param request the request
   * @return the decision
   */
  public Decision decide(RequestView request) {
    Objects.requireNonNull(request, "request");
    Identity identity = null;
    for (int i = 0; i < authenticators.size(); i++) {
      AuthenticationResult result;
      try {
        result = authenticators.get(i).authenticate(request);
      } catch (RuntimeException e) {
        log.warn("authenticator {} failed; denying the request", authenticators.get(i).getClass().getSimpleName(), e);
        return new Decision.Challenge(challenges, "authenticator error");
      }
      if (result instanceof AuthenticationResult.Failure failure) {
        return new Decision.Challenge(challenges, failure.reason());
      }
      if (identity == null && result instanceof AuthenticationResult.Success success) {
        identity = success.identity();
      }
    }
    if (identity == null) {
      return anonymousChallenge;
    }
    Map<String, String> headers = upstreamHeaders(identity);
    addClientCertificate(headers, request);
    return new Decision.Allow(Optional.of(identity), headers);
  }

  /**
   * The headers a client may never send upstream, for adapters that forward.
   *
   * @return the identity header set of this engine
   */
  public IdentityHeaders identityHeaders() {
    return identityHeaders;
  }

  private static Map<String, String> upstreamHeaders(Identity identity) {
    Map<String, String> headers = new LinkedHashMap<>(4);
    headers.put(IdentityHeaders.USER, identity.name());
    if (!identity.groups().isEmpty()) {
      headers.put(IdentityHeaders.GROUPS, String.join(",", identity.groups().stream().sorted().toList()));
    }
    identity.attribute(Identity.EMAIL).ifPresent(email -> headers.put(IdentityHeaders.EMAIL, email));
    return headers;
  }

  /** A verified client certificate goes upstream in Envoy's XFCC format, whichever method named the caller. */
  private static void addClientCertificate(Map<String, String> headers, RequestView request) {
    java.util.List<java.security.cert.X509Certificate> chain = request.clientCertificates();
    if (!chain.isEmpty()) {
      headers.put(IdentityHeaders.CLIENT_CERT, ForwardedClientCert.format(chain.get(0)));
    }
  }

  /** Stops the authenticators' background work. Idempotent. */
  @Override
  public void close() {
    for (Authenticator authenticator : authenticators) {
      try {
        authenticator.close();
      } catch (RuntimeException e) {
        log.warn("closing {} failed", authenticator.getClass().getSimpleName(), e);
      }
    }
  }

  /** Assembles a {@link Gatehouse}. Not thread-safe; {@link #build()} does not change the builder. */
  public static final class Builder {

    private final List<Authenticator> authenticators = new ArrayList<>();

    private Builder() {}

    /**
     * Adds an authentication stage. Stages are asked in the order added; the first success names the caller.
     *
     * @param authenticator the stage
     * @return this builder
     */
    public Builder authenticator(Authenticator authenticator) {
      authenticators.add(Objects.requireNonNull(authenticator, "authenticator"));
      return this;
    }

    /**
     * Builds the engine.
     *
     * @return the engine
     * @throws IllegalStateException if no authenticator was added, since nobody could ever be let in
     */
    public Gatehouse build() {
      if (authenticators.isEmpty()) {
        throw new IllegalStateException("at least one authenticator is required");
      }
      return new Gatehouse(this);
    }
  }
}
