package dev.gatehouse.servlet;

import dev.gatehouse.Decision;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.metrics.GatehouseListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A servlet filter that lets only the requests the Gatehouse engine allows reach the application.
 *
 * <p>For each request the filter asks {@link Gatehouse#decide}. A refusal (401 with one {@code WWW-Authenticate} per
 * configured method, 403 or 400) is written by the filter itself with a fixed plain-text body and {@code Cache-Control:
 * no-store}, and the chain does not continue. An allowed request continues with a wrapper on which {@code
 * getUserPrincipal()}, {@code getRemoteUser()}, {@code isUserInRole(group)} and {@code getAuthType()} answer from the
 * engine's identity (the request principal, else the mTLS peer; the peer is also the request attribute {@value
 * #PEER_ATTRIBUTE}), and on which the caller identity headers ({@code X-Forwarded-User} and the like) are the engine's:
 * whatever the client sent under those names, in any spelling, is hidden. Headers the decision consumes, such as a JWT
 * bearer token that is not forwarded, are hidden too.
 *
 * <p>Two ways to set it up:
 *
 * <ul>
 *   <li>Declare it (in {@code web.xml}, or with {@link ServletContext#addFilter(String, Class)}) with the init-parameter
 *       {@value #CONFIG_INIT_PARAMETER} naming a Gatehouse YAML file. The filter then builds the engine in {@link
 *       #init} and closes it in {@link #destroy}. A relative path resolves against the working directory. The
 *       file's authorization rules reload when it changes.
 *   <li>Build a {@link Gatehouse} yourself and pass it to {@link #GatehouseFilter(Gatehouse)}, or to {@link
 *       #register(ServletContext, Gatehouse)}. You own that engine and close it.
 * </ul>
 *
 * <p>Map the filter to {@code /*} for the {@code REQUEST}, {@code ASYNC} and {@code ERROR} dispatcher types, ahead of
 * any other filter that reads the caller, as {@link #register} does. Asynchronous and error dispatches of a request
 * this filter let through carry on with that same decision, so error pages and async handlers see the same identity
 * and never a forged identity header; it is not taken again, since a credential may be good for one use only (the
 * sidecar's assertion). An error dispatch the filter did not see the request of (the container refused it first)
 * gets a decision of its own about the original request.
 *
 * <p>Authorization rules match the canonical path, and the engine refuses with 400 a request whose path the container
 * dispatches differently (its servlet path and path info, decoded, must be the decoded canonical path): the filter
 * cannot change the path the application sees, so it makes sure it is the one the rules saw.
 *
 * <p>The filter handles HTTP requests only, which in Servlet 6 is every request in practice; anything else fails with a
 * {@link ServletException} rather than passing unchecked. It is thread-safe.
 */
public final class GatehouseFilter implements Filter {

  /** The init-parameter naming the Gatehouse YAML file. */
  public static final String CONFIG_INIT_PARAMETER = "config";

  /**
   * The request attribute holding the mTLS peer of an allowed request, as a {@link dev.gatehouse.Identity} (its
   * {@code name()} is the SPIFFE ID or certificate CN, its attributes the trust domain, namespace and service
   * account); absent without a verified client certificate. {@code getUserPrincipal()} is the request principal when
   * there is one, so the peer is here.
   */
  public static final String PEER_ATTRIBUTE = "dev.gatehouse.peer";

  /**
   * The request attribute holding both identities of an allowed request, as {@link dev.gatehouse.Identities}: what a
   * framework adapter (Spring Security's, for one) reads to know the caller fully, groups and claims included. Always
   * present on an allowed request, {@link dev.gatehouse.Identities#ANONYMOUS} when the rules let an anonymous caller
   * in; like {@value #PEER_ATTRIBUTE}, nothing downstream can replace or remove it.
   */
  public static final String IDENTITIES_ATTRIBUTE = "dev.gatehouse.identities";

  /**
   * The servlet context attribute under which an application may put a {@link GatehouseListener} (its metrics) before
   * the filter starts; a filter that builds its engine from {@value #CONFIG_INIT_PARAMETER} registers it. An engine
   * given to the constructor has its listener already, from {@link Gatehouse.Builder#listener}.
   */
  public static final String LISTENER_ATTRIBUTE = "dev.gatehouse.listener";

  /** The name {@link #register} gives the filter. */
  public static final String FILTER_NAME = "gatehouse";

  private static final Logger log = LoggerFactory.getLogger(GatehouseFilter.class);

  private static final String CONTENT_TYPE = "text/plain; charset=UTF-8";

  /**
   * Where an allowed request keeps its decision for its later dispatches. Only the filter's own {@link Decided} value
   * counts, and {@link AuthenticatedRequest} keeps the application from replacing it.
   */
  static final String DECISION_ATTRIBUTE = GatehouseFilter.class.getName() + ".decision";

  /** A decision this filter made, so that another filter instance's (another engine's) is never taken for it. */
  record Decided(GatehouseFilter filter, Decision.Allow allow) {}

  private volatile @Nullable Gatehouse gatehouse;
  /** Whether this filter built the engine from its init-parameter, and so must close it. */
  private volatile boolean ownsEngine;

  /**
   * Creates a filter that builds its engine in {@link #init} from the {@value #CONFIG_INIT_PARAMETER} init-parameter.
   * Containers call this constructor for filters declared by class name.
   */
  public GatehouseFilter() {}

  /**
   * Creates a filter around an engine the caller owns: the filter never closes it.
   *
   * @param gatehouse the engine
   */
  public GatehouseFilter(Gatehouse gatehouse) {
    this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
  }

  /**
   * Adds a {@link GatehouseFilter} around {@code gatehouse} to a servlet context, named {@value #FILTER_NAME}, for
   * {@code /*} on the {@code REQUEST}, {@code ASYNC} and {@code ERROR} dispatches, ahead of filters declared in {@code
   * web.xml}. Call it while the context starts, from a {@code ServletContainerInitializer} or a {@code
   * ServletContextListener}.
   *
   * @param context the servlet context being started
   * @param gatehouse the engine; the caller owns it and closes it when the context stops
   * @return the registration, for further settings
   * @throws IllegalStateException if the context already has a filter named {@value #FILTER_NAME} or has started
   */
  public static FilterRegistration.Dynamic register(ServletContext context, Gatehouse gatehouse) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(gatehouse, "gatehouse");
    FilterRegistration.Dynamic registration = context.addFilter(FILTER_NAME, new GatehouseFilter(gatehouse));
    if (registration == null) {
      throw new IllegalStateException("the servlet context already has a filter named " + FILTER_NAME);
    }
    registration.setAsyncSupported(true);
    registration.addMappingForUrlPatterns(
        EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR), /* isMatchAfter= */ false, "/*");
    return registration;
  }

  /**
   * Builds the engine from the {@value #CONFIG_INIT_PARAMETER} init-parameter, unless one was given to the
   * constructor.
   *
   * @param filterConfig the container's filter configuration
   * @throws ServletException with the configuration's one-line message (such as {@code authentication.basic.htpasswd:
   *     no such file ./htpasswd}) if the file is missing or invalid, or if the parameter is missing; the container
   *     then takes the application out of service rather than run it unprotected
   */
  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    String configFile = filterConfig.getInitParameter(CONFIG_INIT_PARAMETER);
    if (gatehouse != null) {
      if (configFile != null) {
        // Two sources of truth: refuse to guess which one the deployer meant.
        throw new ServletException(
            "GatehouseFilter was given an engine and also the init-parameter " + CONFIG_INIT_PARAMETER + "; use one");
      }
      return;
    }
    if (configFile == null || configFile.isBlank()) {
      throw new ServletException(
          "GatehouseFilter needs the init-parameter " + CONFIG_INIT_PARAMETER + " naming a Gatehouse YAML file");
    }
    Path file;
    try {
      file = Path.of(configFile.strip());
    } catch (InvalidPathException e) {
      throw new ServletException("init-parameter " + CONFIG_INIT_PARAMETER + ": not a valid path: " + configFile);
    }
    GatehouseConfig config;
    try {
      config = ConfigLoader.load(Optional.of(file), Map.of());
    } catch (ConfigException e) {
      throw new ServletException(e.getMessage(), e);
    }
    Object listener = filterConfig.getServletContext().getAttribute(LISTENER_ATTRIBUTE);
    if (listener != null && !(listener instanceof GatehouseListener)) {
      throw new ServletException("servlet context attribute " + LISTENER_ATTRIBUTE + " is not a GatehouseListener: " + listener.getClass().getName());
    }
    try {
      // The authorization rules reload when the file changes; the engine owns the watcher and close() stops it.
      Gatehouse.Builder builder = Gatehouse.builder().config(config).reloadingRules(file, Map.of());
      if (listener != null) {
        builder.listener((GatehouseListener) listener);
      }
      gatehouse = builder.build();
    } catch (ConfigException e) {
      throw new ServletException(e.getMessage(), e);
    }
    ownsEngine = true;
    log.info("Gatehouse filter configured from {}", file);
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest httpRequest) || !(response instanceof HttpServletResponse httpResponse)) {
      throw new ServletException("GatehouseFilter handles HTTP requests only");
    }
    Gatehouse engine = gatehouse;
    if (engine == null) {
      throw new ServletException("GatehouseFilter has not been initialised");
    }
    if (httpRequest.getDispatcherType() != DispatcherType.REQUEST
        && httpRequest.getAttribute(DECISION_ATTRIBUTE) instanceof Decided decided
        && decided.filter() == this) {
      chain.doFilter(new AuthenticatedRequest(httpRequest, decided.allow()), response);
      return;
    }
    Decision decision;
    try {
      decision = engine.decide(new ServletRequestView(httpRequest));
    } catch (RuntimeException e) {
      // The engine denies rather than throws; should it throw all the same, deny without telling the client why.
      log.error("deciding about {} {} failed; answering 500", httpRequest.getMethod(), httpRequest.getRequestURI(), e);
      answer(httpRequest, httpResponse, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, List.of(), 0, "Internal Server Error\n");
      return;
    }
    if (decision instanceof Decision.Allow allow) {
      httpRequest.setAttribute(DECISION_ATTRIBUTE, new Decided(this, allow));
      chain.doFilter(new AuthenticatedRequest(httpRequest, allow), response);
      return;
    }
    Decision.Refusal refusal = (Decision.Refusal) decision;
    if (log.isDebugEnabled()) {
      log.debug("{} {} refused with {}: {}", httpRequest.getMethod(), httpRequest.getRequestURI(), refusal.status(), refusal.reason());
    }
    answer(httpRequest, httpResponse, refusal.status(), refusal.challenges(), refusal.retryAfterSeconds(), refusal.body());
  }

  /** Writes a refusal. The chain never continues after it, so the application never sees the request. */
  private static void answer(
      HttpServletRequest request, HttpServletResponse response, int status, List<String> challenges, long retryAfterSeconds, String body)
      throws IOException {
    if (response.isCommitted()) {
      // Only possible on an error dispatch after the application started answering; nothing more can be said.
      log.warn("{} {} refused with {} after the response was committed", request.getMethod(), request.getRequestURI(), status);
      return;
    }
    // An error dispatch may arrive with headers and a status already set; none of them belong in a refusal.
    response.reset();
    for (String challenge : challenges) {
      response.addHeader("WWW-Authenticate", challenge);
    }
    if (retryAfterSeconds > 0) {
      response.setHeader("Retry-After", Long.toString(retryAfterSeconds));
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType(CONTENT_TYPE);
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** Closes the engine if this filter built it from its init-parameter. */
  @Override
  public void destroy() {
    Gatehouse engine = gatehouse;
    if (ownsEngine && engine != null) {
      engine.close();
      gatehouse = null;
    }
  }
}
