package dev.gatehouse.sidecar;

import dev.gatehouse.internal.LogText;
import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import dev.gatehouse.metrics.GatehouseListener;
import dev.gatehouse.metrics.GatehouseMeters;
import dev.gatehouse.path.CanonicalPath;
import dev.gatehouse.path.PathCanonicalizer;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * What one request did, for its access-log line and the upstream meters: filled in as the request goes through {@link
 * ForwardingHandler}, written once when it ends, then reset for the connection's next request (one instance per
 * connection or HTTP/2 stream, so the request path allocates no record). Only made when an access log or metrics are
 * on. Event loop only.
 *
 * <p>The line is built to be reused by a later egress listener: {@code direction} says which way the request went
 * ({@code ingress} here), and {@code route} names the egress route when there is one.
 */
final class Exchange {

  /** Which way a request went, the {@code direction} field. */
  static final String INGRESS = "ingress";

  /** The {@code direction} of a request the application sent out through the egress listener. */
  static final String EGRESS = "egress";

  private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final Observers observers;
  private final String remote;
  private final String protocol;
  private final String direction;

  private boolean open;
  private long startMillis;
  /** The formatted second of the last line this connection wrote ({@code 2026-12-01T12:00:00}), reused within it. */
  private long formattedSecond = Long.MIN_VALUE;
  private String formattedPrefix;
  private long startNanos;
  private String requestId;
  private String method;
  private String rawPath;
  private String requestProtocol;
  private String userAgent;
  private long bytesIn;
  private long bytesOut;
  private int status;
  private String decision;
  private Optional<String> rule = Optional.empty();
  private Identities identities = Identities.ANONYMOUS;
  private String authn = GatehouseMeters.NONE;
  private String path;
  private long upstreamStart;
  private long upstreamNanos = -1;

  Exchange(Observers observers, ConnectionFacts connection, boolean http2Stream) {
    this.observers = observers;
    this.remote = connection.remoteAddress();
    this.protocol = http2Stream ? "HTTP/2.0" : null;
    this.direction = INGRESS;
  }

  /** A request head arrived; its id is already decided. */
  void begin(HttpRequest request, String id) {
    open = true;
    upstreamStart = 0;
    upstreamNanos = -1;
    if (!observers.accessLogOn()) {
      // Metrics only: the upstream timing is all an exchange records.
      return;
    }
    startNanos = System.nanoTime();
    startMillis = System.currentTimeMillis();
    requestId = id;
    method = request.method().name();
    String uri = request.uri();
    int query = uri.indexOf('?');
    rawPath = query < 0 ? uri : uri.substring(0, query);
    userAgent = request.headers().get(HttpHeaderNames.USER_AGENT);
    requestProtocol = protocol != null ? protocol : request.protocolVersion().text();
    bytesIn = 0;
    bytesOut = 0;
    status = 0;
    decision = null;
    rule = Optional.empty();
    identities = Identities.ANONYMOUS;
    authn = GatehouseMeters.NONE;
    path = null;
  }

  /** The engine's decision, as its listener heard it. */
  void decided(GatehouseListener.DecisionKind kind, Identities who, String authentication, Optional<String> decidingRule) {
    decision = kind.tag();
    identities = who;
    authn = authentication;
    rule = decidingRule;
  }

  /** The path the engine decided on and the upstream got. */
  void canonicalPath(String canonical) {
    path = canonical;
  }

  void bytesIn(long bytes) {
    bytesIn += bytes;
  }

  void bytesOut(long bytes) {
    bytesOut += bytes;
  }

  void status(int code) {
    status = code;
  }

  void upstreamStarted() {
    upstreamStart = System.nanoTime();
  }

  /** The upstream's response ended (or the tunnel opened): its time goes to the upstream histogram. */
  void upstreamDone() {
    if (upstreamStart != 0 && upstreamNanos < 0) {
      upstreamNanos = System.nanoTime() - upstreamStart;
      observers.upstreamExchange(upstreamNanos);
    }
  }

  void upstreamFailed(SidecarMetrics.UpstreamFailure failure) {
    if (upstreamStart != 0 && upstreamNanos < 0) {
      upstreamNanos = System.nanoTime() - upstreamStart;
    }
    observers.upstreamFailure(failure);
  }

