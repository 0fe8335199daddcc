package dev.gatehouse.sidecar;

import java.util.Optional;

/**
 * The facts of one egress exchange, gathered in one place for the access log and metrics ({@code direction="egress"},
 * the route's name); never a header value, a token or a body.
 *
 * @param startMillis when the request arrived, in milliseconds since the epoch
 * @param requestId the application's {@code X-Request-Id} when valid, else a new one
 * @param remote the application's address ({@code unix} on a Unix socket)
 * @param route the route's name; {@code "-"} when no route matched
 * @param decision {@code allow} when a route took the request, {@code deny} when a route or host refused it (403, 405),
 *     {@code reject} when there was nothing to route (404, 400)
 * @param method the request's method
 * @param path the requested path, canonical, without query
 * @param protocol the request's HTTP version
 * @param userAgent the application's {@code User-Agent}, or null
 * @param status the status answered to the application
 * @param durationNanos from the request's arrival to the response's last byte written
 * @param upstreamNanos from sending the request to the remote to its response's end; 0 when nothing was sent
 * @param requestBytes the request body's size
 * @param responseBytes the response body's size
 * @param failure why the remote could not answer, if so
 */
record EgressExchange(
    long startMillis,
    String requestId,
    String remote,
    String route,
    String decision,
    String method,
    String path,
    String protocol,
    String userAgent,
    int status, long durationNanos, long upstreamNanos, long requestBytes, long responseBytes, Optional<UpstreamFailure> failure) {

  /** Why an exchange with the remote failed, as the access log and metrics name it. */
  enum UpstreamFailure {
    /** No connection could be opened. */
    CONNECT,
    /** The remote was silent for the idle timeout. */
    TIMEOUT,
    /** The connection closed or reset before the response ended. */
    RESET,
    /** The remote's response was not valid HTTP/1.1. */
    PROTOCOL,
    /** The TLS handshake failed: untrusted certificate, wrong name, refused SPIFFE ID, or the remote refused ours. */
    TLS
  }
}
