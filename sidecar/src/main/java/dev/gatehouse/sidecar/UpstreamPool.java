package dev.gatehouse.sidecar;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The keep-alive HTTP/1.1 connections to the upstream of one event loop. A connection is opened on the loop of the
 * client connection it serves and stays there, so the exchange, both sockets and this pool share one thread and need
 * no locks. Idle connections are reused most recent first (the warmest socket, the fewest timeouts), at most {@value
 * #MAX_IDLE} are kept, and one idle for the upstream idle timeout is closed. The bound is well above nginx's {@code
 * keepalive 64}: with a thousand client connections in flight, a pool of 64 closed and reopened an upstream
 * connection for most requests (a connect per request; CPU per request went from 18 to 67 µs at CONNS=1000), and an
 * idle connection costs the upstream a socket and this pool a few hundred bytes until its idle timeout.
 *
 * <p>Not thread-safe: used only on its event loop.
 */
final class UpstreamPool implements Upstream {

  static final int MAX_IDLE = 1024;

  private final Bootstrap bootstrap;
  private final SocketAddress address;
  private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
  private boolean closed;

  UpstreamPool(EventLoop loop, NettyTransport transport, UpstreamAddress upstream, Optional<SslContext> tls, Duration idleTimeout) {
    this.address = upstream.address();
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(upstream.unix() ? transport.domainSocketChannel() : transport.socketChannel())
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, idleTimeout.toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    tls.ifPresent(context -> channel.pipeline().addLast(context.newHandler(channel.alloc(), upstream.host(), port(upstream))));
                    channel
                        .pipeline()
                        .addLast(new IdleTimeout(idleTimeout))
                        // No limit on a response's size: bodies are streamed. Its head may be twice a request's.
                        .addLast(new HttpClientCodec(ServerCodec.MAX_REQUEST_LINE, 2 * ServerCodec.MAX_HEADERS, 16 * 1024))
                        .addLast(new UpstreamConnection(UpstreamPool.this));
                  }
                });
    if (!upstream.unix()) {
      bootstrap.option(ChannelOption.TCP_NODELAY, true);
    }
  }

  private static int port(UpstreamAddress upstream) {
    return upstream.address() instanceof InetSocketAddress inet ? inet.getPort() : -1;
  }

  /** Lends a connection to the listener: an idle one at once, else a new one when it has connected. */
  @Override
  public void acquire(UpstreamListener listener) {
    UpstreamConnection connection;
    while ((connection = idle.pollLast()) != null) {
      if (connection.channel().isActive()) {
        connection.lend(listener);
        listener.upstreamReady(connection);
        return;
      }
    }
    connect(listener);
  }

  /** Always a new connection: for the one retry after a kept-alive socket turned out to be closed. */
  @Override
  public void connect(UpstreamListener listener) {
    ChannelFuture connecting = bootstrap.connect(address);
    connecting.addListener(
        future -> {
          if (future.isSuccess()) {
            UpstreamConnection connection = connecting.channel().pipeline().get(UpstreamConnection.class);
            connection.lend(listener);
            listener.upstreamReady(connection);
          } else {
            listener.upstreamUnavailable(future.cause());
          }
        });
  }

  @Override
  public void offer(UpstreamConnection connection) {
    if (closed || idle.size() >= MAX_IDLE) {
      connection.channel().close();
    } else {
      idle.addLast(connection);
    }
  }

  @Override
  public void remove(UpstreamConnection connection) {
    idle.remove(connection);
  }

  @Override
  public void close() {
    closed = true;
    for (UpstreamConnection connection : idle) {
      connection.channel().close();
    }
    idle.clear();
  }
}
