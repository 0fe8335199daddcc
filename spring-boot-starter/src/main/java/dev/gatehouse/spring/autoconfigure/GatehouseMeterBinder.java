package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.metrics.GatehouseListener;
import dev.gatehouse.metrics.GatehouseMeters;
import dev.gatehouse.metrics.SourceStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Gatehouse's meters in Micrometer, under the names core defines once ({@link GatehouseMeters}): the engine's
 * listener for decisions (a counter by kind and method, a timer by kind) and, read when the registry asks, the
 * reloads and key set fetches of {@link Gatehouse#sources()}.
 *
 * <p>It is the engine's listener before any registry exists (the engine is built first), so decisions made before
 * {@link #bindTo} are not counted; Boot binds it as the application starts, before the first request. Thread-safe:
 * decisions look their meters up in concurrent maps, made once per tag combination.
 */
final class GatehouseMeterBinder implements MeterBinder, GatehouseListener {

  /** One registry's decision meters. */
  private record Meters(MeterRegistry registry, Map<String, Counter>[] counters, Timer[] timers) {}

  private final Supplier<Gatehouse> gatehouse;
  private final List<Meters> bound = new CopyOnWriteArrayList<>();

  /** @param gatehouse the engine, looked up when bound, since the engine is built with this binder as its listener */
  GatehouseMeterBinder(Supplier<Gatehouse> gatehouse) {
    this.gatehouse = gatehouse;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void bindTo(MeterRegistry registry) {
    GatehouseListener.DecisionKind[] kinds = GatehouseListener.DecisionKind.values();
    Map<String, Counter>[] counters = new Map[kinds.length];
    Timer[] timers = new Timer[kinds.length];
    for (GatehouseListener.DecisionKind kind : kinds) {
      counters[kind.ordinal()] = new ConcurrentHashMap<>();
      timers[kind.ordinal()] =
          Timer.builder(GatehouseMeters.REQUEST_DURATION)
              .description("Time the Gatehouse engine took to decide about a request")
              .tag(GatehouseMeters.DECISION_TAG, kind.tag())
              .register(registry);
    }
    Gatehouse engine = gatehouse.get();
    for (SourceStatus source : engine.sources()) {
      String kind = source.kind();
      String name = source.name();
      registerSource(registry, engine, kind, name, GatehouseMeters.SUCCESS, SourceStatus::successes);
      registerSource(registry, engine, kind, name, GatehouseMeters.FAILURE, SourceStatus::failures);
    }
    bound.add(new Meters(registry, counters, timers));
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
    return engine.sources().stream().filter(s -> s.kind().equals(kind) && s.name().equals(name)).findFirst();
  }

  @Override
  public void decision(GatehouseListener.DecisionKind kind, String authentication, long durationNanos) {
    for (Meters meters : bound) {
      meters.counters()[kind.ordinal()]
          .computeIfAbsent(
              authentication,
              authn ->
                  Counter.builder(GatehouseMeters.DECISIONS)
                      .description("Decisions of the Gatehouse engine")
                      .tags(GatehouseMeters.DECISION_TAG, kind.tag(), GatehouseMeters.AUTHN_TAG, authn)
                      .register(meters.registry()))
          .increment();
      meters.timers()[kind.ordinal()].record(durationNanos, TimeUnit.NANOSECONDS);
    }
  }
}