  /** The request is over: its response was written, or the connection went away ({@code 499} when none was). */
  void end() {
    if (!open) {
      return;
    }
    open = false;
    if (!observers.accessLogOn()) {
      return;
    }
    if (status == 0) {
      status = 499;
    }
    long durationNanos = System.nanoTime() - startNanos;
    StringBuilder line = new StringBuilder(320).append('{');
    line.append("\"time\":\"");
    time(line, startMillis).append("\",");
    LogText.jsonField(line, "direction", direction).append(',');
    LogText.jsonField(line, "request_id", requestId).append(',');
    LogText.jsonField(line, "remote", remote).append(',');
    LogText.jsonField(line, "method", method).append(',');
    LogText.jsonField(line, "path", path != null ? path : canonical(rawPath)).append(',');
    LogText.jsonField(line, "protocol", requestProtocol).append(',');
    line.append("\"status\":").append(status).append(',');
    LogText.jsonField(line, "decision", decision).append(',');
    if (rule.isPresent()) {
      LogText.jsonField(line, "rule", rule.get()).append(',');
    }
    LogText.jsonField(line, "user", identities.requestPrincipal().map(Identity::name).orElse(null)).append(',');
    LogText.jsonField(line, "peer", identities.peer().map(Identity::name).orElse(null)).append(',');
    LogText.jsonField(line, "authn", authn).append(',');
    line.append("\"duration_ms\":");
    millis(line, durationNanos).append(',');
    line.append("\"upstream_ms\":");
    if (upstreamNanos < 0) {
      line.append("null");
    } else {
      millis(line, upstreamNanos);
    }
    line.append(',');
    line.append("\"bytes_in\":").append(bytesIn).append(',');
    line.append("\"bytes_out\":").append(bytesOut).append(',');
    LogText.jsonField(line, "user_agent", userAgent).append('}');
    observers.accessLine(line.toString());
  }

  /**
   * The access-log line of an egress exchange: the fields of an ingress line, with {@code direction} {@code egress} and
   * the {@code route}; {@code user} and {@code peer} are null and {@code authn} is {@code none}, since the application
   * is not authenticated on loopback (the egress listener only accepts local callers).
   */
  static String egressLine(EgressExchange exchange) {
    StringBuilder line = new StringBuilder(320).append('{');
    line.append("\"time\":\"").append(ISO_MILLIS.format(Instant.ofEpochMilli(exchange.startMillis()))).append("\",");
    LogText.jsonField(line, "direction", EGRESS).append(',');
    LogText.jsonField(line, "request_id", exchange.requestId()).append(',');
    LogText.jsonField(line, "remote", exchange.remote()).append(',');
    LogText.jsonField(line, "method", exchange.method()).append(',');
    LogText.jsonField(line, "path", exchange.path()).append(',');
    LogText.jsonField(line, "protocol", exchange.protocol()).append(',');
    line.append("\"status\":").append(exchange.status()).append(',');
    LogText.jsonField(line, "decision", exchange.decision()).append(',');
    LogText.jsonField(line, "route", exchange.route()).append(',');
    line.append("\"user\":null,\"peer\":null,");
    LogText.jsonField(line, "authn", GatehouseMeters.NONE).append(',');
    line.append("\"duration_ms\":");
    millis(line, exchange.durationNanos()).append(',');
    line.append("\"upstream_ms\":");
    if (exchange.upstreamNanos() == 0) {
      line.append("null");
    } else {
      millis(line, exchange.upstreamNanos());
    }
    line.append(',');
    if (exchange.failure().isPresent()) {
      LogText.jsonField(line, "upstream_failure", exchange.failure().get().name().toLowerCase(Locale.ROOT)).append(',');
    }
    line.append("\"bytes_in\":").append(exchange.requestBytes()).append(',');
    line.append("\"bytes_out\":").append(exchange.responseBytes()).append(',');
    LogText.jsonField(line, "user_agent", exchange.userAgent()).append('}');
    return line.toString();
  }

  /** ISO-8601 UTC with milliseconds, as {@code Instant.toString()} but formatting the date once a second, not per line. */
  private StringBuilder time(StringBuilder line, long millis) {
    long second = Math.floorDiv(millis, 1000);
    if (second != formattedSecond) {
      String full = Instant.ofEpochSecond(second).toString();
      formattedPrefix = full.substring(0, full.length() - 1);
      formattedSecond = second;
    }
    int fraction = (int) Math.floorMod(millis, 1000);
    line.append(formattedPrefix).append('.');
    if (fraction < 100) {
      line.append('0');
    }
    if (fraction < 10) {
      line.append('0');
    }
    return line.append(fraction).append('Z');
  }

  boolean open() {
    return open;
  }

  /** A refused request's path as the engine would have seen it; the raw path (escaped) when it is not a valid one. */
  private static String canonical(String raw) {
    CanonicalPath canonical = PathCanonicalizer.canonicalize(raw);
    return canonical instanceof CanonicalPath.Valid valid ? valid.path() : raw;
  }

  private static StringBuilder millis(StringBuilder line, long nanos) {
    long micros = nanos / 1000;
    line.append(micros / 1000).append('.');
    long fraction = micros % 1000;
    if (fraction < 100) {
      line.append('0');
    }
    if (fraction < 10) {
      line.append('0');
    }
    return line.append(fraction);
  }
}
