package dev.gatehouse.sidecar;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Headers that describe one connection and so never cross the proxy (RFC 9110 section 7.6.1), the list Jetty's proxy
 * drops: {@code Connection} and what it names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code
 * Trailer}, {@code Upgrade} (but for a WebSocket handshake), {@code Proxy-Authorization}/{@code -Authenticate} and
 * HTTP/2's {@code HTTP2-Settings}. {@code Transfer-Encoding} is the codecs' business: a chunked body stays chunked.
 */
final class HopByHop {

  private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
  private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
  private static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");

  private HopByHop() {}

  static boolean isRequestHopByHop(CharSequence name, boolean webSocket) {
    if (webSocket && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE)) {
      return false;
    }
    return isHopByHop(name);
  }

  private static boolean isHopByHop(CharSequence name) {
    return AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)
        || AsciiString.contentEqualsIgnoreCase(name, KEEP_ALIVE)
        || AsciiString.contentEqualsIgnoreCase(name, PROXY_CONNECTION)
        || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TE)
        || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRAILER)
        || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE)
        || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.PROXY_AUTHORIZATION)
        || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.PROXY_AUTHENTICATE)
        || AsciiString.contentEqualsIgnoreCase(name, HTTP2_SETTINGS);
  }

  /** Whether a request's {@code TE} lists {@code trailers}. */
  static boolean asksForTrailers(HttpHeaders headers) {
    for (String value : headers.getAll(HttpHeaderNames.TE)) {
      for (String token : value.split(",")) {
        if (token.strip().equalsIgnoreCase("trailers")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Removes the hop-by-hop headers of an upstream response, and those its {@code Connection} names. A {@code 101}
   * keeps {@code Upgrade} and {@code Connection: upgrade}, which are the switch itself.
   */
  static void cleanResponse(HttpHeaders headers, boolean switching) {
    List<String> connectionValues = headers.getAll(HttpHeaderNames.CONNECTION);
    List<CharSequence> strip = null;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (isHopByHop(name) && !AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRAILER) || namedIn(connectionValues, name)) {
        if (strip == null) {
          strip = new ArrayList<>(2);
        }
        strip.add(name);
      }
    }
    if (strip != null) {
      for (int i = 0; i < strip.size(); i++) {
        headers.remove(strip.get(i));
      }
    }
    if (switching) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }
  }

  private static boolean namedIn(List<String> connectionValues, CharSequence name) {
    for (int i = 0; i < connectionValues.size(); i++) {
      for (String token : connectionValues.get(i).split(",")) {
        String named = token.strip();
        if (!named.equalsIgnoreCase("close") && !named.equalsIgnoreCase("keep-alive") && AsciiString.contentEqualsIgnoreCase(named, name)) {
          return true;
        }
      }
    }
    return false;
  }
}
