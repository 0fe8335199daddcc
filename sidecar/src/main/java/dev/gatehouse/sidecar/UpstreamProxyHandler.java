package dev.gatehouse.sidecar;

import dev.gatehouse.Decision;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.http.RequestHeaders;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards allowed requests to the upstream with Jetty's reverse proxy, which already drops hop-by-hop headers and the
 * ones named in {@code Connection:}, streams bodies both ways, pools keep-alive connections, answers 502/504 when the
 * upstream fails, and follows no redirects, keeps no cookies and decodes no content.
 *
 * <p>On top of that: the request target is the canonical path the engine decided on plus the client's raw query, so the
 * upstream serves exactly the path the rules matched; the client's {@code Host} goes through unchanged (as Envoy
 * does); every header a client could use to claim an identity is removed, and so is every header the decision consumed
 * (a bearer token that is not forwarded); and {@code X-Forwarded-For/Proto/Host} plus the identity headers of the {@link
 * Decision.Allow} are set by this hop alone. Jetty's own {@code Via} and {@code Forwarded} are not added: nginx and Envoy
 * send neither by default, and {@code Via} would disclose this host's name.
 *
 * <p>Thread-safe once started.
 */
final class UpstreamProxyHandler extends ProxyHandler.Reverse {

  /** How long an upstream connection may stay silent, waiting for a response included, before a 504; as nginx. */
  static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  private static final Logger log = LoggerFactory.getLogger(UpstreamProxyHandler.class);

  private final URI upstream;
  private final Transport transport;
  private final Duration idleTimeout;

  /**
   * @param upstream a validated {@code http(s)://host:port} or {@code unix:/path} upstream
   * @param idleTimeout see {@link #DEFAULT_IDLE_TIMEOUT}
   */
  UpstreamProxyHandler(URI upstream, Duration idleTimeout) {
    super(rewriter(base(upstream)));
    this.upstream = upstream;
    this.transport = isUnix(upstream) ? new Transport.TCPUnix(Path.of(upstream.getSchemeSpecificPart())) : Transport.TCP_IP;
    this.idleTimeout = idleTimeout;
    // Via is never sent; naming it here spares the local host name lookup Jetty would do at start.
    setViaHost("gatehouse");
    // One thread pool for both sides keeps the thread count, and so the memory, down.
    setUseServerThreadPool(true);
  }

  private static boolean isUnix(URI upstream) {
    return "unix".equalsIgnoreCase(upstream.getScheme());
  }

  /** Scheme, host and port of the upstream; for a Unix socket the host only fills the URI, the transport connects. */
  private static HttpURI base(URI upstream) {
    if (isUnix(upstream)) {
      return HttpURI.from("http", "localhost", -1, null);
    }
    return HttpURI.from(upstream.getScheme().toLowerCase(Locale.ROOT), upstream.getHost(), upstream.getPort(), null);
  }

  /**
   * The upstream's scheme, host and port, the canonical path the engine decided on, and the client's query exactly as
   * received. Forwarding the canonical path rather than the raw one means the upstream serves precisely what the rules
   * matched, whatever its own path handling does with {@code //}, {@code %2e} or {@code ..}.
   */
  private static Function<Request, HttpURI> rewriter(HttpURI base) {
    return clientToProxyRequest -> {
      if (!(clientToProxyRequest.getAttribute(AuthenticatingHandler.DECISION_ATTRIBUTE) instanceof Decision.Allow allow)
          || allow.path().isEmpty()) {
        // Only reachable if the handlers were wired wrongly; forwarding the raw path could serve what no rule saw.
        throw new IllegalStateException("request reached the proxy without an allow decision naming its path");
      }
      return HttpURI.build(base).path(allow.path().get()).query(clientToProxyRequest.getHttpURI().getQuery());
    };
  }

