package dev.gatehouse.sidecar;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} when a connection has neither read nor written for the timeout, as
 * Netty's {@code IdleStateHandler} does with an all-idle time, but without a listener on every write's promise: that
 * listener (and the promise it forces instead of the void one) was the top allocation and leaf frame of the proxy's
 * profile. A write counts as activity when it is issued rather than when the kernel takes it, which is all a timeout
 * of seconds needs.
 *
 * <p>Not thread-safe: lives on its channel's event loop.
 */
final class IdleTimeout extends ChannelDuplexHandler {

  private final long timeoutNanos;
  private long lastActivity;
  private ScheduledFuture<?> check;

  IdleTimeout(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    lastActivity = System.nanoTime();
    schedule(ctx, timeoutNanos);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    handlerRemoved(ctx);
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    lastActivity = System.nanoTime();
    ctx.fireChannelRead(message);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    lastActivity = System.nanoTime();
    ctx.write(message, promise);
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    check = ctx.executor().schedule(() -> expire(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void expire(ChannelHandlerContext ctx) {
    if (!ctx.channel().isOpen()) {
      return;
    }
    long idle = System.nanoTime() - lastActivity;
    if (idle >= timeoutNanos) {
      // Rearmed first: the handler may ignore the event (a request in flight) and want to hear again later.
      schedule(ctx, timeoutNanos);
      ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    } else {
      schedule(ctx, timeoutNanos - idle);
    }
  }
}
