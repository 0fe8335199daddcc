package dev.gatehouse.sidecar;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-peer connection cap ({@code limits.connections-per-peer}), on the listening socket: an accepted connection
 * from an address that already holds the cap is closed before it gets a pipeline, a buffer or a TLS engine, so a client
 * opening connections by the thousand costs an accept and a close each. What is kept is one count per address with
 * open connections, gone when its last one closes.
 *
 * <p>Thread-safe: connections of one peer live on different event loops.
 */
@ChannelHandler.Sharable
final class PeerConnectionCap extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(PeerConnectionCap.class);
  private static final BiFunction<InetAddress, Integer, Integer> ADD = (peer, count) -> count == null ? 1 : count + 1;
  private static final BiFunction<InetAddress, Integer, Integer> REMOVE = (peer, count) -> count <= 1 ? null : count - 1;

  private final int cap;
  private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
  /** One listener for every connection: it finds the peer from the channel that closed. */
  private final ChannelFutureListener release = this::released;

  PeerConnectionCap(int cap) {
    this.cap = cap;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    Channel child = (Channel) message;
    InetAddress peer = peer(child.remoteAddress());
    if (peer == null) {
      ctx.fireChannelRead(message);
      return;
    }
    if (open.compute(peer, ADD) > cap) {
      open.computeIfPresent(peer, REMOVE);
      if (log.isDebugEnabled()) {
        log.debug("closing a connection from {}: it holds {} already (limits.connections-per-peer)", peer.getHostAddress(), cap);
      }
      child.unsafe().closeForcibly();
      return;
    }
    child.closeFuture().addListener(release);
    ctx.fireChannelRead(message);
  }

  private void released(ChannelFuture closed) {
    InetAddress peer = peer(closed.channel().remoteAddress());
    if (peer != null) {
      open.computeIfPresent(peer, REMOVE);
    }
  }

  private static InetAddress peer(SocketAddress address) {
    return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}
