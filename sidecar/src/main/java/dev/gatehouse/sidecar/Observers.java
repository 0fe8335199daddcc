package dev.gatehouse.sidecar;

import dev.gatehouse.Identities;
import dev.gatehouse.RequestView;
import dev.gatehouse.metrics.GatehouseListener;
import java.util.Optional;

/**
 * Where what happens to requests goes: the metrics (when the admin listener is on) and the access log (when one is
 * configured). Also the engine's listener: it counts the decision and notes it, with who asked and the deciding rule,
 * in the request's {@link Exchange}. Thread-safe; called on the event loops.
 */
final class Observers implements GatehouseListener {

  private final Optional<SidecarMetrics> metrics;
  private final Optional<AuditLines> accessLog;
  private final boolean accessLogOn;

  Observers(Optional<SidecarMetrics> metrics, Optional<AuditLines> accessLog) {
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.accessLogOn = accessLog.isPresent();
  }

  /** Whether requests are observed at all; without, the request path makes no {@link Exchange}. */
  boolean any() {
    return metrics.isPresent() || accessLogOn;
  }

  boolean accessLogOn() {
    return accessLogOn;
  }

  @Override
  public void decision(DecisionKind kind, String authentication, long durationNanos) {
    if (metrics.isPresent()) {
      metrics.get().binder().decision(kind, authentication, durationNanos);
    }
  }

  @Override
  public void decision(
      RequestView request, DecisionKind kind, Identities identities, String authentication, Optional<String> rule, long durationNanos) {
    decision(kind, authentication, durationNanos);
    if (request instanceof NettyRequestView view && view.exchange() != null) {
      view.exchange().decided(kind, identities, authentication, rule);
    }
  }

  void upstreamExchange(long nanos) {
    if (metrics.isPresent()) {
      metrics.get().upstreamExchange(nanos);
    }
  }

  void upstreamFailure(SidecarMetrics.UpstreamFailure failure) {
    if (metrics.isPresent()) {
      metrics.get().upstreamFailure(failure);
    }
  }

  /** An egress exchange ended: its meters, and its access-log line ({@code direction} {@code egress}). */
  void egress(EgressExchange exchange) {
    if (metrics.isPresent()) {
      metrics.get().egress(exchange);
    }
    if (accessLogOn) {
      accessLog.get().write(Exchange.egressLine(exchange));
    }
  }

  void accessLine(String line) {
    if (accessLogOn) {
      accessLog.get().write(line);
    }
  }
}
