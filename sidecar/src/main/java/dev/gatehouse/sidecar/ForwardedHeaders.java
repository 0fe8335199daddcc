package dev.gatehouse.sidecar;

import dev.gatehouse.Decision;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.http.RequestHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The one place where an allowed request's headers become the upstream's: what the client may not send is removed,
 * then this hop's own headers are set.
 *
 * <p>The engine decides what passes: the decision's {@link Decision.Allow#requestHeaders() header policy} names what to
 * remove (identity headers in any spelling, any header the client names in {@code Connection:}, headers the decision
 * consumed such as a bearer token that is not forwarded) and what to set (the identity headers). This class only
 * applies it, removes the hop-by-hop headers ({@link HopByHop}), and sets this hop's own {@code X-Forwarded-For/Proto/Host};
 * the client's {@code Host} (an HTTP/2 client's {@code :authority}) is kept as the client sent it, as Envoy does. No
 * {@code Via} or {@code Forwarded}: nginx and Envoy send neither by default, and {@code Via} would name this host.
 */
final class ForwardedHeaders {

  private ForwardedHeaders() {}

  /**
   * Rewrites the headers of one request, in place.
   *
   * @param headers the client's request headers, changed into the upstream's
   * @param allow the engine's decision
   * @param connection the client connection
   * @param upgrade what the request may keep of {@code Upgrade}/{@code TE}
   */
  static void apply(HttpHeaders headers, Decision.Allow allow, ConnectionFacts connection, Upgrade upgrade) {
    List<String> connectionValues = headers.getAll(HttpHeaderNames.CONNECTION);
    boolean teTrailers = upgrade == Upgrade.H2_TRAILERS && HopByHop.asksForTrailers(headers);
    String host = headers.get(HttpHeaderNames.HOST);
    RequestHeaders policy = allow.requestHeaders();
    List<CharSequence> strip = null;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (HopByHop.isRequestHopByHop(name, upgrade == Upgrade.WEBSOCKET) || policy.mustRemove(name.toString(), connectionValues)) {
        if (strip == null) {
          strip = new ArrayList<>(4);
        }
        strip.add(name);
      }
    }
    if (strip != null) {
      for (int i = 0; i < strip.size(); i++) {
        headers.remove(strip.get(i));
      }
    }
    headers.set(IdentityHeaders.FOR, connection.remoteAddress());
    headers.set(IdentityHeaders.PROTO, connection.secure() ? HTTPS : HTTP);
    if (host != null && !host.isEmpty()) {
      headers.set(IdentityHeaders.HOST, host);
    }
    for (Map.Entry<String, String> header : policy.toSet().entrySet()) {
      headers.set(header.getKey(), header.getValue());
    }
    if (upgrade == Upgrade.WEBSOCKET) {
      // Set anew: the client's Connection named Upgrade, which removed it with the rest of what Connection names.
      headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }
    if (teTrailers) {
      // gRPC servers require it; it is the one TE value an HTTP/2 hop may pass on (RFC 9113 section 8.2.2).
      headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
  }

  /**
   * Removes, in place, the trailers of a chunked request that the policy does not let through ({@link
   * RequestHeaders#mustRemoveTrailer}): an identity or routing header, or any framing name, smuggled after the body.
   */
  static void cleanTrailers(HttpHeaders trailers, RequestHeaders policy) {
    if (trailers.isEmpty()) {
      return;
    }
    List<CharSequence> strip = null;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = trailers.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (policy.mustRemoveTrailer(name.toString())) {
        if (strip == null) {
          strip = new ArrayList<>(2);
        }
        strip.add(name);
      }
    }
    if (strip != null) {
      for (int i = 0; i < strip.size(); i++) {
        trailers.remove(strip.get(i));
      }
    }
  }

  /** What of the client's connection-level wishes the upstream request keeps. */
  enum Upgrade {
    /** Neither {@code Upgrade} nor {@code TE}. */
    NONE,
    /** {@code Upgrade: websocket} and {@code Connection: Upgrade}, for a WebSocket handshake. */
    WEBSOCKET,
    /** {@code TE: trailers}, towards an HTTP/2 upstream. */
    H2_TRAILERS
  }

  private static final AsciiString HTTP = AsciiString.cached("http");
  private static final AsciiString HTTPS = AsciiString.cached("https");
}
