package dev.gatehouse.micrometer;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.metrics.GatehouseListener;
import dev.gatehouse.metrics.GatehouseMeters;
import dev.gatehouse.metrics.SourceStatus;
import dev.gatehouse.tls.TlsStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Gatehouse's meters in Micrometer, under the names core defines once ({@link GatehouseMeters}); the one binder both
 * the sidecar's {@code /metrics} and the Spring Boot starter's {@code /actuator/prometheus} use, so a dashboard reads
 * the same series from either.
 *
 * <p>It is the engine's {@linkplain Gatehouse.Builder#listener listener} for decisions (a counter by kind and method, a
 * histogram timer by kind) and, read when the registry asks, the reloads and key set fetches of {@link
 * Gatehouse#sources()} and, given TLS status, the served certificate's expiry and its reloads.
 *
 * <p>Cheap on the request path: every counter and timer of the built-in methods is made in {@link #bindTo}, and a
 * decision finds its meters by array index; only a custom authentication method's counter is made (once) on first
 * use. The engine is built with this binder as its listener before any registry exists, so decisions made before
 * {@code bindTo} are not counted. Thread-safe. Micrometer is an optional dependency of core: only code that uses this
 * class needs it.
 */
public final class GatehouseMeterBinder implements MeterBinder, GatehouseListener {

  /** The decision histogram's buckets: the engine decides in microseconds; a slow one is a problem at milliseconds. */
  private static final Duration[] DECISION_BUCKETS = durations(
      "PT0.000025S", "PT0.00005S", "PT0.0001S", "PT0.00025S", "PT0.0005S", "PT0.001S", "PT0.0025S", "PT0.005S", "PT0.01S",
      "PT0.025S", "PT0.05S", "PT0.1S", "PT0.25S", "PT1S");

  /** The built-in {@value GatehouseMeters#AUTHN_TAG} values, each with a counter made up front. */
  private static final String[] AUTHN = {GatehouseMeters.NONE, "basic", "jwt", "client_certificate"};

  /** One registry's decision meters. */
  private record Meters(MeterRegistry registry, Counter[][] counters, ConcurrentMap<String, Counter>[] custom, Timer[] timers) {}

  private final Supplier<Gatehouse> gatehouse;
  private final Supplier<Optional<TlsStatus>> tls;
  private volatile Meters[] bound = new Meters[0];

  /**
   * A binder for an engine without TLS status of its own (a servlet container's TLS is the container's).
   *
   * @param gatehouse the engine, looked up when bound, since the engine is built with this binder as its listener
   */
  public GatehouseMeterBinder(Supplier<Gatehouse> gatehouse) {
    this(gatehouse, Optional::empty);
  }

  /**
   * A binder that also reports the served certificate (the sidecar's listener).
   *
   * @param gatehouse the engine, looked up when bound
   * @param tls the TLS status, read when the registry asks; empty when nothing is served over TLS
   */
  public GatehouseMeterBinder(Supplier<Gatehouse> gatehouse, Supplier<Optional<TlsStatus>> tls) {
    this.gatehouse = Objects.requireNonNull(gatehouse, "gatehouse");
    this.tls = Objects.requireNonNull(tls, "tls");
  }

  @Override
  @SuppressWarnings("unchecked")
  public void bindTo(MeterRegistry registry) {
    GatehouseListener.DecisionKind[] kinds = GatehouseListener.DecisionKind.values();
    Counter[][] counters = new Counter[kinds.length][AUTHN.length];
    ConcurrentMap<String, Counter>[] custom = new ConcurrentMap[kinds.length];
    Timer[] timers = new Timer[kinds.length];
    for (GatehouseListener.DecisionKind kind : kinds) {
      for (int i = 0; i < AUTHN.length; i++) {
        counters[kind.ordinal()][i] = decisions(registry, kind, AUTHN[i]);
      }
      custom[kind.ordinal()] = new ConcurrentHashMap<>();
      timers[kind.ordinal()] =
          Timer.builder(GatehouseMeters.REQUEST_DURATION)
              .description("Time the Gatehouse engine took to decide about a request")
              .tag(GatehouseMeters.DECISION_TAG, kind.tag())
              .serviceLevelObjectives(DECISION_BUCKETS)
              .register(registry);
    }
    Gatehouse engine = gatehouse.get();
    for (SourceStatus source : engine.sources()) {
      String kind = source.kind();
      String name = source.name();
      registerSource(registry, engine, kind, name, GatehouseMeters.SUCCESS, SourceStatus::successes);
      registerSource(registry, engine, kind, name, GatehouseMeters.FAILURE, SourceStatus::failures);
    }
    tls.get().ifPresent(status -> registerTls(registry, status.certificateSubject()));
    synchronized (this) {
      Meters[] more = Arrays.copyOf(bound, bound.length + 1);
      more[more.length - 1] = new Meters(registry, counters, custom, timers);
      bound = more;
    }
  }

  private static Counter decisions(MeterRegistry registry, GatehouseListener.DecisionKind kind, String authn) {
    return Counter.builder(GatehouseMeters.DECISIONS)
        .description("Decisions of the Gatehouse engine")
        .tags(GatehouseMeters.DECISION_TAG, kind.tag(), GatehouseMeters.AUTHN_TAG, authn)
        .register(registry);
  }

  private void registerTls(MeterRegistry registry, String subject) {
    Supplier<Optional<TlsStatus>> status = tls;
    Gauge.builder(GatehouseMeters.CERTIFICATE_EXPIRY, status, s -> s.get().map(t -> (double) t.certificateNotAfter().getEpochSecond()).orElse(Double.NaN))
        .description("When the served TLS certificate expires, as a Unix time")
        .baseUnit("seconds")
        .tag(GatehouseMeters.CERTIFICATE_TAG, subject)
        .register(registry);
    FunctionCounter.builder(GatehouseMeters.RELOADS, status, s -> s.get().map(TlsStatus::reloadCount).orElse(0L))
        .description("Reloads of a changed file, put in force or refused")
        .tags(GatehouseMeters.SOURCE_TAG, GatehouseMeters.TLS, GatehouseMeters.RESULT_TAG, GatehouseMeters.SUCCESS)
        .register(registry);
    FunctionCounter.builder(GatehouseMeters.RELOADS, status, s -> s.get().map(TlsStatus::reloadFailures).orElse(0L))
        .description("Reloads of a changed file, put in force or refused")
        .tags(GatehouseMeters.SOURCE_TAG, GatehouseMeters.TLS, GatehouseMeters.RESULT_TAG, GatehouseMeters.FAILURE)
        .register(registry);
  }

  private static void registerSource(
      MeterRegistry registry, Gatehouse engine, String kind, String name, String result, ToDoubleFunction<SourceStatus> count) {
    ToDoubleFunction<Gatehouse> read = e -> find(e, kind, name).map(count::applyAsDouble).orElse(0.0);
    if (kind.equals(SourceStatus.JWKS)) {
      FunctionCounter.builder(GatehouseMeters.JWKS_FETCHES, engine, read)
          .description("Fetches of a JWT issuer's key set")
          .tags(GatehouseMeters.ISSUER_TAG, name, GatehouseMeters.RESULT_TAG, result)
          .register(registry);
      return;
    }
    // One series per kind of source: a file's path is no label (one htpasswd file, one rules file per engine).
    FunctionCounter.builder(GatehouseMeters.RELOADS, engine, read)
        .description("Reloads of a changed file, put in force or refused")
        .tags(GatehouseMeters.SOURCE_TAG, kind, GatehouseMeters.RESULT_TAG, result)
        .register(registry);
  }

  private static Optional<SourceStatus> find(Gatehouse engine, String kind, String name) {
    for (SourceStatus source : engine.sources()) {
      if (source.kind().equals(kind) && source.name().equals(name)) {
        return Optional.of(source);
      }
    }
    return Optional.empty();
  }

  @Override
  public void decision(GatehouseListener.DecisionKind kind, String authentication, long durationNanos) {
    int authn = authnIndex(authentication);
    for (Meters meters : bound) {
      int k = kind.ordinal();
      Counter counter =
          authn >= 0
              ? meters.counters()[k][authn]
              : meters.custom()[k].computeIfAbsent(authentication, a -> decisions(meters.registry(), kind, a));
      counter.increment();
      meters.timers()[k].record(durationNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** The index in {@link #AUTHN}, or -1 for a custom method. */
  private static int authnIndex(String authentication) {
    return switch (authentication) {
      case GatehouseMeters.NONE -> 0;
      case "basic" -> 1;
      case "jwt" -> 2;
      case "client_certificate" -> 3;
      default -> -1;
    };
  }

  private static Duration[] durations(String... values) {
    return Arrays.stream(values).map(Duration::parse).toArray(Duration[]::new);
  }
}
