package dev.gatehouse.sidecar;

import dev.gatehouse.internal.LogText;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to the credentials endpoint. The caller's uid is read from the socket's peer credentials when the
 * connection opens; each request is then: not {@code GET}/{@code HEAD} 405, uid not allowed 403 (before the name is
 * looked at, so a refused caller learns nothing of which names exist), unknown name 404, else the value with {@code
 * Cache-Control: no-store} and an {@code ETag}. With {@code ?wait=30s} and an {@code If-None-Match} equal to the
 * current ETag, the answer waits for the next value (200) or the end of the wait (304). One request at a time.
 */
final class CredentialsHandler extends ChannelInboundHandlerAdapter {

  static final String PREFIX = "/v1/credentials/";

  private static final Logger log = LoggerFactory.getLogger(CredentialsHandler.class);

  private final CredentialItems items;
  private final Set<Integer> allowed;
  private ChannelHandlerContext ctx;
  private int uid = -1;
  private boolean busy;
  private boolean keepAlive;
  private boolean head;
  private ScheduledFuture<?> waitTimer;
  private String waitingFor;
  private Runnable unsubscribe;

  CredentialsHandler(CredentialItems items, Set<Integer> allowed) {
    this.items = items;
    this.allowed = allowed;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    try {
      uid = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials().uid();
    } catch (IOException | ClassCastException e) {
      log.warn("credentials: cannot read the caller's peer credentials, closing: {}", e.toString());
      ctx.close();
      return;
    }
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (!(message instanceof FullHttpRequest request) || busy) {
      ReferenceCountUtil.release(message);
      ctx.close();
      return;
    }
    try {
      handle(request);
    } finally {
      request.release();
    }
  }

  private void handle(FullHttpRequest request) {
    busy = true;
    keepAlive = HttpUtil.isKeepAlive(request);
    head = request.method().equals(HttpMethod.HEAD);
    if (request.decoderResult().isFailure()) {
      keepAlive = false;
      text(HttpResponseStatus.BAD_REQUEST, "Bad Request\n");
      return;
    }
    if (!request.method().equals(HttpMethod.GET) && !head) {
      FullHttpResponse response = textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed\n");
      response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      send(response);
      return;
    }
    QueryStringDecoder target = new QueryStringDecoder(request.uri());
    String path = target.rawPath();
    String name = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : null;
    if (!allowed.contains(uid)) {
      log.warn("credentials: uid {} is not in allow-uids; refused {}", uid, LogText.quote(LogText.printable(path)));
      text(HttpResponseStatus.FORBIDDEN, "Forbidden\n");
      return;
    }
    Optional<CredentialItems.Item> item = name == null ? Optional.empty() : items.item(name);
    if (item.isEmpty()) {
      log.info("credentials: uid {} asked for {}, which is not an item", uid, LogText.quote(LogText.printable(path)));
      text(HttpResponseStatus.NOT_FOUND, "Not Found\n");
      return;
    }
    Optional<Duration> wait;
    try {
      wait = wait(target.parameters().get("wait"));
    } catch (IllegalArgumentException e) {
      text(HttpResponseStatus.BAD_REQUEST, "Bad Request: " + e.getMessage() + "\n");
      return;
    }
    String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
    CompletableFuture<CredentialItems.Value> current = item.get().current();
    current.whenComplete(
        (value, failure) ->
            ctx.executor().execute(() -> {
              if (!ctx.channel().isActive()) {
                return;
              }
              if (failure != null) {
                log.warn("credentials: item {} for uid {} unavailable: {}", name, uid, TokenEndpoint.reason(failure));
                text(HttpResponseStatus.SERVICE_UNAVAILABLE, "Service Unavailable\n");
                return;
              }
              if (ifNoneMatch != null && ifNoneMatch.equals(value.etag())) {
                if (wait.isEmpty()) {
                  notModified(value);
                } else {
                  waitForChange(name, item.get(), value, wait.get());
                }
                return;
              }
              log.debug("credentials: served {} to uid {}", name, uid);
              value(value);
            }));
  }

  private void waitForChange(String name, CredentialItems.Item item, CredentialItems.Value current, Duration wait) {
    waitingFor = current.etag();
    waitTimer = ctx.executor().schedule(() -> {
      if (waitingFor != null) {
        endWait();
        notModified(current);
      }
    }, wait.toMillis(), TimeUnit.MILLISECONDS);
    unsubscribe = item.subscribe(next -> ctx.executor().execute(() -> {
      if (waitingFor != null && !waitingFor.equals(next.etag()) && ctx.channel().isActive()) {
        endWait();
        log.debug("credentials: served the new {} to uid {}", name, uid);
        value(next);
      }
    }));
    // A change between reading the value and subscribing would otherwise wait for the next one.
    CompletableFuture<CredentialItems.Value> now = item.current();
    if (now.isDone() && !now.isCompletedExceptionally() && !now.join().etag().equals(waitingFor)) {
      endWait();
      value(now.join());
    }
  }

  private void endWait() {
    waitingFor = null;
    if (waitTimer != null) {
      waitTimer.cancel(false);
      waitTimer = null;
    }
    if (unsubscribe != null) {
      unsubscribe.run();
      unsubscribe = null;
    }
  }

  /** {@code 30s}, {@code 500ms}, {@code 1m} or whole seconds; at most {@link CredentialsServer#MAX_WAIT}. */
  static Optional<Duration> wait(List<String> values) {
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    String text = values.get(0);
    Duration wait;
    if (text.matches("\\d{1,6}ms")) {
      wait = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
    } else if (text.matches("\\d{1,6}s?")) {
      wait = Duration.ofSeconds(Long.parseLong(text.replace("s", "")));
    } else if (text.matches("\\d{1,4}m")) {
      wait = Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
    } else {
      throw new IllegalArgumentException("wait must be a duration such as 30s");
    }
    if (wait.compareTo(CredentialsServer.MAX_WAIT) > 0) {
      throw new IllegalArgumentException("wait is at most " + CredentialsServer.MAX_WAIT.toSeconds() + "s");
    }
    return Optional.of(wait);
  }

  private void value(CredentialItems.Value value) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(value.bytes()));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, value.bytes().length)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .set(HttpHeaderNames.ETAG, value.etag());
    send(response);
  }

  private void notModified(CredentialItems.Value value) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE).set(HttpHeaderNames.ETAG, value.etag());
    send(response);
  }

  private void text(HttpResponseStatus status, String body) {
    send(textResponse(status, body));
  }

  private FullHttpResponse textResponse(HttpResponseStatus status, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return response;
  }

  private void send(FullHttpResponse response) {
    busy = false;
    if (!keepAlive) {
      Responses.close(response.headers());
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.writeAndFlush(response);
    ctx.read();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent && !busy) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    endWait();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("credentials: connection failed: {}", cause.toString());
    ctx.close();
  }
}
