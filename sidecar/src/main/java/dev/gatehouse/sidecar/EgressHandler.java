package dev.gatehouse.sidecar;

import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.http.RequestHeaders;
import dev.gatehouse.http.RequestIds;
import dev.gatehouse.path.CanonicalPath;
import dev.gatehouse.path.PathCanonicalizer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One application connection to the egress listener: reads a request (body buffered, at most {@link
 * EgressServer#MAX_REQUEST_BODY}), routes it ({@link EgressRoutes}), refuses what no route allows, puts the route's
 * token in {@code Authorization}, and sends it over a pooled TLS connection to the remote, streaming the response back.
 * One request at a time per connection, in order.
 *
 * <p>Headers: hop-by-hop headers go as on ingress ({@link HopByHop}); identity headers ({@code X-Forwarded-*}, {@code
 * X-Gatehouse-*}) and what {@code Connection} names by core's {@link RequestHeaders} policy, which on an {@code oauth2}
 * route also consumes the app's {@code Authorization}. {@code Host} is the upstream's. No {@code X-Forwarded-*} is
 * added: the remote is another organisation's, and nothing about this host is its business.
 *
 * <p>Answers of its own are short fixed texts; the diagnosis (never a token) goes to the debug log.
 *
 * <p>Not thread-safe: lives on its channel's event loop; token futures completing elsewhere hop back onto it.
 */
final class EgressHandler extends ChannelInboundHandlerAdapter implements UpstreamListener {

  private static final Logger log = LoggerFactory.getLogger(EgressHandler.class);

  private static final RequestHeaders PLAIN = RequestHeaders.of(IdentityHeaders.defaults(), Set.of(), Map.of());
  private static final RequestHeaders OAUTH2 = RequestHeaders.of(IdentityHeaders.defaults(), Set.of("Authorization"), Map.of());

  private final EgressServer.LoopContext context;
  private final Consumer<EgressExchange> exchanges;
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(2);
  private ChannelHandlerContext ctx;

  // The exchange in progress; all null/zero between exchanges.
  private FullHttpRequest clientToProxyRequest;
  private EgressRoutes.Target target;
  private FullHttpRequest proxyToServerRequest;
  private UpstreamConnection upstream;
  private boolean clientKeepAlive;
  private boolean upstreamKeepAlive;
  private boolean responseStarted;
  private boolean retried;
  private boolean answered;
  private long started;
  private long startedMillis;
  private String remote = "unix";
  private long sentToUpstream;
  private long responseBytes;
  private int status;

  EgressHandler(EgressServer.LoopContext context, Consumer<EgressExchange> exchanges) {
    this.context = context;
    this.exchanges = exchanges;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().remoteAddress() instanceof InetSocketAddress address) {
      remote = address.getAddress().getHostAddress();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (!(message instanceof FullHttpRequest request)) {
      ReferenceCountUtil.release(message);
      ctx.close();
      return;
    }
    if (clientToProxyRequest != null) {
      waiting.add(request);
      return;
    }
    start(request);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (clientToProxyRequest == null && waiting.isEmpty()) {
      ctx.read();
    }
  }

  private void start(FullHttpRequest request) {
    clientToProxyRequest = request;
    started = System.nanoTime();
    startedMillis = System.currentTimeMillis();
    answered = false;
    responseStarted = false;
    retried = false;
    responseBytes = 0;
    sentToUpstream = 0;
    target = null;
    clientKeepAlive = HttpUtil.isKeepAlive(request);
    if (request.decoderResult().isFailure()) {
      clientKeepAlive = false;
      answer(HttpResponseStatus.BAD_REQUEST, "Bad Request\n", Optional.empty());
      return;
    }
    if (request.method().equals(HttpMethod.CONNECT)) {
      answer(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed: CONNECT is refused; the egress listener is not a tunnel\n", Optional.empty());
      return;
    }
    EgressRoutes.Match match = context.routes().match(request.uri());
    if (match instanceof EgressRoutes.BadTarget bad) {
      log.debug("egress: 400 for a request target: {}", bad.reason());
      answer(HttpResponseStatus.BAD_REQUEST, "Bad Request: " + bad.reason() + "\n", Optional.empty());
      return;
    }
    if (match instanceof EgressRoutes.NoRoute) {
      answer(HttpResponseStatus.NOT_FOUND, "Not Found: no egress route for this path\n", Optional.empty());
      return;
    }
    if (match instanceof EgressRoutes.ForeignHost foreign) {
      log.debug("egress: 403 for absolute-form request to {}, which no route names", foreign.host());
      answer(HttpResponseStatus.FORBIDDEN, "Forbidden: no egress route for this host\n", Optional.empty());
      return;
    }
    EgressRoutes.Routed routed = (EgressRoutes.Routed) match;
    target = routed.target();
    List<String> methods = target.route().methods();
    if (!methods.isEmpty() && !methods.contains(request.method().name())) {
      FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed\n");
      response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", methods));
      respond(response, Optional.empty());
      return;
    }
    proxyToServerRequest = proxyToServer(request, routed.pathAndQuery());
    if (target.tokens().isEmpty()) {
      send();
      return;
    }
    CompletableFuture<AccessToken> token = target.tokens().get().token();
    if (token.isDone()) {
      withToken(token);
    } else {
      EgressRoutes.Target waitingFor = target;
      token.whenComplete((t, e) -> ctx.executor().execute(() -> {
        if (target == waitingFor && !answered && ctx.channel().isActive()) {
          withToken(token);
        }
      }));
    }
  }

  private void withToken(CompletableFuture<AccessToken> future) {
    AccessToken token;
    try {
      token = future.join();
    } catch (RuntimeException e) {
      log.debug("egress route {}: 503: {}", target.route().name(), TokenEndpoint.reason(e));
      answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "Service Unavailable: no access token for this route\n", Optional.empty());
      return;
    }
    proxyToServerRequest.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token.value());
    send();
  }

  private FullHttpRequest proxyToServer(FullHttpRequest request, String pathAndQuery) {
    ByteBuf body = request.content().retainedDuplicate();
    FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(), pathAndQuery, body);
    HttpHeaders from = request.headers();
    HttpHeaders to = out.headers();
    List<String> connectionValues = from.getAll(HttpHeaderNames.CONNECTION);
    RequestHeaders policy = target.tokens().isPresent() ? OAUTH2 : PLAIN;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = from.iteratorCharSequence(); it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> header = it.next();
      CharSequence name = header.getKey();
      if (HopByHop.isRequestHopByHop(name, false) || policy.mustRemove(name.toString(), connectionValues)) {
        continue;
      }
      // The body is complete: the aggregator answered any Expect; Host is the remote's.
      if (io.netty.util.AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST)
          || io.netty.util.AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.EXPECT)) {
        continue;
      }
      to.add(name, header.getValue());
    }
    to.set(HttpHeaderNames.HOST, target.authority());
    to.remove(HttpHeaderNames.TRANSFER_ENCODING);
    if (body.readableBytes() > 0 || HttpUtil.isContentLengthSet(request) || !request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
      to.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    }
    return out;
  }

  private void send() {
    context.pool(target).acquire(this);
  }

  @Override
  public void upstreamReady(UpstreamConnection connection) {
    if (answered || !ctx.channel().isActive()) {
      connection.release(/* reusable= */ true);
      return;
    }
    upstream = connection;
    SslHandler ssl = connection.channel().pipeline().get(SslHandler.class);
    // The request waits for the handshake: a remote that fails the trust, name or SPIFFE check receives nothing.
    ssl.handshakeFuture().addListener(handshake -> {
      if (upstream != connection) {
        return;
      }
      if (!handshake.isSuccess()) {
        upstream = null;
        connection.abandon();
        failBeforeResponse(handshake.cause(), EgressExchange.UpstreamFailure.TLS);
        return;
      }
      sentToUpstream = System.nanoTime();
      connection.channel().writeAndFlush(proxyToServerRequest.retainedDuplicate()).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
      connection.channel().read();
    });
  }

  @Override
  public void upstreamUnavailable(Throwable cause) {
    log.debug("egress route {}: cannot connect: {}", target.route().name(), cause.toString());
    badGateway(EgressExchange.UpstreamFailure.CONNECT, "Bad Gateway: cannot connect to the remote\n");
  }

  @Override
  public void upstreamMessage(HttpObject message) {
    if (message instanceof HttpResponse response) {
      if (response.decoderResult().isFailure()) {
        ReferenceCountUtil.release(message);
        UpstreamConnection connection = upstream;
        upstream = null;
        connection.abandon();
        failBeforeResponse(response.decoderResult().cause(), EgressExchange.UpstreamFailure.PROTOCOL);
        return;
      }
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // 100 Continue and 103 Early Hints: the request went whole; 101 cannot happen, Upgrade is never sent.
        ReferenceCountUtil.release(message);
        return;
      }
      upstreamKeepAlive = HttpUtil.isKeepAlive(response);
      HttpHeaders headers = response.headers();
      HopByHop.cleanResponse(headers, false);
      if (!HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response) && !clientToProxyRequest.method().equals(HttpMethod.HEAD)
          && response.status().code() != 204 && response.status().code() != 304) {
        // A body read until the remote closes becomes a chunked one, so the app's connection can stay open.
        HttpUtil.setTransferEncodingChunked(response, true);
      }
      response.setProtocolVersion(HttpVersion.HTTP_1_1);
      if (!clientKeepAlive || context.draining()) {
        clientKeepAlive = false;
        Responses.close(headers);
      }
      responseStarted = true;
      answered = true;
      status = response.status().code();
    }
    if (message instanceof HttpContent content) {
      responseBytes += content.content().readableBytes();
    }
    if (message instanceof LastHttpContent) {
      UpstreamConnection connection = upstream;
      upstream = null;
      connection.release(upstreamKeepAlive);
      ctx.writeAndFlush(message);
      finish(Optional.empty());
      return;
    }
    ctx.write(message);
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
    // The request is written whole; nothing waits for the upstream socket to drain.
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && upstream != null && responseStarted) {
      upstream.channel().read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void upstreamFailed(Throwable cause, boolean timedOut) {
    UpstreamConnection connection = upstream;
    upstream = null;
    if (responseStarted) {
      // Part of the response is out: the app can only learn of the failure by the connection closing.
      log.debug("egress route {}: the remote's response broke off: {}", target.route().name(), cause.toString());
      finish(Optional.of(timedOut ? EgressExchange.UpstreamFailure.TIMEOUT : EgressExchange.UpstreamFailure.RESET));
      ctx.close();
      return;
    }
    if (connection != null && connection.reused() && !retried && !timedOut && !(cause instanceof DecoderException)) {
      // A kept-alive socket the remote had closed; the request never reached it, so it goes once on a new one.
      retried = true;
      context.pool(target).connect(this);
      return;
    }
    failBeforeResponse(cause, timedOut ? EgressExchange.UpstreamFailure.TIMEOUT : classify(cause));
  }

  private void failBeforeResponse(Throwable cause, EgressExchange.UpstreamFailure failure) {
    log.debug("egress route {}: {} failure: {}", target.route().name(), failure, cause.toString());
    switch (failure) {
      case TIMEOUT -> answer(HttpResponseStatus.GATEWAY_TIMEOUT, "Gateway Timeout\n", Optional.of(failure));
      case TLS -> badGateway(failure, "Bad Gateway: " + tlsReason(cause) + "\n");
      default -> badGateway(failure, "Bad Gateway\n");
    }
  }

  private static EgressExchange.UpstreamFailure classify(Throwable cause) {
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof SSLException) {
        return EgressExchange.UpstreamFailure.TLS;
      }
      if (c instanceof PrematureChannelClosureException) {
        return EgressExchange.UpstreamFailure.RESET;
      }
      if (c instanceof DecoderException && !(c.getCause() instanceof SSLException)) {
        return EgressExchange.UpstreamFailure.PROTOCOL;
      }
    }
    return EgressExchange.UpstreamFailure.RESET;
  }

  /** The short reason a refused handshake gets in the 502: which check failed, never the certificate's details. */
  static String tlsReason(Throwable cause) {
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof PeerSpiffeIds.RefusedPeerException) {
        return "the remote's SPIFFE ID is not one of peer-spiffe-ids";
      }
      if (c instanceof CertPathValidatorException || c instanceof java.security.cert.CertPathBuilderException) {
        return "the remote's certificate is not trusted";
      }
      if (c instanceof CertificateException certificate) {
        String message = String.valueOf(certificate.getMessage());
        if (message.contains("No subject alternative") || message.contains("No name matching")) {
          return "the remote's certificate does not match server-name";
        }
      }
    }
    return "the TLS handshake with the remote failed";
  }

  private void badGateway(EgressExchange.UpstreamFailure failure, String body) {
    answer(HttpResponseStatus.BAD_GATEWAY, body, Optional.of(failure));
  }

  private void answer(HttpResponseStatus status, String body, Optional<EgressExchange.UpstreamFailure> failure) {
    respond(text(status, body), failure);
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8").setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return response;
  }

  private void respond(FullHttpResponse response, Optional<EgressExchange.UpstreamFailure> failure) {
    answered = true;
    status = response.status().code();
    if (!clientKeepAlive || context.draining()) {
      clientKeepAlive = false;
      Responses.close(response.headers());
    }
    ctx.writeAndFlush(response);
    finish(failure);
  }

  /** The one place an exchange ends: its facts go to the listener, and the connection reads on or closes. */
  private void finish(Optional<EgressExchange.UpstreamFailure> failure) {
    long now = System.nanoTime();
    FullHttpRequest request = clientToProxyRequest;
    exchanges.accept(
        new EgressExchange(
            startedMillis,
            RequestIds.keepOrCreate(Optional.ofNullable(request.headers().get(RequestIds.HEADER))),
            remote,
            target == null ? "-" : target.route().name(),
            status == 403 || status == 405 ? "deny" : target == null ? "reject" : "allow",
            request.method().name(),
            loggedPath(request.uri()),
            request.protocolVersion().text(),
            request.headers().get(HttpHeaderNames.USER_AGENT),
            status,
            now - started,
            sentToUpstream == 0 ? 0 : now - sentToUpstream,
            request.content().readableBytes(),
            responseBytes,
            failure));
    request.release();
    if (proxyToServerRequest != null) {
      proxyToServerRequest.release();
    }
    clientToProxyRequest = null;
    proxyToServerRequest = null;
    target = null;
    if (!clientKeepAlive) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      releaseWaiting();
      return;
    }
    FullHttpRequest next = waiting.poll();
    if (next != null) {
      start(next);
    } else {
      ctx.read();
    }
  }

  /** The requested path for the access log: canonical, without query, and without the scheme and host of an absolute-form target. */
  private static String loggedPath(String uri) {
    String path = uri;
    int scheme = path.indexOf("://");
    if (scheme > 0 && path.charAt(0) != '/') {
      int slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? "/" : path.substring(slash);
    }
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    CanonicalPath canonical = PathCanonicalizer.canonicalize(path);
    return canonical instanceof CanonicalPath.Valid valid ? valid.path() : path;
  }

  private void releaseWaiting() {
    FullHttpRequest next;
    while ((next = waiting.poll()) != null) {
      next.release();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if ((event instanceof IdleStateEvent || event == ProxyServer.DRAIN) && clientToProxyRequest == null) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    UpstreamConnection connection = upstream;
    upstream = null;
    if (connection != null) {
      connection.abandon();
    }
    if (clientToProxyRequest != null) {
      clientToProxyRequest.release();
      clientToProxyRequest = null;
    }
    if (proxyToServerRequest != null) {
      proxyToServerRequest.release();
      proxyToServerRequest = null;
    }
    answered = true;
    releaseWaiting();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("egress: connection from the app failed: {}", cause.toString());
    ctx.close();
  }

  Channel channel() {
    return ctx.channel();
  }
}
