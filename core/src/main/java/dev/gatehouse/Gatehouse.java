package dev.gatehouse;

import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.authn.assertion.AssertionSigner;
import dev.gatehouse.authn.assertion.SidecarAssertion;
import dev.gatehouse.authz.PolicyEngine;
import dev.gatehouse.authz.PolicyResult;
import dev.gatehouse.authz.ReloadingPolicy;
import dev.gatehouse.config.AuthorizationConfig;
import dev.gatehouse.config.BasicConfig;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.http.ForwardedClientCert;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.http.RequestHeaders;
import dev.gatehouse.metrics.GatehouseListener;
import dev.gatehouse.metrics.GatehouseMeters;
import dev.gatehouse.metrics.SourceStatus;
import dev.gatehouse.path.CanonicalPath;
import dev.gatehouse.path.PathCanonicalizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: one entry point that turns a request into a {@link Decision}.
 *
 * <p>The pipeline: the path is made canonical first ({@link PathCanonicalizer}; an ambiguous or hostile one is a 400
 * before anything else), a method that is neither registered nor named by a rule is a 400 ({@link
 * PolicyEngine#acceptsMethod}), then a list of {@link Authenticator} stages, then the authorization rules ({@link
 * PolicyEngine}). The semantics are DESIGN.md's: credentials that are present but invalid make a 401 whatever else
 * holds; a request with no credentials is anonymous; a refusal by the rules is a 401 with a challenge for an anonymous
 * request and a 403 for an authenticated one; with no allow rule every authenticated request is allowed. Refusals (and,
 * with {@code authorization.audit: all}, every decision) are written to the {@code gatehouse.audit} log as JSON.
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
  /** Each authenticator's {@link Authenticator#kind()}, asked once. */
  private final Identity.Kind[] kinds;
  private final IdentityHeaders identityHeaders;
  private final Supplier<PolicyEngine> policy;
  private final @Nullable ReloadingPolicy reloadingPolicy;
  /** What {@code run} is given as its start time when no listener is to hear of the decision. */
  private static final long UNTIMED = Long.MIN_VALUE;

  /** Null without a listener: {@code decide} then neither reads the clock nor names the decision. */
  private final @Nullable GatehouseListener listener;

  private final @Nullable AssertionSigner assertionSigner;
  private final AuditSink auditSink;

  private Gatehouse(
      List<Authenticator> authenticators,
      Supplier<PolicyEngine> policy,
      @Nullable GatehouseListener listener,
      @Nullable AssertionSigner assertionSigner,
      AuditSink auditSink,
      IdentityHeaders identityHeaders) {
    this.authenticators = authenticators;
    this.auditSink = auditSink;
    this.assertionSigner = assertionSigner;
    this.policy = policy;
    this.listener = listener;
    this.reloadingPolicy = policy instanceof ReloadingPolicy reloading ? reloading : null;
    List<String> all = new ArrayList<>();
    this.challengeIndex = new int[authenticators.size()];
    this.kinds = new Identity.Kind[authenticators.size()];
    for (int i = 0; i < authenticators.size(); i++) {
      kinds[i] = Objects.requireNonNull(authenticators.get(i).kind(), "kind");
      Optional<String> challenge = authenticators.get(i).challenge();
      challengeIndex[i] = challenge.isPresent() ? all.size() : -1;
      challenge.ifPresent(all::add);
    }
    this.challenges = List.copyOf(all);
    this.identityHeaders = identityHeaders;
  }

  /**
   * The protected names: the built-in ones plus every header an authenticator sets, less the routing headers the
   * configuration passes from the client (which may not name any of the former).
   */
  private static IdentityHeaders identityHeaders(List<Authenticator> authenticators, List<String> passFromClient) {
    Set<String> extraHeaders = new LinkedHashSet<>();
    for (Authenticator authenticator : authenticators) {
      extraHeaders.addAll(authenticator.identityHeaderNames());
    }
    try {
      return IdentityHeaders.withExtra(extraHeaders).passingFromClient(passFromClient);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("headers.pass-from-client", e.getMessage());
    }
  }

  /**
   * Builds the engine a configuration describes, with fixed rules: {@code builder().config(config).build()}.
   *
   * @param config a validated configuration
   * @return a running engine; close it when done
   * @throws dev.gatehouse.config.ConfigException if a file the configuration names cannot be used, or a rule cannot be
   *     compiled
   */
  public static Gatehouse create(GatehouseConfig config) {
    return builder().config(config).build();
  }

  /**
   * Builds the engine a configuration file describes and reloads its authorization rules whenever the file changes
   * (see {@link ReloadingPolicy}): {@code builder().config(loaded).reloadingRules(file, overrides).build()}, what the
   * servlet filter uses.
   *
   * @param file the YAML file
   * @param overrides dotted keys overriding the file, applied again on every reload
   * @return a running engine; close it to stop watching the file
   * @throws dev.gatehouse.config.ConfigException if the configuration is invalid
   */
  public static Gatehouse watching(Path file, Map<String, String> overrides) {
    Objects.requireNonNull(file, "file");
    return builder().config(ConfigLoader.load(Optional.of(file), overrides)).reloadingRules(file, overrides).build();
  }

  /**
   * The one way engines are assembled: from a configuration, from authenticators and rules given in code, or both.
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
   * <p>Every authenticator is asked. The {@linkplain Identity.Kind#PEER peer} comes from the one that reads the client
   * certificate, the request principal from the others; two of the same kind make the request a 401 (ambiguous), as
   * does any failure. Then the rules decide; a refusal is a 401 with challenges for a request with no identity, and
   * for a peer without a request principal when one could change the answer; otherwise a 403.
   *
   * @param request the request
   * @return the decision
   */
  public Decision decide(RequestView request) {
    Objects.requireNonNull(request, "request");
    return run(request, null, listener == null ? UNTIMED : System.nanoTime());
  }

  /**
   * Decides about one request exactly as {@link #decide} does, through the same code, and says how: each stage's
   * finding and the rule that decided. For {@code check} on the command line and for people debugging rules; slower
   * than {@code decide}, which records nothing.
   *
   * @param request the request
   * @return the decision and its trace
   */
  public Explanation explain(RequestView request) {
    Objects.requireNonNull(request, "request");
    Trace trace = new Trace();
    // Not a decision about traffic: the listener does not hear of it.
    Decision decision = run(request, trace, UNTIMED);
    return new Explanation(decision, Optional.ofNullable(trace.path), Optional.ofNullable(trace.rule), trace.steps);
  }

  /** What {@link #explain} collects; {@code decide} passes none, so its hot path allocates no trace. */
  private static final class Trace {
    final List<Explanation.Step> steps = new ArrayList<>();
    @Nullable String path;
    @Nullable String rule;

    void add(String stage, @Nullable String subject, String outcome) {
      steps.add(new Explanation.Step(stage, Optional.ofNullable(subject), outcome));
    }
  }

  private Decision run(RequestView request, @Nullable Trace trace, long started) {
    PolicyEngine rules = policy.get();
    AuthorizationConfig.Audit audit = rules.config().audit();
    CanonicalPath canonical = PathCanonicalizer.canonicalize(request.path());
    if (canonical instanceof CanonicalPath.Rejected rejected) {
      if (trace != null) {
        trace.add("path", null, "refused: " + rejected.reason());
      }
      return refused(new Decision.Reject(rejected.reason()), request, request.path(), Identities.ANONYMOUS, Optional.empty(), audit, started);
    }
    CanonicalPath.Valid valid = (CanonicalPath.Valid) canonical;
    String path = valid.path();
    if (trace != null) {
      trace.path = path;
      trace.add("path", null, "canonical " + path);
    }
    if (!rules.acceptsMethod(request.method())) {
      // A method no rule can be written against would pass every method-scoped deny; see PolicyEngine#acceptsMethod.
      String reason = "method not accepted: not registered and named by no rule";
      if (trace != null) {
        trace.add("method", null, "refused: " + reason);
      }
      return refused(new Decision.Reject(reason), request, path, Identities.ANONYMOUS, Optional.empty(), audit, started);
    }
    Optional<String> dispatch = request.dispatchPath();
    if (dispatch.isPresent() && !dispatch.get().equals(valid.decoded())) {
      // The container resolved the path differently from us: whatever rule matched, the app would serve another path.
      String reason = "the container dispatches another path than the canonical one";
      if (trace != null) {
        trace.add("dispatch", null, "refused: " + reason);
      }
      return refused(new Decision.Reject(reason), request, path, Identities.ANONYMOUS, Optional.empty(), audit, started);
    }
    Identity peer = null;
    Identity principal = null;
    Map<String, String> extraHeaders = Map.of();
    Set<String> removeHeaders = Set.of();
    for (int i = 0; i < authenticators.size(); i++) {
      Authenticator authenticator = authenticators.get(i);
      AuthenticationResult result;
      try {
        result = authenticator.authenticate(request);
      } catch (RuntimeException e) {
        log.warn("authenticator {} failed; denying the request", authenticator.getClass().getSimpleName(), e);
        return challenged(trace, authenticator, "authenticator error", challenges, request, path, audit, started);
      }
      if (result instanceof AuthenticationResult.Failure failure) {
        return challenged(trace, authenticator, failure.reason(), challengesFor(i, failure), request, path, audit, started);
      }
      if (result instanceof AuthenticationResult.Throttled throttled) {
        if (trace != null) {
          trace.add("authenticate", name(authenticator), "throttled: " + throttled.reason());
        }
        return refused(new Decision.Throttle(throttled.retryAfter(), throttled.reason()), request, path, Identities.ANONYMOUS, Optional.empty(), audit, started);
      }
      if (result instanceof AuthenticationResult.Vouched vouched) {
        if (!authenticator.vouches() || peer != null || principal != null) {
          // Only the sidecar-assertion authenticator may name both identities, and only as the engine's one source of them.
          return challenged(trace, authenticator, "vouched identities from an authenticator that may not vouch, or beside another", challenges, request, path, audit, started);
        }
        Identity vouchedPeer = vouched.identities().peer().map(IdentityBoundary::admit).orElse(null);
        Identity vouchedPrincipal = vouched.identities().requestPrincipal().map(IdentityBoundary::admit).orElse(null);
        if (vouchedPeer == null && vouched.identities().peer().isPresent() || vouchedPrincipal == null && vouched.identities().requestPrincipal().isPresent()) {
          return challenged(trace, authenticator, "identity name is not a safe header value", challenges, request, path, audit, started);
        }
        peer = vouchedPeer;
        principal = vouchedPrincipal;
        if (trace != null) {
          trace.add(
              "authenticate",
              name(authenticator),
              "vouched: peer " + (peer == null ? "(none)" : peer.name()) + ", request principal " + (principal == null ? "(none)" : principal.name()));
        }
        continue;
      }
      if (!(result instanceof AuthenticationResult.Success success)) {
        if (trace != null) {
          trace.add("authenticate", name(authenticator), "no credentials");
        }
        continue;
      }
      Identity identity = IdentityBoundary.admit(success.identity());
      if (identity == null) {
        return challenged(trace, authenticator, "identity name is not a safe header value", challenges, request, path, audit, started);
      }
      boolean isPeer = kinds[i] == Identity.Kind.PEER;
      if (isPeer ? peer != null : principal != null) {
        // Two proofs of the same kind (Basic and a JWT, say) leave open who the caller is; guessing could pick the wrong one.
        String reason = "more than one " + (isPeer ? "peer" : "request principal") + ": ambiguous";
        return challenged(trace, authenticator, reason, challenges, request, path, audit, started);
      }
      if (isPeer) {
        peer = identity;
      } else {
        principal = identity;
      }
      if (trace != null) {
        trace.add("authenticate", name(authenticator), (isPeer ? "peer " : "request principal ") + identity.name());
      }
      if (!success.headers().isEmpty()) {
        extraHeaders = extraHeaders.isEmpty() ? success.headers() : merge(extraHeaders, success.headers());
      }
      if (!success.removeHeaders().isEmpty()) {
        removeHeaders = union(removeHeaders, success.removeHeaders());
      }
    }
    Identities identities =
        peer == null && principal == null ? Identities.ANONYMOUS : new Identities(Optional.ofNullable(peer), Optional.ofNullable(principal));
    PolicyResult result = rules.evaluate(request, path, identities);
    if (trace != null) {
      trace.rule = result.rule().orElse(null);
      trace.add("rules", trace.rule, result.reason());
    }
    if (result.allowed()) {
      if (audit == AuthorizationConfig.Audit.ALL) {
        AuditLog.write(auditSink, "allow", 200, request, path, identities.primary().orElse(null), result.rule(), result.reason());
      }
      Map<String, String> headers = new LinkedHashMap<>(4);
      identities.primary().ifPresent(identity -> addIdentityHeaders(headers, identity));
      IdentityBoundary.addHeaders(headers, extraHeaders);
      addClientCertificate(headers, request);
      if (assertionSigner != null) {
        // htu is what the sidecar sends upstream: the canonical path, and the client's query exactly as received.
        String target = request.rawQuery().map(query -> path + "?" + query).orElse(path);
        String assertion;
        try {
          assertion = assertionSigner.sign(identities, request.method(), target);
        } catch (RuntimeException e) {
          // Forwarding unsigned would only earn a 401 from the application; refusing here says where it went wrong.
          log.warn("signing the assertion failed; refusing the request", e);
          return refused(new Decision.Deny("the assertion could not be signed"), request, path, identities, result.rule(), audit, started);
        }
        headers.put(IdentityHeaders.ASSERTION, assertion);
      }
      Decision.Allow allow = new Decision.Allow(identities, RequestHeaders.of(identityHeaders, removeHeaders, headers), Optional.of(path));
      if (started != UNTIMED) {
        tellListener(request, GatehouseListener.DecisionKind.ALLOW, identities, result.rule(), started);
      }
      return allow;
    }
    boolean challenge = identities.isAnonymous() || (principal == null && result.wantsRequestPrincipal());
    Decision.Refusal refusal = challenge ? new Decision.Challenge(challenges, result.reason()) : new Decision.Deny(result.reason());
    return refused(refusal, request, path, identities, result.rule(), audit, started);
  }

  private static String name(Authenticator authenticator) {
    String simple = authenticator.getClass().getSimpleName();
    return simple.isEmpty() ? authenticator.toString() : simple;
  }

  private Decision challenged(
      @Nullable Trace trace,
      Authenticator authenticator,
      String reason,
      List<String> challenges,
      RequestView request,
      String path,
      AuthorizationConfig.Audit audit,
      long started) {
    if (trace != null) {
      trace.add("authenticate", name(authenticator), "refused: " + reason);
    }
    return refused(new Decision.Challenge(challenges, reason), request, path, Identities.ANONYMOUS, Optional.empty(), audit, started);
  }

  private Decision refused(
      Decision.Refusal refusal,
      RequestView request,
      String path,
      Identities identities,
      Optional<String> rule,
      AuthorizationConfig.Audit audit,
      long started) {
    if (audit != AuthorizationConfig.Audit.NONE) {
      AuditLog.write(auditSink, "deny", refusal.status(), request, path, identities.primary().orElse(null), rule, refusal.reason());
    }
    if (started != UNTIMED) {
      // A 429 counts as a deny: the label set is fixed at allow|challenge|deny|reject, and like a 403 it refuses a caller.
      GatehouseListener.DecisionKind kind =
          refusal instanceof Decision.Challenge
              ? GatehouseListener.DecisionKind.CHALLENGE
              : refusal instanceof Decision.Deny || refusal instanceof Decision.Throttle
                  ? GatehouseListener.DecisionKind.DENY
                  : GatehouseListener.DecisionKind.REJECT;
      tellListener(request, kind, identities, rule, started);
    }
    return refusal;
  }

  /** Tells the listener; a listener that throws is logged and never changes the decision. */
  private void tellListener(
      RequestView request, GatehouseListener.DecisionKind kind, Identities identities, Optional<String> rule, long started) {
    GatehouseListener target = listener;
    if (target == null) {
      return;
    }
    Optional<Identity> identity = identities.primary();
    String authentication = identity.isEmpty() ? GatehouseMeters.NONE : GatehouseMeters.authnTag(identity.get().authenticationMethod());
    try {
      target.decision(request, kind, identities, authentication, rule, System.nanoTime() - started);
    } catch (RuntimeException e) {
      log.warn("listener {} failed; ignored", target.getClass().getName(), e);
    }
  }

  private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
    Map<String, String> all = new LinkedHashMap<>(a);
    all.putAll(b);
    return all;
  }

  /**
   * The reloading rules of an engine made by {@link #watching}, for their reload counts.
   *
   * @return the reloading policy; empty when the rules are fixed
   */
  public Optional<ReloadingPolicy> reloadingPolicy() {
    return Optional.ofNullable(reloadingPolicy);
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

  /** The identity the application sees as its user (already through the boundary) as headers. */
  private static void addIdentityHeaders(Map<String, String> headers, Identity identity) {
    headers.put(IdentityHeaders.USER, identity.name());
    if (!identity.groups().isEmpty()) {
      headers.put(IdentityHeaders.GROUPS, String.join(",", identity.groups().stream().sorted().toList()));
    }
    identity.attribute(Identity.EMAIL).ifPresent(email -> headers.put(IdentityHeaders.EMAIL, email));
  }

  /** A verified client certificate goes upstream in Envoy's XFCC format, whichever method named the caller. */
  private static void addClientCertificate(Map<String, String> headers, RequestView request) {
    List<X509Certificate> chain = request.clientCertificates();
    if (!chain.isEmpty()) {
      IdentityBoundary.addHeader(headers, IdentityHeaders.CLIENT_CERT, ForwardedClientCert.format(chain.get(0)));
    }
  }

  /**
   * How the files this engine reloads and the key sets it fetches are doing, for health checks and metrics: each
   * authenticator's sources ({@link Authenticator#sources()}), then the rules' when they reload from a file.
   *
   * @return a snapshot; empty when nothing is reloaded or fetched
   */
  public List<SourceStatus> sources() {
    List<SourceStatus> all = new ArrayList<>();
    for (Authenticator authenticator : authenticators) {
      all.addAll(authenticator.sources());
    }
    if (reloadingPolicy != null) {
      all.add(reloadingPolicy.status());
    }
    return List.copyOf(all);
  }

  /**
   * The authentication methods, in the order they are asked: {@link Authenticator#name()} of each.
   *
   * @return the names, such as {@code [basic, jwt]}
   */
  public List<String> authenticatorNames() {
    return authenticators.stream().map(Authenticator::name).toList();
  }

  /**
   * How many authorization rules are in force now (after the last good reload).
   *
   * @return the number of rules
   */
  public int ruleCount() {
    return policy.get().config().rules().size();
  }

  /**
   * The {@code WWW-Authenticate} values of this engine's 401 answers, one per method that has a challenge, in the
   * order the methods are asked; what an adapter sends when something after the engine asks for credentials.
   *
   * @return the challenges; empty when no method has one (client certificates only)
   */
  public List<String> challenges() {
    return challenges;
  }

  /**
   * The version of Gatehouse running, from the build.
   *
   * @return the version, such as {@code 0.1.0}; {@code unknown} when the build did not record it
   */
  public static String version() {
    return Version.VALUE;
  }

  /** Read once, on first use; the file is written by the build (resource filtering). */
  private static final class Version {
    static final String VALUE = read();

    private static String read() {
      try (InputStream in = Gatehouse.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          return "unknown";
        }
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version", "");
        return version.isBlank() || version.startsWith("${") ? "unknown" : version;
      } catch (IOException e) {
        return "unknown";
      }
    }
  }

  /** Stops the authenticators' and the rules' background work. Idempotent. */
  @Override
  public void close() {
    if (reloadingPolicy != null) {
      reloadingPolicy.close();
    }
    for (Authenticator authenticator : authenticators) {
      try {
        authenticator.close();
      } catch (RuntimeException e) {
        log.warn("closing {} failed", authenticator.getClass().getSimpleName(), e);
      }
    }
  }

  /**
   * Assembles a {@link Gatehouse}: the authenticators (asked in the order added), and the rules, fixed or reloaded from
   * a file. Each setter may be called once. Not thread-safe; {@link #build()} does not change the builder.
   */
  public static final class Builder {

    private final List<Authenticator> authenticators = new ArrayList<>();
    private @Nullable AuthorizationConfig authorization;
    private @Nullable Path rulesFile;
    private Map<String, String> rulesOverrides = Map.of();
    private @Nullable GatehouseListener listener;
    private AuditSink auditSink = AuditSink.logger();
    private boolean auditSinkSet;
    private @Nullable AssertionSigner assertionSigner;
    private List<String> passFromClient = List.of();

    private Builder() {}

    /**
     * Lets the client's value of some {@linkplain IdentityHeaders#ROUTING_HEADERS routing headers} reach the
     * application, which are otherwise removed ({@code headers.pass-from-client}).
     *
     * @param names routing header names
     * @return this builder
     * @throws ConfigException at {@link #build} if a name is a framing, identity or transport header, or not removed
     */
    public Builder passFromClient(List<String> names) {
      Objects.requireNonNull(names, "names");
      this.passFromClient = List.copyOf(names);
      return this;
    }

    /**
     * Sends the audit lines somewhere else than the SLF4J logger {@code gatehouse.audit} (the default).
     *
     * @param sink where the lines go
     * @return this builder
     * @throws IllegalStateException if a sink was set already
     */
    public Builder auditSink(AuditSink sink) {
      Objects.requireNonNull(sink, "sink");
      if (auditSinkSet) {
        throw new IllegalStateException("the audit sink is set already");
      }
      this.auditSink = sink;
      this.auditSinkSet = true;
      return this;
    }

    /**
     * Tells a listener about every decision the engine makes (metrics). Without one, {@code decide} does no work for
     * listening at all.
     *
     * @param listener the listener; thread-safe, quick, and never blocking
     * @return this builder
     * @throws IllegalStateException if a listener was set already
     */
    public Builder listener(GatehouseListener listener) {
      Objects.requireNonNull(listener, "listener");
      if (this.listener != null) {
        throw new IllegalStateException("the listener is set already");
      }
      this.listener = listener;
      return this;
    }

    /**
     * Adds the authenticators a configuration enables (Basic, then JWT, then client certificate, or the sidecar's
     * assertion alone), takes its rules and, when it has an {@code assertion} section, signs with that.
     *
     * @param config a validated configuration
     * @return this builder
     * @throws dev.gatehouse.config.ConfigException if a file the configuration names cannot be used
     * @throws IllegalStateException if rules or an assertion signer were set already
     */
    public Builder config(GatehouseConfig config) {
      Objects.requireNonNull(config, "config");
      config.authentication().sidecarAssertion().ifPresent(assertion -> authenticator(Authenticator.sidecarAssertion(assertion)));
      config.assertion().ifPresent(assertion -> assertionSigner(SidecarAssertion.signer(assertion)));
      config.authentication().basic().ifPresent(basic -> authenticator(Authenticator.basic(basic)));
      if (!config.authentication().jwt().isEmpty()) {
        // One realm for every scheme, so a client sees one protection space.
        String realm = config.authentication().basic().map(BasicConfig::realm).orElse(BasicConfig.DEFAULT_REALM);
        authenticator(Authenticator.jwt(config.authentication().jwt(), realm));
      }
      config.authentication().clientCertificate().ifPresent(cert -> authenticator(Authenticator.clientCertificate(cert)));
      passFromClient(config.headers().passFromClient());
      return authorization(config.authorization());
    }

    /**
     * Sets the authorization rules; without this call there are none, and every authenticated request is allowed.
     *
     * @param authorization the {@code authorization} section
     * @return this builder
     * @throws IllegalStateException if rules were set already
     */
    public Builder authorization(AuthorizationConfig authorization) {
      Objects.requireNonNull(authorization, "authorization");
      if (this.authorization != null) {
        throw new IllegalStateException("the rules are set already");
      }
      this.authorization = authorization;
      return this;
    }

    /**
     * Reloads the rules from a configuration file whenever it changes; the rules set by {@link #config} or {@link
     * #authorization} are those in force until then, and must have been read from that file.
     *
     * @param file the YAML file
     * @param overrides dotted keys overriding the file, applied again on every reload
     * @return this builder
     * @throws IllegalStateException if a file was set already
     */
    public Builder reloadingRules(Path file, Map<String, String> overrides) {
      Objects.requireNonNull(file, "file");
      if (rulesFile != null) {
        throw new IllegalStateException("the rules file is set already");
      }
      this.rulesFile = file;
      this.rulesOverrides = Map.copyOf(overrides);
      return this;
    }

    /**
     * Adds an authentication stage. Every stage is asked, in the order added; see {@link Authenticator#kind()} for
     * which identity each success establishes.
     *
     * @param authenticator the stage
     * @return this builder
     */
    public Builder authenticator(Authenticator authenticator) {
      authenticators.add(Objects.requireNonNull(authenticator, "authenticator"));
      return this;
    }

    /**
     * Signs an assertion into every allowed request: the {@link Decision.Allow}'s headers then set {@value
     * IdentityHeaders#ASSERTION} (a client's is always removed), which the application's {@code sidecar-assertion}
     * authenticator verifies. What the sidecar does with {@code assertion:} in its configuration.
     *
     * @param signer the signer, such as {@link SidecarAssertion#signer}
     * @return this builder
     * @throws IllegalStateException if a signer was set already
     */
    public Builder assertionSigner(AssertionSigner signer) {
      Objects.requireNonNull(signer, "signer");
      if (this.assertionSigner != null) {
        throw new IllegalStateException("the assertion signer is set already");
      }
      this.assertionSigner = signer;
      return this;
    }

    /**
     * Builds the engine, compiling the rules.
     *
     * @return the engine
     * @throws IllegalStateException if no authenticator was added, since nobody could ever be let in, or if one that
     *     {@linkplain Authenticator#vouches() vouches} was added beside others
     * @throws dev.gatehouse.config.ConfigException naming the key of a rule that cannot be compiled, or of a rule that
     *     names {@code principals} while no authenticator establishes a peer (see {@link
     *     AuthorizationConfig#checkPeerRules})
     */
    public Gatehouse build() {
      if (authenticators.isEmpty()) {
        throw new IllegalStateException("at least one authenticator is required");
      }
      if (authenticators.size() > 1 && authenticators.stream().anyMatch(Authenticator::vouches)) {
        authenticators.forEach(Authenticator::close);
        throw new IllegalStateException("an authenticator that relays the sidecar's identities must be the only one");
      }
      PolicyEngine rules;
      IdentityHeaders identityHeaders;
      try {
        identityHeaders = identityHeaders(authenticators, passFromClient);
        AuthorizationConfig config = authorization == null ? AuthorizationConfig.NONE : authorization;
        boolean peers = authenticators.stream().anyMatch(authenticator -> authenticator.kind() == Identity.Kind.PEER || authenticator.vouches());
        config.checkPeerRules(peers, List.of());
        rules = PolicyEngine.compile(config);
      } catch (RuntimeException e) {
        // The authenticators already run (file watchers, key fetchers): a refused configuration must not leave them.
        authenticators.forEach(Authenticator::close);
        throw e;
      }
      Supplier<PolicyEngine> policy = rulesFile == null ? () -> rules : ReloadingPolicy.watch(rulesFile, rulesOverrides, rules);
      return new Gatehouse(List.copyOf(authenticators), policy, listener, assertionSigner, auditSink, identityHeaders);
    }
  }
}
