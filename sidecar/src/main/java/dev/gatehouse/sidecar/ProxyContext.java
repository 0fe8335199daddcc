package dev.gatehouse.sidecar;

import dev.gatehouse.Decision;
import dev.gatehouse.RequestView;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * What every exchange of one sidecar shares: the engine's decision, the upstream of each event loop, the timeouts, and whether
 * the sidecar is draining. Immutable but for the draining flag, which a signal handler sets and the loops read.
 */
final class ProxyContext {

  private final Function<RequestView, Decision> engine;
  private final Map<EventLoop, Upstream> upstreams;
  private final String upstreamName;
  private final boolean upstreamHttp2;
  private final Duration clientIdleTimeout;
  private final Observers observers;
  private final Duration headerTimeout;
  private volatile boolean draining;

  ProxyContext(
      Function<RequestView, Decision> engine,
      Map<EventLoop, Upstream> upstreams,
      String upstreamName,
      boolean upstreamHttp2,
      Duration clientIdleTimeout,
      Duration headerTimeout,
      Observers observers) {
    this.engine = engine;
    this.headerTimeout = headerTimeout;
    this.upstreams = upstreams;
    this.upstreamName = upstreamName;
    this.upstreamHttp2 = upstreamHttp2;
    this.clientIdleTimeout = clientIdleTimeout;
    this.observers = observers;
  }

  /** Metrics and access log; {@link Observers#any()} is false when neither is on. */
  Observers observers() {
    return observers;
  }

  /** The engine's decision on one request ({@code Gatehouse::decide}). */
  Decision decide(RequestView request) {
    return engine.apply(request);
  }

  /** The upstream connections of the loop a client connection lives on. */
  Upstream upstream(EventLoop loop) {
    return upstreams.get(loop);
  }

  /** For log lines: what the configuration called the upstream. */
  String upstreamName() {
    return upstreamName;
  }

  /** Whether the upstream speaks HTTP/2 (h2c prior knowledge), so that {@code TE: trailers} goes through. */
  boolean upstreamHttp2() {
    return upstreamHttp2;
  }

  Duration clientIdleTimeout() {
    return clientIdleTimeout;
  }

  /** How long a client has for the TLS handshake and for each request head ({@code limits.header-timeout}). */
  Duration headerTimeout() {
    return headerTimeout;
  }

  /** A WebSocket tunnel idles out like the connection it was. */
  Duration tunnelIdleTimeout() {
    return clientIdleTimeout;
  }

  /** Whether a drain has begun: every response from now on ends its connection ({@code Connection: close}). */
  boolean draining() {
    return draining;
  }

  void startDraining() {
    draining = true;
  }
}
