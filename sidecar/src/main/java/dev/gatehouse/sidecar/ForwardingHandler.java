package dev.gatehouse.sidecar;

import dev.gatehouse.Decision;
import dev.gatehouse.http.RequestIds;
import dev.gatehouse.http.RequestHeaders;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's (or HTTP/2 stream's) requests, one at a time: asks the engine, writes refusals, and forwards
 * allowed requests over an upstream connection of the same event loop, streaming both bodies.
 *
 * <p>Design: the client channel never reads on its own (auto-read off); the handler asks for each message it is ready
 * for ({@link #next()}) and keeps the ones a read decoded ahead, so nothing is handled in a state that did not ask. A request body is
 * read only while the upstream socket is writable, a response only while the client socket is; so a slow peer on
 * either side stops the other's reads instead of filling memory. After a request the connection reads nothing until
 * its response is complete, which makes HTTP/1.1 pipelining safe: a pipelined request waits in the socket and the
 * decoder, and is decided on only when its turn comes. Everything runs on the channel's event loop.
 *
 * <p>Failure answers: a malformed request is 400 (414, 431 for the limits) and the connection closes; an upstream
 * that cannot be reached, resets or answers garbage before its response head is 502, one that stays silent for the
 * upstream idle timeout is 504. After the head went out the only honest signal left is closing the client connection.
 */
final class ForwardingHandler extends ChannelInboundHandlerAdapter implements UpstreamListener {

  private static final Logger log = LoggerFactory.getLogger(ForwardingHandler.class);

  /** Lower case: HTTP/2 (towards an h2c upstream, and from an HTTP/2 client) allows no other. */
  private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
  private static final AsciiString X_REQUEST_ID_RESPONSE = AsciiString.cached(RequestIds.HEADER);

  private enum State {
    /** Waiting for the next request head. */
    IDLE,
    /** A refused request's body: read and dropped, so the connection can stay open. */
    DISCARDING,
    /** An allowed request waits for its upstream connection. */
    CONNECTING,
    /** The request goes up, the response comes down. */
    FORWARDING,
    /** A WebSocket tunnel took over the connection. */
    TUNNEL,
    CLOSED
  }

  private final ProxyContext proxy;
  private final ConnectionFacts connection;
  private final boolean http2Stream;
  /** The current request's access-log line and upstream timing; null when neither an access log nor metrics is on. */
  private final Exchange exchange;

  private ChannelHandlerContext ctx;
  private boolean reading;
  private boolean wanted;
  private final ArrayDeque<Object> inbox = new ArrayDeque<>(4);
  private State state = State.IDLE;
  private int requestId;
  /** The current request's {@code X-Request-Id}: the client's when valid, else a new one. */
  private String requestIdValue;

  private HttpRequest proxyToServerRequest;
  /** The allowed request's header policy, which its trailers pass too. */
  private RequestHeaders headerPolicy;
  private LastHttpContent bodyIfWhole;
  private boolean replayable;
  private boolean retried;
  private boolean head;
  private boolean webSocket;
  private boolean clientKeepAlive;
  private boolean requestDone;

  private UpstreamConnection upstream;
  private boolean upstreamKeepAlive;
  private boolean responseStarted;
  private boolean interim;

  ForwardingHandler(ProxyContext proxy, ConnectionFacts connection, boolean http2Stream) {
    this.proxy = proxy;
    this.connection = connection;
    this.http2Stream = http2Stream;
    this.exchange = proxy.observers().any() ? new Exchange(proxy.observers(), connection, http2Stream) : null;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      firstRead();
    }
  }

  /** Replaced by a tunnel: what was decoded behind the handshake is HTTP, not WebSocket, and goes nowhere. */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    for (Object message; (message = inbox.poll()) != null; ) {
      ReferenceCountUtil.release(message);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    firstRead();
    ctx.fireChannelActive();
  }

  /** An accepted socket is already active when this handler is added, and is then told it became active as well. */
  private void firstRead() {
    if (!reading) {
      reading = true;
      next();
    }
  }

  /**
   * Asks for the next message: the oldest one already decoded, or else a read from the socket. One socket read can
   * decode into several messages (a head, its body, a pipelined request); those not asked for yet wait in {@link
   * #inbox}, so that each arrives only in the state that expects it.
   */
  private void next() {
    wanted = true;
    while (wanted && !inbox.isEmpty()) {
      wanted = false;
      dispatch(inbox.poll());
    }
    if (wanted && inbox.isEmpty()) {
      ctx.read();
    }
  }

  // ---- client to proxy ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (wanted && inbox.isEmpty()) {
      wanted = false;
      dispatch(message);
    } else {
      inbox.add(message);
    }
  }

  private void dispatch(Object message) {
    switch (state) {
      case IDLE -> {
        if (message instanceof HttpRequest clientToProxyRequest) {
          onRequestHead(clientToProxyRequest);
        } else {
          // The end of a request already answered (an error answer), or bytes after one: nothing to do with them.
          ReferenceCountUtil.release(message);
          next();
        }
      }
      case DISCARDING -> {
        ReferenceCountUtil.release(message);
        if (isMalformed(message)) {
          // The refusal went out already; what follows a broken body cannot be framed, so nothing more is read.
          state = State.CLOSED;
          ctx.close();
          return;
        }
        if (message instanceof LastHttpContent) {
          state = State.IDLE;
        }
        next();
      }
      case FORWARDING -> onRequestBody(message);
      case CONNECTING -> {
        // Only while a body-less request waits for its replay: the end of it, which the replay writes itself.
        ReferenceCountUtil.release(message);
        if (message instanceof LastHttpContent) {
          requestDone = true;
        }
      }
      default -> ReferenceCountUtil.release(message);
    }
  }

  private void onRequestHead(HttpRequest clientToProxyRequest) {
    requestId++;
    // Before the engine sees the request, so that its audit line carries the id the application and the client get.
    String clientId = clientToProxyRequest.headers().get(X_REQUEST_ID);
    requestIdValue = clientId != null && RequestIds.isValid(clientId) ? clientId : RequestIds.create();
    clientToProxyRequest.headers().set(X_REQUEST_ID, requestIdValue);
    if (exchange != null) {
      exchange.begin(clientToProxyRequest, requestIdValue);
    }
    head = HttpMethod.HEAD.equals(clientToProxyRequest.method());
    Optional<HttpResponseStatus> malformed = malformed(clientToProxyRequest);
    String host = clientToProxyRequest.headers().get(HttpHeaderNames.HOST);
    Optional<RequestTarget> target = malformed.isPresent() ? Optional.empty() : RequestTarget.parse(clientToProxyRequest.uri(), host);
    if (malformed.isPresent() || target.isEmpty()) {
      HttpResponseStatus status = malformed.orElse(HttpResponseStatus.BAD_REQUEST);
      if (log.isDebugEnabled()) {
        log.debug("{} C2P malformed request: {} ({})", id(), status.code(), clientToProxyRequest.decoderResult());
      }
      ReferenceCountUtil.release(clientToProxyRequest);
      if (exchange != null) {
        // Refused before the engine could see it: the proxy's own reject, not counted among the engine's decisions.
        exchange.decided(dev.gatehouse.metrics.GatehouseListener.DecisionKind.REJECT, dev.gatehouse.Identities.ANONYMOUS, "none", Optional.empty());
      }
      answerAndClose(stamped(Responses.error(status, head)));
      return;
    }
    clientKeepAlive = HttpUtil.isKeepAlive(clientToProxyRequest) && !proxy.draining();
    Decision decision = proxy.decide(new NettyRequestView(clientToProxyRequest, target.get(), connection, exchange));
    if (decision instanceof Decision.Refusal refusal) {
      refuse(clientToProxyRequest, refusal);
      return;
    }
    Decision.Allow allow = (Decision.Allow) decision;
    if (allow.path().isEmpty()) {
      // Only reachable if the engine were wired wrongly; forwarding the raw path could serve what no rule saw.
      ReferenceCountUtil.release(clientToProxyRequest);
      answerAndClose(stamped(Responses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, head)));
      return;
    }
    if (exchange != null) {
      exchange.canonicalPath(allow.path().get());
    }
    webSocket = !http2Stream && WebSocketTunnel.isUpgrade(clientToProxyRequest);
    HttpHeaders headers = clientToProxyRequest.headers();
    if (http2Stream) {
      // Netty's HTTP/2 conversion notes the stream id and scheme as headers; they are this hop's, not the app's.
      for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
        headers.remove(name.text());
      }
    }
    ForwardedHeaders.apply(
        headers,
        allow,
        connection,
        webSocket ? ForwardedHeaders.Upgrade.WEBSOCKET : proxy.upstreamHttp2() ? ForwardedHeaders.Upgrade.H2_TRAILERS : ForwardedHeaders.Upgrade.NONE);
    headerPolicy = allow.requestHeaders();
    String uri = RequestTarget.forwarded(allow.path().get(), target.get().query());
    proxyToServerRequest = new DefaultHttpRequest(HttpVersion.HTTP_1_1, clientToProxyRequest.method(), uri, headers);
    bodyIfWhole = null;
    if (clientToProxyRequest instanceof FullHttpRequest whole) {
      // HTTP/2 hands a request without body, or with all of it, in one object; split it, so the head can be replayed.
      bodyIfWhole = new DefaultLastHttpContent(whole.content(), whole.trailingHeaders());
      if (exchange != null) {
        exchange.bytesIn(whole.content().readableBytes());
      }
      ForwardedHeaders.cleanTrailers(bodyIfWhole.trailingHeaders(), headerPolicy);
      if (http2Stream && whole.content().isReadable() && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        HttpUtil.setContentLength(proxyToServerRequest, whole.content().readableBytes());
      }
    } else if (http2Stream && !proxy.upstreamHttp2() && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      // An HTTP/2 body has no length up front; HTTP/1.1 needs a length or chunks.
      HttpUtil.setTransferEncodingChunked(proxyToServerRequest, true);
    }
    replayable = !HttpUtil.isTransferEncodingChunked(proxyToServerRequest) && HttpUtil.getContentLength(proxyToServerRequest, 0L) == 0L;
    retried = false;
    requestDone = false;
    responseStarted = false;
    interim = false;
    if (log.isDebugEnabled()) {
      log.debug("{} P2S {} {}", id(), proxyToServerRequest.method(), allow.path().get());
    }
    state = State.CONNECTING;
    if (exchange != null) {
      exchange.upstreamStarted();
    }
    proxy.upstream(ctx.channel().eventLoop()).acquire(this);
  }

  /** What the decoder refused, or what Netty accepts but Jetty refused: CONNECT, a bad Host, an unknown coding. */
  private Optional<HttpResponseStatus> malformed(HttpRequest request) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      if (result.cause() instanceof TooLongHttpLineException) {
        return Optional.of(HttpResponseStatus.REQUEST_URI_TOO_LONG);
      }
      if (result.cause() instanceof TooLongHttpHeaderException) {
        return Optional.of(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
      }
      return Optional.of(HttpResponseStatus.BAD_REQUEST);
    }
    // Any case: a client forwarding "connect" would have it upper-cased further on.
    if (request.method().name().equalsIgnoreCase("CONNECT")) {
      return Optional.of(HttpResponseStatus.BAD_REQUEST);
    }
    HttpHeaders headers = request.headers();
    if (!http2Stream) {
      int hosts = headers.getAll(HttpHeaderNames.HOST).size();
      if (hosts > 1 || (hosts == 0 && request.protocolVersion().equals(HttpVersion.HTTP_1_1))) {
        return Optional.of(HttpResponseStatus.BAD_REQUEST);
      }
      List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
      if (!codings.isEmpty() && (codings.size() > 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(codings.get(0).strip()))) {
        // Only chunked is understood here; anything else could be read one way by us and another by the upstream.
        return Optional.of(HttpResponseStatus.BAD_REQUEST);
      }
    }
    return Optional.empty();
  }

  private void refuse(HttpRequest clientToProxyRequest, Decision.Refusal refusal) {
    if (log.isDebugEnabled()) {
      log.debug("{} C2P refused {} with {}: {}", id(), clientToProxyRequest.method(), refusal.status(), refusal.reason());
    }
    boolean whole = clientToProxyRequest instanceof LastHttpContent;
    // A refused body is read and dropped; but a client waiting for 100 Continue would never send it.
    if (!whole && HttpUtil.is100ContinueExpected(clientToProxyRequest)) {
      clientKeepAlive = false;
    }
    ReferenceCountUtil.release(clientToProxyRequest);
    FullHttpResponse response = stamped(Responses.refusal(refusal, head));
    if (!clientKeepAlive) {
      answerAndClose(response);
      return;
    }
    ctx.writeAndFlush(response);
    state = whole ? State.IDLE : State.DISCARDING;
    next();
  }

  private void onRequestBody(Object message) {
    if (!(message instanceof HttpContent content) || requestDone) {
      ReferenceCountUtil.release(message);
      return;
    }
    if (isMalformed(content)) {
      content.release();
      malformedBody();
      return;
    }
    if (upstream == null) {
      content.release();
      return;
    }
    if (exchange != null) {
      exchange.bytesIn(content.content().readableBytes());
    }
    if (content instanceof LastHttpContent last) {
      requestDone = true;
      ForwardedHeaders.cleanTrailers(last.trailingHeaders(), headerPolicy);
      upstream.channel().writeAndFlush(content, upstream.channel().voidPromise());
      return;
    }
    // Flushed at once: a message handed over by the FlowControlHandler has no read-complete event behind it.
    upstream.channel().writeAndFlush(content, upstream.channel().voidPromise());
    if (upstream.channel().isWritable()) {
      next();
    }
  }

  /** Whether the decoder could not frame this part of a request (a broken chunk line, size, delimiter or trailer). */
  private static boolean isMalformed(Object message) {
    return message instanceof HttpContent content && content.decoderResult().isFailure();
  }

  /**
   * The client's body could not be framed: the client's fault, so a 400 (never the 502 of an upstream failure) if no
   * response began, and the connection closes, since nothing after the bad bytes can be read as a request. The upstream
   * connection saw only part of a request and is closed without being counted against the upstream.
   */
  private void malformedBody() {
    if (log.isDebugEnabled()) {
      log.debug("{} C2P malformed body", id());
    }
    UpstreamConnection partial = upstream;
    upstream = null;
    if (partial != null) {
      partial.abandon();
    }
    dropBody();
    if (responseStarted) {
      state = State.CLOSED;
      ctx.close();
      return;
    }
    answerAndClose(Responses.error(HttpResponseStatus.BAD_REQUEST, head));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && upstream != null && state == State.FORWARDING) {
      upstream.channel().read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  // ---- proxy to server, server to proxy ----

  @Override
  public void upstreamReady(UpstreamConnection ready) {
    if (state != State.CONNECTING) {
      ready.release(/* reusable= */ true);
      return;
    }
    upstream = ready;
    state = State.FORWARDING;
    Channel server = upstream.channel();
    if (bodyIfWhole != null) {
      requestDone = true;
      LastHttpContent body = replayable ? bodyIfWhole.retainedDuplicate() : bodyIfWhole;
      if (!replayable) {
        bodyIfWhole = null;
      }
      server.write(proxyToServerRequest, server.voidPromise());
      server.writeAndFlush(body, server.voidPromise());
    } else if (requestDone) {
      // A replay: the client's (empty) body was read the first time.
      server.write(proxyToServerRequest, server.voidPromise());
      server.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, server.voidPromise());
    } else {
      server.writeAndFlush(proxyToServerRequest, server.voidPromise());
      next();
    }
    server.read();
  }

  @Override
  public void upstreamUnavailable(Throwable cause) {
    if (state != State.CONNECTING) {
      return;
    }
    log.warn("{} P2S {} {} to {} failed: {}", id(), proxyToServerRequest.method(), proxyToServerRequest.uri(), proxy.upstreamName(), cause.toString());
    if (exchange != null) {
      exchange.upstreamFailed(SidecarMetrics.UpstreamFailure.CONNECT);
    }
    finishWithError(HttpResponseStatus.BAD_GATEWAY);
  }

  @Override
  public void upstreamMessage(HttpObject message) {
    if (state != State.FORWARDING) {
      ReferenceCountUtil.release(message);
      return;
    }
    if (message instanceof HttpResponse serverToProxyResponse) {
      if (serverToProxyResponse.decoderResult().isFailure()) {
        ReferenceCountUtil.release(message);
        upstreamFailed(serverToProxyResponse.decoderResult().cause(), /* timedOut= */ false);
        return;
      }
      HttpResponse proxyToClientResponse = onResponseHead(serverToProxyResponse);
      if (proxyToClientResponse == null) {
        ReferenceCountUtil.release(message);
        return;
      }
      if (exchange != null) {
        exchange.status(proxyToClientResponse.status().code());
      }
      if (message instanceof FullHttpResponse whole) {
        // HTTP/2 hands a short response (gRPC's trailers-only among them) in one object: passed on as one, so that
        // an HTTP/2 client gets it as one HEADERS frame too.
        whole.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (!http2Stream && !HttpUtil.isTransferEncodingChunked(whole) && !whole.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && hasBody(whole.status())) {
          HttpUtil.setContentLength(whole, whole.content().readableBytes());
        }
        responseStarted = true;
        onResponseEnd(whole);
        return;
      }
      responseStarted = true;
      ctx.write(proxyToClientResponse, ctx.voidPromise());
      return;
    }
    if (message instanceof HttpContent content) {
      if (interim) {
        content.release();
        if (content instanceof LastHttpContent) {
          interim = false;
        }
        return;
      }
      if (!responseStarted) {
        content.release();
        return;
      }
      if (content instanceof LastHttpContent) {
        onResponseEnd(content);
      } else {
        if (exchange != null) {
          exchange.bytesOut(content.content().readableBytes());
        }
        ctx.write(content, ctx.voidPromise());
      }
    }
  }

  /** The head to send the client, or {@code null} when this head is not the final response's (101, 1xx, garbage). */
  private HttpResponse onResponseHead(HttpResponse serverToProxyResponse) {
    HttpResponseStatus status = serverToProxyResponse.status();
    HttpHeaders headers = serverToProxyResponse.headers();
    if (proxy.upstreamHttp2()) {
      for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
        headers.remove(name.text());
      }
    }
    if (status.code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      if (!webSocket || !WebSocketTunnel.isAccepted(serverToProxyResponse)) {
        upstreamFailed(new IllegalStateException("101 to a request that asked for no WebSocket"), /* timedOut= */ false);
        return null;
      }
      HopByHop.cleanResponse(headers, /* switching= */ true);
      HttpResponse proxyToClientResponse = copyHead(serverToProxyResponse);
      UpstreamConnection tunnelled = upstream;
      upstream = null;
      state = State.TUNNEL;
      if (log.isDebugEnabled()) {
        log.debug("{} S2P 101: tunnel open", id());
      }
      if (exchange != null) {
        exchange.status(HttpResponseStatus.SWITCHING_PROTOCOLS.code());
        exchange.upstreamDone();
        exchange.end();
      }
      WebSocketTunnel.open(ctx, proxyToClientResponse, tunnelled, proxy.tunnelIdleTimeout());
      return null;
    }
    if (status.codeClass() == HttpStatusClass.INFORMATIONAL) {
      // 100 Continue and the like: passed on, and the real response follows.
      interim = true;
      HopByHop.cleanResponse(headers, /* switching= */ false);
      if (!http2Stream) {
        ctx.writeAndFlush(copyHead(serverToProxyResponse), ctx.voidPromise());
      }
      return null;
    }
    upstreamKeepAlive = HttpUtil.isKeepAlive(serverToProxyResponse);
    boolean chunked = HttpUtil.isTransferEncodingChunked(serverToProxyResponse);
    HopByHop.cleanResponse(headers, /* switching= */ false);
    if (proxy.draining()) {
      clientKeepAlive = false;
    }
    HttpResponse proxyToClientResponse = copyHead(serverToProxyResponse);
    if (!http2Stream) {
      if (!clientKeepAlive) {
        Responses.close(proxyToClientResponse.headers());
      }
      if (!chunked
          && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)
          && hasBody(status)
          && !(serverToProxyResponse instanceof FullHttpResponse)) {
        // A body that runs until the upstream closes (or an HTTP/2 one): the client gets chunks and keeps its
        // connection.
        HttpUtil.setTransferEncodingChunked(proxyToClientResponse, true);
        if (!proxy.upstreamHttp2()) {
          upstreamKeepAlive = false;
        }
      }
    }
    return proxyToClientResponse;
  }

  private boolean hasBody(HttpResponseStatus status) {
    return !head && status.code() != 204 && status.code() != 304;
  }

  /** Always HTTP/1.1 towards the client (whatever the upstream spoke), with the upstream's headers. */
  private static HttpResponse copyHead(HttpResponse serverToProxyResponse) {
    if (serverToProxyResponse instanceof FullHttpResponse) {
      return serverToProxyResponse;
    }
    if (!serverToProxyResponse.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      return new DefaultHttpResponse(HttpVersion.HTTP_1_1, serverToProxyResponse.status(), serverToProxyResponse.headers());
    }
    return serverToProxyResponse;
  }

  private void onResponseEnd(HttpContent last) {
    if (log.isDebugEnabled()) {
      log.debug("{} S2P end: client keep-alive {}, request done {}, upstream keep-alive {}", id(), clientKeepAlive, requestDone, upstreamKeepAlive);
    }
    UpstreamConnection done = upstream;
    upstream = null;
    dropBody();
    if (exchange != null) {
      exchange.bytesOut(last.content().readableBytes());
      exchange.upstreamDone();
      exchange.end();
    }
    // Reused only if both sides finished cleanly: a request body still coming would be read as the next response's.
    done.release(upstreamKeepAlive && requestDone);
    state = State.IDLE;
    if (!clientKeepAlive || !requestDone) {
      ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
      state = State.CLOSED;
      return;
    }
    ctx.writeAndFlush(last, ctx.voidPromise());
    next();
  }

  @Override
  public void upstreamReadComplete() {
    ctx.flush();
    if (upstream != null && ctx.channel().isWritable()) {
      upstream.channel().read();
    }
  }

  @Override
  public void upstreamWritabilityChanged(boolean writable) {
    if (writable && state == State.FORWARDING && !requestDone) {
      next();
    }
  }

  @Override
  public void upstreamFailed(Throwable cause, boolean timedOut) {
    if (state != State.FORWARDING) {
      return;
    }
    UpstreamConnection failed = upstream;
    upstream = null;
    if (failed != null) {
      failed.abandon();
    }
    if (responseStarted) {
      log.warn("{} S2P {} {} from {} broke off: {}", id(), proxyToServerRequest.method(), proxyToServerRequest.uri(), proxy.upstreamName(), cause.toString());
      if (exchange != null) {
        exchange.upstreamFailed(failure(cause, timedOut));
        exchange.end();
      }
        state = State.CLOSED;
      ctx.close();
      return;
    }
    if (!timedOut && replayable && !retried && failed != null && failed.reused()) {
      // A kept-alive socket the upstream had closed just before we wrote: the request never arrived, so send it again.
      retried = true;
      state = State.CONNECTING;
      proxy.upstream(ctx.channel().eventLoop()).connect(this);
      return;
    }
    log.warn("{} P2S {} {} to {} failed: {}", id(), proxyToServerRequest.method(), proxyToServerRequest.uri(), proxy.upstreamName(), cause.toString());
    if (exchange != null) {
      exchange.upstreamFailed(failure(cause, timedOut));
    }
    finishWithError(timedOut ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY);
  }

  /** The {@code reason} label of an upstream failure once the connection was open. */
  private static SidecarMetrics.UpstreamFailure failure(Throwable cause, boolean timedOut) {
    if (timedOut) {
      return SidecarMetrics.UpstreamFailure.TIMEOUT;
    }
    // A response that does not parse, or one this request did not ask for (a 101 without an upgrade).
    if (cause instanceof io.netty.handler.codec.DecoderException || cause instanceof IllegalStateException) {
      return SidecarMetrics.UpstreamFailure.PROTOCOL;
    }
    return SidecarMetrics.UpstreamFailure.RESET;
  }

  /** 502 or 504 for the current request; the connection stays open only if the request was read to its end. */
  private void finishWithError(HttpResponseStatus status) {
    boolean received = requestDone || bodyIfWhole != null;
    dropBody();
    FullHttpResponse response = stamped(Responses.error(status, head));
    if (!clientKeepAlive || proxy.draining() || !(received || replayable)) {
      answerAndClose(response);
      return;
    }
    ctx.writeAndFlush(response, ctx.voidPromise());
    // The end of a body-less request may still be ahead: read and drop it, then the next request.
    state = received ? State.IDLE : State.DISCARDING;
    next();
  }

  /** The copy of a whole request's body kept for a replay. */
  private void dropBody() {
    if (bodyIfWhole != null) {
      bodyIfWhole.release();
      bodyIfWhole = null;
    }
  }

  /**
   * An answer the sidecar writes itself (a refusal, an error): it carries the request's id back, and ends the
   * request's exchange.
   */
  private FullHttpResponse stamped(FullHttpResponse response) {
    response.headers().set(X_REQUEST_ID_RESPONSE, requestIdValue);
    if (exchange != null) {
      exchange.status(response.status().code());
      exchange.bytesOut(response.content().readableBytes());
      exchange.end();
    }
    return response;
  }

  private void answerAndClose(FullHttpResponse response) {
    if (!http2Stream) {
      Responses.close(response.headers());
    }
    state = State.CLOSED;
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  // ---- connection events ----

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      // The client idle timeout applies between requests; during one, the upstream's timeout decides.
      if (state == State.IDLE || state == State.DISCARDING) {
        state = State.CLOSED;
        ctx.close();
      }
      return;
    }
    if (event == ProxyServer.DRAIN) {
      if (state == State.IDLE && requestId == 0 && !http2Stream) {
        // Accepted just before the listener closed: its first request may be on the wire already. It gets that one
        // answered (with Connection: close), or is closed after a moment of silence.
        ctx.executor().schedule(() -> {
          if (state == State.IDLE && requestId == 0) {
            state = State.CLOSED;
            ctx.close();
          }
        }, ProxyServer.FIRST_REQUEST_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } else if (state == State.IDLE) {
        state = State.CLOSED;
        ctx.close();
      } else {
        clientKeepAlive = false;
      }
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (state == State.FORWARDING || state == State.CONNECTING) {
      }
    state = State.CLOSED;
    if (exchange != null && exchange.open()) {
      exchange.end();
    }
    if (upstream != null) {
      upstream.abandon();
      upstream = null;
    }
    dropBody();
    for (Object message; (message = inbox.poll()) != null; ) {
      ReferenceCountUtil.release(message);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (log.isDebugEnabled()) {
      log.debug("{} C2P connection failed: {}", id(), cause.toString());
    }
    ctx.close();
  }

  private String id() {
    return Integer.toHexString(System.identityHashCode(ctx.channel())) + "/" + requestId;
  }
}
