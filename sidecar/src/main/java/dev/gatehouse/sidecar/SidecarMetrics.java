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

  SidecarMetrics(Supplier<Gatehouse> gatehouse, Supplier<Optional<TlsStatus>> tls) {
    this.binder = new GatehouseMeterBinder(gatehouse, tls);
    this.upstreamDuration =
        Timer.builder(GatehouseMeters.UPSTREAM_REQUEST_DURATION)
            .description("Time of an upstream exchange, from asking for a connection to the end of the response")
            .serviceLevelObjectives(UPSTREAM_BUCKETS)
            .register(registry);
    for (UpstreamFailure failure : UpstreamFailure.values()) {
      upstreamFailures[failure.ordinal()] =
          Counter.builder(GatehouseMeters.UPSTREAM_FAILURES)
              .description("Upstream exchanges that failed, by why")
              .tag(GatehouseMeters.REASON_TAG, failure.name().toLowerCase(java.util.Locale.ROOT))
              .register(registry);
    }
    JvmMetrics.builder().register(registry.getPrometheusRegistry());
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
