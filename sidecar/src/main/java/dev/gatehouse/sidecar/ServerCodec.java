package dev.gatehouse.sidecar;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * HTTP/1.1 for the client side, as Netty's {@code HttpServerCodec} but stricter: a request with both {@code
 * Content-Length} and {@code Transfer-Encoding} is marked as a decoding failure (a 400, as Jetty answers), where Netty
 * would drop the length and read the chunks; two readings of one body are how requests are smuggled. Limits are
 * Jetty's defaults: an 8 KiB request line (else 414) and 8 KiB of headers (else 431).
 *
 * <p>The encoder knows which request each response answers, so a response to {@code HEAD} carries its headers but no
 * body framing; an interim response (100 Continue) does not use up the request it precedes.
 */
final class ServerCodec extends CombinedChannelDuplexHandler<ServerCodec.StrictRequestDecoder, ServerCodec.ResponseEncoder> {

  static final int MAX_REQUEST_LINE = 8192;
  static final int MAX_HEADERS = 8192;

  ServerCodec() {
    Queue<HttpMethod> methods = new ArrayDeque<>(2);
    init(new StrictRequestDecoder(methods), new ResponseEncoder(methods));
  }

  static final class StrictRequestDecoder extends HttpRequestDecoder {
    private final Queue<HttpMethod> methods;

    StrictRequestDecoder(Queue<HttpMethod> methods) {
      super(
          new HttpDecoderConfig()
              .setMaxInitialLineLength(MAX_REQUEST_LINE)
              .setMaxHeaderSize(MAX_HEADERS)
              .setAllowDuplicateContentLengths(false)
              .setValidateHeaders(true)
              .setStrictLineParsing(true));
      this.methods = methods;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
      int before = out.size();
      super.decode(ctx, buffer, out);
      for (int i = before; i < out.size(); i++) {
        if (out.get(i) instanceof HttpRequest request) {
          methods.add(request.method());
        }
      }
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      message.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("both Content-Length and Transfer-Encoding")));
      super.handleTransferEncodingChunkedWithContentLength(message);
    }
  }

  static final class ResponseEncoder extends HttpResponseEncoder {
    private final Queue<HttpMethod> methods;

    ResponseEncoder(Queue<HttpMethod> methods) {
      this.methods = methods;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse response) {
      boolean interim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL && response.status().code() != 101;
      HttpMethod method = interim ? methods.peek() : methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(response);
    }
  }
}
