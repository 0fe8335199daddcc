package dev.gatehouse.sidecar;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Error responses Jetty writes itself (400 from the parser, 431 for huge headers, 502/504 from the proxy, 500) carry only
 * the status's reason phrase, such as {@code Bad Gateway}: Jetty's default page would echo the request URI and the
 * exception message, which may name upstream hosts. Statuses that have no body (204, 304) stay without one.
 */
final class PlainErrorHandler extends ErrorHandler {

  /** Jetty writes bodies for GET, POST and HEAD only; a proxied PUT or DELETE deserves the same short answer. */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  private static final PreEncodedHttpField TEXT_PLAIN =
      new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain; charset=UTF-8");

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
    String body = HttpStatus.getMessage(code) + "\n";
    response.getHeaders().put(TEXT_PLAIN);
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
  }
}
