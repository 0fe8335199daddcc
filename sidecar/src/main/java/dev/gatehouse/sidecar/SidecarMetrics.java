package dev.gatehouse.sidecar;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.metrics.GatehouseMeters;
import dev.gatehouse.micrometer.GatehouseMeterBinder;
import dev.gatehouse.tls.TlsStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The sidecar's {@code /metrics}: core's {@link GatehouseMeterBinder} (the Spring Boot starter's too, so both show the
 * same series) on a Micrometer Prometheus registry, the sidecar's own upstream meters, and the Prometheus client's JVM
 * and process collectors registered on the registry underneath, which give the Prometheus-native names ({@code
 * process_resident_memory_bytes}, {@code jvm_memory_used_bytes}, ...) that dashboards expect; Micrometer's own JVM
 * binders are not bound, so no name appears twice.
 *
 * <p>Every meter the request path touches is made here, once: an exchange records into fields, never looks a meter up.
 */
final class SidecarMetrics {

  /** What an upstream failure was, as the {@value GatehouseMeters#REASON_TAG} label says. */
  enum UpstreamFailure {
    /** The connection could not be opened. */
    CONNECT,
    /** The upstream stayed silent for the upstream idle timeout. */
    TIMEOUT,
    /** The connection broke (reset, closed early). */
    RESET,
    /** The upstream answered something that is not HTTP, or not an answer to this request. */
    PROTOCOL
  }

  static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private static final Duration[] UPSTREAM_BUCKETS = {
    Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)
  };

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final GatehouseMeterBinder binder;
  private final Timer upstreamDuration;
  private final Counter[] upstreamFailures = new Counter[UpstreamFailure.values().length];
  /** The egress meters of each route by name, and of {@value #NO_ROUTE} for requests no route took. */
  private final Map<String, EgressMeters> egress = new HashMap<>();

  /**
   * The meters, with the egress routes' series made up front (at zero) so that a dashboard sees every route at once.
   *
   * @param gatehouse the engine, once built
   * @param tls the TLS listener's status, if any
   * @param egressRoutes the names of the egress routes, empty without an egress listener
   */
  SidecarMetrics(Supplier<Gatehouse> gatehouse, Supplier<Optional<TlsStatus>> tls, List<String> egressRoutes) {
    this.binder = new GatehouseMeterBinder(gatehouse, tls);
    // The ingress has one upstream: its route is the empty value, which Prometheus reads as no route at all.
    this.upstreamDuration = upstreamTimer(Exchange.INGRESS, "");
    for (UpstreamFailure failure : UpstreamFailure.values()) {
      upstreamFailures[failure.ordinal()] = upstreamFailureCounter(Exchange.INGRESS, "", failure.name());
    }
    if (!egressRoutes.isEmpty()) {
      egress.put(NO_ROUTE, new EgressMeters(NO_ROUTE, false));
      for (String route : egressRoutes) {
        egress.put(route, new EgressMeters(route, true));
      }
    }
    JvmMetrics.builder().register(registry.getPrometheusRegistry());
  }

  private Timer upstreamTimer(String direction, String route) {
    return Timer.builder(GatehouseMeters.UPSTREAM_REQUEST_DURATION)
        .description("Time of an upstream exchange, from asking for a connection to the end of the response")
        .tag(GatehouseMeters.DIRECTION_TAG, direction)
        .tag(GatehouseMeters.ROUTE_TAG, route)
        .serviceLevelObjectives(UPSTREAM_BUCKETS)
        .register(registry);
  }

  private Counter upstreamFailureCounter(String direction, String route, String reason) {
    return Counter.builder(GatehouseMeters.UPSTREAM_FAILURES)
        .description("Upstream exchanges that failed, by why")
        .tag(GatehouseMeters.DIRECTION_TAG, direction)
        .tag(GatehouseMeters.ROUTE_TAG, route)
        .tag(GatehouseMeters.REASON_TAG, reason.toLowerCase(Locale.ROOT))
        .register(registry);
  }

  /** The route of egress requests that no route took (404, 400, a foreign host's 403). */
  static final String NO_ROUTE = "-";

  /** One egress route's meters: its requests by decision, and (for a real route) its remote's timing and failures. */
  private final class EgressMeters {
    private final Counter allowed;
    private final Counter denied;
    private final Counter rejected;
    private final Timer remote;
    private final Counter[] failures = new Counter[EgressExchange.UpstreamFailure.values().length];

    EgressMeters(String route, boolean sends) {
      allowed = egressRequests(route, "allow");
      denied = egressRequests(route, "deny");
      rejected = egressRequests(route, "reject");
      remote = sends ? upstreamTimer(Exchange.EGRESS, route) : null;
      if (sends) {
        for (EgressExchange.UpstreamFailure failure : EgressExchange.UpstreamFailure.values()) {
          failures[failure.ordinal()] = upstreamFailureCounter(Exchange.EGRESS, route, failure.name());
        }
      }
    }

    private Counter egressRequests(String route, String decision) {
      return Counter.builder(GatehouseMeters.EGRESS_REQUESTS)
          .description("Requests the application sent through the egress listener, by route and decision")
          .tag(GatehouseMeters.ROUTE_TAG, route)
          .tag(GatehouseMeters.DECISION_TAG, decision)
          .register(registry);
    }
  }

  /** An egress exchange ended. */
  void egress(EgressExchange exchange) {
    EgressMeters meters = egress.get(exchange.route());
    if (meters == null) {
      return;
    }
    switch (exchange.decision()) {
      case "allow" -> meters.allowed.increment();
      case "deny" -> meters.denied.increment();
      default -> meters.rejected.increment();
    }
    if (meters.remote != null && exchange.upstreamNanos() > 0) {
      meters.remote.record(exchange.upstreamNanos(), TimeUnit.NANOSECONDS);
    }
    if (meters.remote != null && exchange.failure().isPresent()) {
      meters.failures[exchange.failure().get().ordinal()].increment();
    }
  }

  /** The engine's listener; bind it with {@link #bind()} once the engine exists. */
  GatehouseMeterBinder binder() {
    return binder;
  }

  void bind() {
    binder.bindTo(registry);
  }

  void upstreamExchange(long nanos) {
    upstreamDuration.record(nanos, TimeUnit.NANOSECONDS);
  }

  void upstreamFailure(UpstreamFailure failure) {
    upstreamFailures[failure.ordinal()].increment();
  }

  /** The content type to answer a scrape with: OpenMetrics when the {@code Accept} header names it. */
  static String contentType(String accept) {
    return accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT;
  }

  String scrape(String contentType) {
    return registry.scrape(contentType);
  }

  void close() {
    registry.close();
  }
}
