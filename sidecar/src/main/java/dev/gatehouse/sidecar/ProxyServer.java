package dev.gatehouse.sidecar;

import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.config.UpstreamProtocol;
import dev.gatehouse.Decision;
import dev.gatehouse.RequestView;
import dev.gatehouse.tls.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * The sidecar's data plane on Netty: one event loop group sized to the processors, one listening socket, and per event
 * loop an {@link Upstream}. Started once, drained once, closed once.
 *
 * <p>Draining: {@link #startDraining()} first (responses say {@code Connection: close}); then the listening socket closes (new connections are refused), idle client connections close, busy
 * ones answer their current request with {@code Connection: close} and then close (HTTP/2 ones send GOAWAY and finish
 * their streams), and whatever is still open when the shutdown timeout runs out is closed.
 */
final class ProxyServer {

  /** The user event that tells every client connection the sidecar is draining. */
  static final Object DRAIN = new Object() {
    @Override
    public String toString() {
      return "DRAIN";
    }
  };

  /** How long a connection accepted just before the listener closed may take to send its first request. */
  static final Duration FIRST_REQUEST_GRACE = Duration.ofSeconds(1);

  /** Jetty's default idle timeout for client connections, kept. */
  static final Duration CLIENT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  private final NettyTransport transport = NettyTransport.best();
  private final EventLoopGroup group = transport.newGroup();
  private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
  private final Map<EventLoop, Upstream> upstreams = new IdentityHashMap<>();
  private final ProxyContext proxy;
  private final ServerBootstrap bootstrap;
  private final InetSocketAddress listen;
  private Channel listener;

  ProxyServer(
      Function<RequestView, Decision> engine,
      Optional<ServerTls> tls,
      InetSocketAddress listen,
      URI upstream,
      UpstreamProtocol protocol,
      Duration shutdownTimeout,
      Duration upstreamIdleTimeout,
      Observers observers,
      LimitsConfig limits) {
    this.listen = listen;
    UpstreamAddress address = UpstreamAddress.of(upstream);
    Optional<SslContext> upstreamTls = address.tls() ? Optional.of(clientTls()) : Optional.empty();
    for (EventExecutor executor : group) {
      EventLoop loop = (EventLoop) executor;
      upstreams.put(
          loop,
          protocol == UpstreamProtocol.H2C
              ? new Http2Upstream(loop, transport, address, upstreamIdleTimeout)
              : new UpstreamPool(loop, transport, address, upstreamTls, upstreamIdleTimeout));
    }
    this.proxy = new ProxyContext(engine, upstreams, upstream.toString(), protocol == UpstreamProtocol.H2C, CLIENT_IDLE_TIMEOUT, limits.headerTimeout(), observers);
    this.bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(new ClientInitializer(proxy, tls, clients, shutdownTimeout));
    if (limits.connectionsPerPeer() > 0) {
      bootstrap.handler(new PeerConnectionCap(limits.connectionsPerPeer()));
    }
  }

  /** Towards an {@code https://} upstream: the JDK's trust store, host name verification on (Netty's default). */
  private static SslContext clientTls() {
    try {
      return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS towards the upstream: " + e.getMessage(), e);
    }
  }

  /**
   * Binds the listening socket.
   *
   * @throws Exception the bind failure, for the caller to word
   */
  void start() throws Exception {
    // The configuration keeps the host unresolved; a name that does not resolve stays unresolved and fails the bind.
    InetSocketAddress address = listen.isUnresolved() ? new InetSocketAddress(listen.getHostString(), listen.getPort()) : listen;
    listener = bootstrap.bind(address).sync().channel();
  }

  int port() {
    return listener == null ? -1 : ((InetSocketAddress) listener.localAddress()).getPort();
  }

  String transportName() {
    return transport.name();
  }

  /** The event loops, which the admin listener shares. */
  EventLoopGroup group() {
    return group;
  }

  NettyTransport transport() {
    return transport;
  }

  /**
   * The drain's first step: the listener still accepts and serves, but every response ends its connection ({@code
   * Connection: close}), so that clients reconnect, through a load balancer that no longer routes here.
   */
  void startDraining() {
    proxy.startDraining();
  }

  /** Drains as the class comment says, then stops the event loops. Blocks for up to {@code timeout}. */
  void stop(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    proxy.startDraining();
    if (listener != null) {
      listener.close().awaitUninterruptibly();
    }
    for (Channel client : clients) {
      client.eventLoop().execute(() -> client.pipeline().fireUserEventTriggered(DRAIN));
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
    for (Map.Entry<EventLoop, Upstream> entry : upstreams.entrySet()) {
      entry.getKey().execute(entry.getValue()::close);
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
