package dev.gatehouse.sidecar;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * One keep-alive connection to the upstream, the last handler of its pipeline. Lent to one exchange at a time by its
 * {@link UpstreamPool}; while lent, everything the upstream sends goes to that exchange, and while idle in the pool
 * anything the upstream sends is unasked for, so the connection is closed.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {

  private final Upstream pool;
  private Channel channel;
  private UpstreamListener listener;
  private boolean reused;

  UpstreamConnection(Upstream pool) {
    this.pool = pool;
  }

  Channel channel() {
    return channel;
  }

  /** Whether the connection served an earlier exchange, so that a failure before any answer may be a stale socket. */
  boolean reused() {
    return reused;
  }

  void lend(UpstreamListener to) {
    listener = to;
  }

  /** Back to the pool, or closed when it cannot be reused. */
  void release(boolean reusable) {
    listener = null;
    reused = true;
    if (reusable && channel.isActive()) {
      pool.offer(this);
    } else {
      channel.close();
    }
  }

  /** Detaches the exchange and closes: the connection is in an unknown state (a request half sent, a tunnel). */
  void abandon() {
    listener = null;
    channel.close();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    UpstreamListener current = listener;
    if (current == null || !(message instanceof HttpObject http)) {
      ReferenceCountUtil.release(message);
      ctx.close();
      return;
    }
    current.upstreamMessage(http);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (listener != null) {
      listener.upstreamReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (listener != null) {
      listener.upstreamWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      fail(new IOException("upstream idle timeout"), /* timedOut= */ true);
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pool.remove(this);
    fail(new ClosedChannelException(), /* timedOut= */ false);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause, /* timedOut= */ false);
    ctx.close();
  }

  private void fail(Throwable cause, boolean timedOut) {
    UpstreamListener current = listener;
    listener = null;
    if (current != null) {
      current.upstreamFailed(cause, timedOut);
    }
  }
}
