package dev.gatehouse.sidecar;

import dev.gatehouse.Decision;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The answers the sidecar writes itself: the engine's refusals exactly as worded (status, one {@code WWW-Authenticate}
 * per challenge, {@code Retry-After} when the refusal has one, {@code text/plain; charset=UTF-8}, {@code Cache-Control: no-store}, the fixed body), and the proxy's
 * own errors (400, 414, 431, 500, 502, 504) with the status's reason phrase as the whole body: never the request, an
 * exception or an upstream's name. No {@code Server} header.
 */
final class Responses {

  // Header names as Jetty and most servers spell them; Netty's constants are lower case, which HTTP/2 needs and
  // HTTP/1.1 clients accept, but people read these in curl output and tests match them.
  private static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
  private static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
  private static final AsciiString CACHE_CONTROL = AsciiString.cached("Cache-Control");
  private static final AsciiString WWW_AUTHENTICATE = AsciiString.cached("WWW-Authenticate");
  private static final AsciiString CONNECTION = AsciiString.cached("Connection");
  private static final AsciiString RETRY_AFTER = AsciiString.cached("Retry-After");
  private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=UTF-8");
  private static final AsciiString NO_STORE = AsciiString.cached("no-store");

  /** A handful of fixed strings, each encoded once into a buffer that is never freed and is shared read-only. */
  private static final Map<String, ByteBuf> BODIES = new ConcurrentHashMap<>();

  private Responses() {}

  static FullHttpResponse refusal(Decision.Refusal refusal, boolean head) {
    FullHttpResponse response = text(HttpResponseStatus.valueOf(refusal.status()), refusal.body(), head);
    HttpHeaders headers = response.headers();
    List<String> challenges = refusal.challenges();
    for (int i = 0; i < challenges.size(); i++) {
      headers.add(WWW_AUTHENTICATE, challenges.get(i));
    }
    long retryAfter = refusal.retryAfterSeconds();
    if (retryAfter > 0) {
      headers.set(RETRY_AFTER, Long.toString(retryAfter));
    }
    headers.set(CACHE_CONTROL, NO_STORE);
    return response;
  }

  static FullHttpResponse error(HttpResponseStatus status, boolean head) {
    return text(status, status.reasonPhrase() + "\n", head);
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body, boolean head) {
    ByteBuf bytes = BODIES.computeIfAbsent(body, Responses::encode);
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, head ? Unpooled.EMPTY_BUFFER : bytes.duplicate());
    response.headers().set(CONTENT_TYPE, TEXT_PLAIN).setInt(CONTENT_LENGTH, bytes.readableBytes());
    return response;
  }

  static void close(HttpHeaders headers) {
    headers.set(CONNECTION, HttpHeaderValues.CLOSE);
  }

  private static ByteBuf encode(String text) {
    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)).asReadOnly());
  }
}
