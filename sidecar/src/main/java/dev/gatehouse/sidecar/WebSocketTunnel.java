package dev.gatehouse.sidecar;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;

/**
 * A WebSocket connection through the proxy. The handshake is an ordinary request: decided by the engine like any
 * other, forwarded with {@code Upgrade: websocket} (the one {@code Upgrade} that is), and only when the upstream
 * answers {@code 101} with {@code Upgrade: websocket} do both connections stop speaking HTTP and start relaying bytes.
 * Any other answer is an ordinary response, after which the client connection is still parsed as HTTP, so nothing a
 * client pipelines behind a refused or failed upgrade is ever tunnelled. A tunnel silent in both directions for the
 * idle timeout is closed.
 */
final class WebSocketTunnel {

  private WebSocketTunnel() {}

  /** A WebSocket handshake request (RFC 6455 section 4.1): GET, {@code Upgrade: websocket}, {@code Connection: upgrade}. */
  static boolean isUpgrade(HttpRequest request) {
    return HttpMethod.GET.equals(request.method())
        && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, /* ignoreCase= */ true)
        && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, /* ignoreCase= */ true);
  }

  /** The upstream's 101 switches to WebSocket, not to something else. */
  static boolean isAccepted(HttpResponse response) {
    return response.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, /* ignoreCase= */ true);
  }

  /**
   * Writes the 101 to the client, then turns both pipelines into relays. Called from the upstream's decoder on the
   * event loop both connections share; bytes either decoder still holds move on into the tunnel.
   */
  static void open(ChannelHandlerContext client, HttpResponse switching, UpstreamConnection upstream, Duration idleTimeout) {
    Channel clientChannel = client.channel();
    Channel serverChannel = upstream.channel();
    client.writeAndFlush(switching);

    ChannelPipeline clientPipeline = clientChannel.pipeline();
    clientPipeline.replace(client.handler(), "tunnel", new Relay(serverChannel));
    removeIfPresent(clientPipeline, ServerCodec.class);
    replaceIdle(clientPipeline, idleTimeout);

    ChannelPipeline serverPipeline = serverChannel.pipeline();
    serverPipeline.replace(UpstreamConnection.class, "tunnel", new Relay(clientChannel));
    removeIfPresent(serverPipeline, HttpClientCodec.class);
    replaceIdle(serverPipeline, idleTimeout);

    clientChannel.config().setAutoRead(true);
    serverChannel.config().setAutoRead(true);
  }

  private static void removeIfPresent(ChannelPipeline pipeline, Class<? extends ChannelHandler> type) {
    if (pipeline.get(type) != null) {
      pipeline.remove(type);
    }
  }

  private static void replaceIdle(ChannelPipeline pipeline, Duration idleTimeout) {
    IdleTimeout idle = new IdleTimeout(idleTimeout);
    if (pipeline.get(IdleTimeout.class) != null) {
      pipeline.replace(IdleTimeout.class, "tunnel-idle", idle);
    } else {
      pipeline.addBefore("tunnel", "tunnel-idle", idle);
    }
  }

  /**
   * Bytes from one side written to the other, reads paused while the other side's buffer is full. HTTP objects a
   * decoder still fires while it is being removed (the end of the 101) are dropped: they are not WebSocket bytes.
   */
  static final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    Relay(Channel peer) {
      this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (message instanceof ByteBuf bytes && peer.isActive()) {
        peer.write(bytes, peer.voidPromise());
      } else {
        ReferenceCountUtil.release(message);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      peer.flush();
      if (!peer.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // Our side drained: the peer may read again.
      if (ctx.channel().isWritable()) {
        peer.config().setAutoRead(true);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof IdleStateEvent) {
        ctx.close();
        peer.close();
      } else if (event != ProxyServer.DRAIN) {
        ctx.fireUserEventTriggered(event);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
