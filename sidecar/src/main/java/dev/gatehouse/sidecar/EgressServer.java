package dev.gatehouse.sidecar;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The egress listener: the application's plain HTTP/1.1 calls on loopback (or a Unix socket) to the remotes its routes
 * name, over TLS the sidecar originates. Its own event loops (one per processor), and per loop and route a pool of
 * keep-alive connections ({@link UpstreamPool}, as towards the ingress upstream), so a call and its remote connection
 * share a thread.
 */
final class EgressServer implements AutoCloseable {

  /** The largest request body the app may send through the egress: bodies are buffered whole (see docs/egress.md). */
  static final int MAX_REQUEST_BODY = 8 * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(EgressServer.class);

  private final NettyTransport transport = NettyTransport.best();
  private final EventLoopGroup group = transport.newGroup();
  private final ChannelGroup clients = new DefaultChannelGroup("egress-clients", GlobalEventExecutor.INSTANCE);
  private final Map<EventLoop, LoopContext> loops = new IdentityHashMap<>();
  private final EgressRoutes routes;
  private final SocketAddress listen;
  private final ServerBootstrap bootstrap;
  private volatile boolean draining;
  private Channel listener;

  /** What the connections of one event loop share: the routes, and a pool per route. Confined to its loop. */
  final class LoopContext {
    private final Map<EgressRoutes.Target, UpstreamPool> pools = new IdentityHashMap<>();

    LoopContext(EventLoop loop, Duration upstreamIdleTimeout) {
      for (EgressRoutes.Target target : routes.targets()) {
        Optional<SslContext> tls = Optional.of(target.sslContext());
        pools.put(target, new UpstreamPool(loop, transport, target.address(), tls, upstreamIdleTimeout));
      }
    }

    EgressRoutes routes() {
      return routes;
    }

    UpstreamPool pool(EgressRoutes.Target target) {
      return pools.get(target);
    }

    boolean draining() {
      return draining;
    }

    void close() {
      pools.values().forEach(UpstreamPool::close);
    }
  }

  EgressServer(EgressRoutes routes, SocketAddress listen, Duration upstreamIdleTimeout, Duration headerTimeout, Consumer<EgressExchange> exchanges) {
    this.routes = routes;
    this.listen = listen;
    for (EventExecutor executor : group) {
      EventLoop loop = (EventLoop) executor;
      loops.put(loop, new LoopContext(loop, upstreamIdleTimeout));
    }
    boolean unix = listen instanceof UnixDomainSocketAddress;
    Class<? extends ServerChannel> channel =
        !unix ? transport.serverChannel() : transport.name().equals("epoll") ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class;
    this.bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(channel)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    clients.add(channel);
                    LoopContext context = loops.get(channel.eventLoop());
                    channel
                        .pipeline()
                        .addLast(new ServerCodec(headerTimeout))
                        .addLast(new IdleTimeout(ProxyServer.CLIENT_IDLE_TIMEOUT))
                        .addLast(new HttpObjectAggregator(MAX_REQUEST_BODY))
                        .addLast(new EgressHandler(context, exchanges));
                  }
                });
    if (!unix) {
      bootstrap.option(ChannelOption.SO_REUSEADDR, true).childOption(ChannelOption.TCP_NODELAY, true);
    }
  }

  /** The default listener of exchange facts until the access log and metrics take them: one debug line each. */
  static void logExchange(EgressExchange exchange) {
    if (log.isDebugEnabled()) {
      log.debug(
          "egress {} {} {} {} us{}",
          exchange.route(),
          exchange.method(),
          exchange.status(),
          exchange.durationNanos() / 1000,
          exchange.failure().map(f -> " (" + f.name().toLowerCase(java.util.Locale.ROOT) + ")").orElse(""));
    }
  }

  /**
   * Binds the listener; a stale socket file left by a previous run is removed first, anything else at that path is not.
   *
   * @throws Exception the bind failure, for the caller to word
   */
  void start() throws Exception {
    SocketAddress address = listen;
    if (listen instanceof UnixDomainSocketAddress unix) {
      Path path = unix.getPath();
      removeStaleSocket(path);
      address = new DomainSocketAddress(path.toString());
    }
    listener = bootstrap.bind(address).sync().channel();
  }

  static void removeStaleSocket(Path path) throws IOException {
    if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isOther()) {
        throw new IOException("bind(..) failed: " + path + " exists and is not a socket");
      }
      Files.delete(path);
    }
  }

  /** The bound port; -1 on a Unix socket. */
  int port() {
    return listener != null && listener.localAddress() instanceof InetSocketAddress inet ? inet.getPort() : -1;
  }

  EgressRoutes routes() {
    return routes;
  }

  /** Stops accepting, lets exchanges in flight finish for up to {@code timeout}, then closes everything. */
  void stop(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    draining = true;
    if (listener != null) {
      listener.close().awaitUninterruptibly();
    }
    for (Channel client : clients) {
      client.eventLoop().execute(() -> client.pipeline().fireUserEventTriggered(ProxyServer.DRAIN));
    }
    while (!clients.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    for (Map.Entry<EventLoop, LoopContext> entry : loops.entrySet()) {
      entry.getKey().execute(entry.getValue()::close);
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (listen instanceof UnixDomainSocketAddress unix) {
      try {
        Files.deleteIfExists(unix.getPath());
      } catch (IOException e) {
        log.debug("cannot remove {}: {}", unix.getPath(), e.toString());
      }
    }
    routes.close();
  }

  @Override
  public void close() {
    stop(Duration.ZERO);
  }
}