  @Override
  protected HttpClient newHttpClient() {
    ClientConnector connector = new ClientConnector();
    if (!"https".equalsIgnoreCase(upstream.getScheme())) {
      // No TLS towards an http or unix upstream, so no need to load the trust store: that was a tenth of start-up.
      SslContextFactory.Client unused = new SslContextFactory.Client();
      connector.setSslContextFactory(unused);
      connector.unmanage(unused);
    }
    return new HttpClient(new HttpClientTransportDynamic(connector));
  }

  @Override
  protected void configureHttpClient(HttpClient httpClient) {
    super.configureHttpClient(httpClient);
    httpClient.setIdleTimeout(idleTimeout.toMillis());
    // The client's User-Agent is copied through; Jetty's own would arrive as a second one.
    httpClient.setUserAgentField(null);
  }

  @Override
  protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request clientToProxyRequest, HttpURI newHttpURI) {
    return super.newProxyToServerRequest(clientToProxyRequest, newHttpURI).transport(transport);
  }

  /** Applies the decision's header policy: every client-sent header it says must go, goes. */
  @Override
  protected void copyRequestHeaders(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
    super.copyRequestHeaders(clientToProxyRequest, proxyToServerRequest);
    if (!(clientToProxyRequest.getAttribute(AuthenticatingHandler.DECISION_ATTRIBUTE) instanceof Decision.Allow allow)) {
      // Only reachable if the handlers were wired wrongly; forwarding the client's identity headers would fail open.
      throw new IllegalStateException("request reached the proxy without an allow decision");
    }
    RequestHeaders policy = allow.requestHeaders();
    List<String> connection = clientToProxyRequest.getHeaders().getValuesList(HttpHeader.CONNECTION);
    proxyToServerRequest.headers(
        headers -> {
          for (ListIterator<HttpField> fields = headers.listIterator(); fields.hasNext(); ) {
            if (policy.mustRemove(fields.next().getName(), connection)) {
              fields.remove();
            }
          }
        });
  }

  @Override
  protected void addProxyHeaders(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
    if (!(clientToProxyRequest.getAttribute(AuthenticatingHandler.DECISION_ATTRIBUTE) instanceof Decision.Allow allow)) {
      // Only reachable if the handlers were wired wrongly; forwarding without identity headers would fail open.
      throw new IllegalStateException("request reached the proxy without an allow decision");
    }
    String host = JettyRequestView.host(clientToProxyRequest).orElse(null);
    proxyToServerRequest.headers(
        headers -> {
          headers.put(IdentityHeaders.FOR, JettyRequestView.remoteAddress(clientToProxyRequest));
          headers.put(IdentityHeaders.PROTO, clientToProxyRequest.isSecure() ? "https" : "http");
          if (host != null) {
            headers.put(IdentityHeaders.HOST, host);
            // An HTTP/2 client's host arrives as :authority, not as a header the copy above could keep.
            headers.put(HttpHeader.HOST, host);
          }
          for (Map.Entry<String, String> header : allow.headers().entrySet()) {
            headers.put(header.getKey(), header.getValue());
          }
        });
  }

  @Override
  protected void onServerToProxyResponseFailure(
      Request clientToProxyRequest,
      org.eclipse.jetty.client.Request proxyToServerRequest,
      org.eclipse.jetty.client.Response serverToProxyResponse,
      Response proxyToClientResponse,
      Callback proxyToClientCallback,
      Throwable failure) {
    log.warn(
        "{} P2S {} {} to {} failed: {}",
        requestId(clientToProxyRequest),
        clientToProxyRequest.getMethod(),
        clientToProxyRequest.getHttpURI().getPath(),
        upstream,
        failure.toString());
    // Jetty answers 504 for a timeout and 502 otherwise; the server's error handler writes the short body.
    super.onServerToProxyResponseFailure(
        clientToProxyRequest, proxyToServerRequest, serverToProxyResponse, proxyToClientResponse, proxyToClientCallback, failure);
  }
}
