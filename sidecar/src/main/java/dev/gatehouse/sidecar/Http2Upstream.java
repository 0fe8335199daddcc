package dev.gatehouse.sidecar;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP/2 upstream spoken to in cleartext with prior knowledge (h2c), as gRPC servers expect: one connection per
 * event loop, one stream per request, multiplexed. Each stream looks to the exchange like an HTTP/1 connection (Netty's
 * frame-to-object codec), so the same forwarding code carries unary and streaming calls, trailers ({@code grpc-status})
 * included. A stream is never reused; the connection is reopened when it closes.
 *
 * <p>Not thread-safe: used only on its event loop.
 */
final class Http2Upstream implements Upstream {

  private final Bootstrap bootstrap;
  private final UpstreamAddress address;
  private final Duration idleTimeout;
  private final List<UpstreamListener> waiting = new ArrayList<>();
  private Channel connection;
  private boolean connecting;
  private boolean closed;

  Http2Upstream(EventLoop loop, NettyTransport transport, UpstreamAddress address, Duration idleTimeout) {
    this.address = address;
    this.idleTimeout = idleTimeout;
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(address.unix() ? transport.domainSocketChannel() : transport.socketChannel())
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, idleTimeout.toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    channel
                        .pipeline()
                        .addLast(Http2FrameCodecBuilder.forClient().validateHeaders(true).build())
                        // Streams the upstream would open (server push) are refused: a sidecar has no use for them.
                        .addLast(new Http2MultiplexHandler(new RefusePushedStreams()));
                  }
                });
    if (!address.unix()) {
      bootstrap.option(ChannelOption.TCP_NODELAY, true);
    }
  }

  @Override
  public void acquire(UpstreamListener listener) {
    if (connection != null && connection.isActive()) {
      openStream(listener);
      return;
    }
    waiting.add(listener);
    if (connecting) {
      return;
    }
    connecting = true;
    ChannelFuture connect = bootstrap.connect(address.address());
    connect.addListener(
        future -> {
          connecting = false;
          List<UpstreamListener> ready = new ArrayList<>(waiting);
          waiting.clear();
          if (!future.isSuccess() || closed) {
            for (UpstreamListener waiter : ready) {
              waiter.upstreamUnavailable(future.isSuccess() ? new IllegalStateException("closed") : future.cause());
            }
            return;
          }
          connection = connect.channel();
          for (UpstreamListener waiter : ready) {
            openStream(waiter);
          }
        });
  }

  @Override
  public void connect(UpstreamListener listener) {
    acquire(listener);
  }

  private void openStream(UpstreamListener listener) {
    UpstreamConnection stream = new UpstreamConnection(this);
    new Http2StreamChannelBootstrap(connection)
        .option(ChannelOption.AUTO_READ, false)
        .handler(
            new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel channel) {
                channel
                    .pipeline()
                    .addLast(new IdleTimeout(idleTimeout))
                    .addLast(new Http2StreamFrameToHttpObjectCodec(/* isServer= */ false))
                    .addLast(stream);
              }
            })
        .open()
        .addListener(
            (Future<Http2StreamChannel> opened) -> {
              if (opened.isSuccess()) {
                stream.lend(listener);
                listener.upstreamReady(stream);
              } else {
                listener.upstreamUnavailable(opened.cause());
              }
            });
  }

  /** A finished stream is closed; HTTP/2 reuses the connection, not the stream. */
  @Override
  public void offer(UpstreamConnection stream) {
    stream.channel().close();
  }

  @Override
  public void remove(UpstreamConnection stream) {}

  @Override
  public void close() {
    closed = true;
    if (connection != null) {
      connection.close();
    }
  }

  @io.netty.channel.ChannelHandler.Sharable
  private static final class RefusePushedStreams extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      ReferenceCountUtil.release(message);
      ctx.close();
    }
  }
}
