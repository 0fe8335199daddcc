package dev.gatehouse.sidecar;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: plain HTTP on its own address, {@code GET} or {@code HEAD} of {@code /livez}, {@code /readyz}
 * and {@code /metrics} only (any other path 404, any other method 405). It never proxies and asks for no credentials,
 * whatever the main listener's {@code client-auth}: kubelet's probes and Prometheus reach it without a certificate,
 * which is why it must listen on an address only they can reach (docs/operations.md).
 *
 * <p>It shares the data plane's event loops. Probes are answered on the loop ({@link Readiness} caches its upstream
 * check); a scrape is formatted on a thread of its own, since the JVM collectors take a millisecond or more.
 */
final class AdminServer {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  private final ServerBootstrap bootstrap;
  private final InetSocketAddress listen;
  private final ChannelGroup connections = new DefaultChannelGroup("admin", GlobalEventExecutor.INSTANCE);
  private final ExecutorService scrapes =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "gatehouse-metrics");
            thread.setDaemon(true);
            return thread;
          });
  private Channel listener;

  AdminServer(EventLoopGroup group, NettyTransport transport, InetSocketAddress listen, Readiness readiness, SidecarMetrics metrics) {
    this.listen = listen;
    this.bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    connections.add(channel);
                    channel
                        .pipeline()
                        .addLast(new IdleStateHandler(0, 0, 30, TimeUnit.SECONDS))
                        .addLast(new HttpServerCodec(4096, 8192, 8192))
                        .addLast(new HttpObjectAggregator(8192))
                        .addLast(new Endpoints(readiness, metrics));
                  }
                });
  }

  void start() throws Exception {
    InetSocketAddress address = listen.isUnresolved() ? new InetSocketAddress(listen.getHostString(), listen.getPort()) : listen;
    listener = bootstrap.bind(address).sync().channel();
  }

  int port() {
    return listener == null ? -1 : ((InetSocketAddress) listener.localAddress()).getPort();
  }

  void stop() {
    if (listener != null) {
      listener.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
    connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    scrapes.shutdownNow();
  }

  private final class Endpoints extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Readiness readiness;
    private final SidecarMetrics metrics;

    Endpoints(Readiness readiness, SidecarMetrics metrics) {
      this.readiness = readiness;
      this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (request.decoderResult().isFailure()) {
        send(ctx, request, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", "Bad Request\n", true);
        return;
      }
      String uri = request.uri();
      int query = uri.indexOf('?');
      String path = query < 0 ? uri : uri.substring(0, query);
      boolean known = path.equals("/livez") || path.equals("/readyz") || path.equals("/metrics");
      if (!known) {
        send(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", "Not Found\n", false);
        return;
      }
      if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
        FullHttpResponse response = response(request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "Method Not Allowed\n");
        response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        write(ctx, request, response, false);
        return;
      }
      switch (path) {
        case "/livez" -> send(ctx, request, HttpResponseStatus.OK, "text/plain; charset=utf-8", "ok\n", false);
        case "/readyz" -> {
          FullHttpRequest held = request.retain();
          readiness
              .notReady()
              .addListener(
                  done -> {
                    try {
                      @SuppressWarnings("unchecked")
                      Optional<String> reason = (Optional<String>) done.getNow();
                      if (reason == null || reason.isPresent()) {
                        String line = reason == null ? "readiness check failed" : reason.get();
                        send(ctx, held, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", line + "\n", false);
                      } else {
                        send(ctx, held, HttpResponseStatus.OK, "text/plain; charset=utf-8", "ok\n", false);
                      }
                    } finally {
                      held.release();
                    }
                  });
        }
        default -> {
          String contentType = SidecarMetrics.contentType(request.headers().get(HttpHeaderNames.ACCEPT));
          FullHttpRequest held = request.retain();
          try {
            scrapes.execute(
                () -> {
                  String body;
                  try {
                    body = metrics.scrape(contentType);
                  } catch (RuntimeException e) {
                    log.warn("formatting the metrics failed: {}", e.toString());
                    ctx.executor().execute(() -> {
                      send(ctx, held, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", "Internal Server Error\n", false);
                      held.release();
                    });
                    return;
                  }
                  ctx.executor().execute(() -> {
                    send(ctx, held, HttpResponseStatus.OK, contentType, body, false);
                    held.release();
                  });
                });
          } catch (RejectedExecutionException e) {
            held.release();
            send(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", "shutting down\n", true);
          }
        }
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof IdleStateEvent) {
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(event);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("admin connection failed: {}", cause.toString());
      ctx.close();
    }
  }

  private static void send(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String type, String body, boolean close) {
    write(ctx, request, response(request, status, type, body), close);
  }

  private static FullHttpResponse response(FullHttpRequest request, HttpResponseStatus status, String type, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    boolean head = HttpMethod.HEAD.equals(request.method());
    ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type).set(HttpHeaderNames.CACHE_CONTROL, "no-store").setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
    return response;
  }

  private static void write(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, boolean close) {
    if (close || !HttpUtil.isKeepAlive(request)) {
      HttpUtil.setKeepAlive(response, false);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response);
    }
  }
}
