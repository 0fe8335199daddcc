package dev.gatehouse;

import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.authn.basic.BasicAuthenticator;
import dev.gatehouse.authn.jwt.JwtAuthenticator;
import dev.gatehouse.config.BasicConfig;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.http.IdentityHeaders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
  /** For each authenticator, the index of its challenge in {@link #challenges}, or -1 when it has none. */
  private final int[] challengeIndex;
  private final IdentityHeaders identityHeaders;
  private final Decision.Challenge anonymousChallenge;

  private Gatehouse(Builder builder) {
    this.authenticators = List.copyOf(builder.authenticators);
    List<String> all = new ArrayList<>();
    Set<String> extraHeaders = new LinkedHashSet<>();
    this.challengeIndex = new int[authenticators.size()];
    for (int i = 0; i < authenticators.size(); i++) {
      Optional<String> challenge = authenticators.get(i).challenge();
      challengeIndex[i] = challenge.isPresent() ? all.size() : -1;
      challenge.ifPresent(all::add);
      extraHeaders.addAll(authenticators.get(i).identityHeaderNames());
    }
    this.challenges = List.copyOf(all);
    this.identityHeaders = IdentityHeaders.withExtra(extraHeaders);
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
    if (!config.authentication().jwt().isEmpty()) {
      // One realm for every scheme, so a client sees one protection space.
      String realm = config.authentication().basic().map(BasicConfig::realm).orElse(BasicConfig.DEFAULT_REALM);
      builder.authenticator(JwtAuthenticator.create(config.authentication().jwt(), realm));
    }
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
    AuthenticationResult.Success identified = null;
    Set<String> removeHeaders = Set.of();
    for (int i = 0; i < authenticators.size(); i++) {
      AuthenticationResult result;
      try {
        result = authenticators.get(i).authenticate(request);
      } catch (RuntimeException e) {
        log.warn("authenticator {} failed; denying the request", authenticators.get(i).getClass().getSimpleName(), e);
        return new Decision.Challenge(challenges, "authenticator error");
      }
      if (result instanceof AuthenticationResult.Failure failure) {
        return new Decision.Challenge(challengesFor(i, failure), failure.reason());
      }
      if (result instanceof AuthenticationResult.Success success) {
        if (identity == null) {
          identity = success.identity();
          identified = success;
        }
        if (!success.removeHeaders().isEmpty()) {
          removeHeaders = union(removeHeaders, success.removeHeaders());
        }
      }
    }
    if (identity == null) {
      return anonymousChallenge;
    }
    Map<String, String> headers = upstreamHeaders(identity);
    if (!identified.headers().isEmpty()) {
      headers.putAll(identified.headers());
    }
    return new Decision.Allow(Optional.of(identity), headers, removeHeaders);
  }

  /** The challenges of a 401 caused by one authenticator: its own replaced by the failure's, if it words one. */
  private List<String> challengesFor(int authenticator, AuthenticationResult.Failure failure) {
    int index = challengeIndex[authenticator];
    if (failure.challenge().isEmpty() || index < 0) {
      return challenges;
    }
    List<String> worded = new ArrayList<>(challenges);
    worded.set(index, failure.challenge().get());
    return worded;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new LinkedHashSet<>(a);
    all.addAll(b);
    return all;
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
