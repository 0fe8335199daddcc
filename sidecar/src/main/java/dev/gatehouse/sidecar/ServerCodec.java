package dev.gatehouse.sidecar;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 for the client side, as Netty's {@code HttpServerCodec} but stricter: a request with both {@code
 * Content-Length} and {@code Transfer-Encoding} is marked as a decoding failure (a 400, as Jetty answers), where Netty
 * would drop the length and read the chunks; two readings of one body are how requests are smuggled. Limits are
 * Jetty's defaults: an 8 KiB request line (else 414) and 8 KiB of headers (else 431).
 *
 * <p>The encoder knows which request each response answers, so a response to {@code HEAD} carries its headers but no
 * body framing; an interim response (100 Continue) does not use up the request it precedes.
 *
 * <p>A request head has a deadline ({@code limits.header-timeout}): from the first byte of the head (for a connection's
 * first request, from the moment this codec is added: the accepted connection, or the end of the TLS handshake) until
 * the whole head is decoded. A client that is not done by then, a slowloris sending a byte a second among them, gets
 * 408 and the connection closes; one that sent nothing at all is closed without an answer, since it may only have
 * pre-connected. The time between requests on a kept-alive connection is the idle timeout's, not this deadline's.
 * Bodies have no deadline here: a body is read only as fast as the upstream takes it.
 */
final class ServerCodec extends CombinedChannelDuplexHandler<ServerCodec.StrictRequestDecoder, ServerCodec.ResponseEncoder> {

  static final int MAX_REQUEST_LINE = 8192;
  static final int MAX_HEADERS = 8192;

  ServerCodec(Duration headerTimeout) {
    Queue<HttpMethod> methods = new ArrayDeque<>(2);
    init(new StrictRequestDecoder(methods, headerTimeout), new ResponseEncoder(methods));
  }

  static final class StrictRequestDecoder extends HttpRequestDecoder {
    private final Queue<HttpMethod> methods;
    private final long headerTimeoutNanos;
    private ChannelHandlerContext context;
    /** Between the end of one request and the head of the next. */
    private boolean awaitingHead = true;
    /** When the awaited head began (its first byte, or the connection's start); 0 when it has not. */
    private long headStarted;
    /** Whether any byte of the awaited head arrived. */
    private boolean headBytes;
    private boolean expired;
    /**
     * At most one pending check per connection, rescheduled only when it fires, so a kept-alive connection's requests
     * cost a clock read each and no task.
     */
    private ScheduledFuture<?> check;

    StrictRequestDecoder(Queue<HttpMethod> methods, Duration headerTimeout) {
      super(
          new HttpDecoderConfig()
              .setMaxInitialLineLength(MAX_REQUEST_LINE)
              .setMaxHeaderSize(MAX_HEADERS)
              .setAllowDuplicateContentLengths(false)
              .setValidateHeaders(true)
              .setStrictLineParsing(true));
      this.methods = methods;
      this.headerTimeoutNanos = headerTimeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
      super.handlerAdded(ctx);
      context = ctx;
      headStarted = System.nanoTime();
      schedule(headerTimeoutNanos);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
      cancel();
      super.handlerRemoved0(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      cancel();
      super.channelInactive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
      if (expired) {
        buffer.skipBytes(buffer.readableBytes());
        return;
      }
      if (awaitingHead && buffer.isReadable()) {
        if (headStarted == 0) {
          headStarted = System.nanoTime();
          if (check == null) {
            schedule(headerTimeoutNanos);
          }
        }
        headBytes = true;
      }
      int before = out.size();
      super.decode(ctx, buffer, out);
      for (int i = before; i < out.size(); i++) {
        Object message = out.get(i);
        if (message instanceof HttpRequest request) {
          methods.add(request.method());
          awaitingHead = false;
          headStarted = 0;
          headBytes = false;
        }
        if (message instanceof LastHttpContent) {
          awaitingHead = true;
        }
      }
    }

    private void schedule(long delayNanos) {
      check = context.executor().schedule(this::deadline, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
      if (check != null) {
        check.cancel(false);
        check = null;
      }
    }

    private void deadline() {
      check = null;
      Channel channel = context.channel();
      if (!channel.isOpen() || expired || !awaitingHead || headStarted == 0) {
        return;
      }
      long waited = System.nanoTime() - headStarted;
      if (waited < headerTimeoutNanos) {
        schedule(headerTimeoutNanos - waited);
        return;
      }
      if (!methods.isEmpty()) {
        // A response is still owed: the handler reads nothing until it is out, so the next head cannot be late yet.
        schedule(headerTimeoutNanos);
        return;
      }
      expired = true;
      if (!headBytes) {
        channel.close();
        return;
      }
      FullHttpResponse response = Responses.error(HttpResponseStatus.REQUEST_TIMEOUT, /* head= */ false);
      Responses.close(response.headers());
      // From the tail, so that it passes the encoder like every other response.
      channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
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
