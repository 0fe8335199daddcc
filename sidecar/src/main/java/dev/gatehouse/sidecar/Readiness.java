package dev.gatehouse.sidecar;

import dev.gatehouse.tls.TlsStatus;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether the sidecar should get traffic ({@code /readyz}): the configuration is loaded (it is, once this exists), the
 * served certificate has not expired, the upstream accepts a connection, and no drain has begun. The first reason it
 * should not is the answer, one line, such as {@code upstream 127.0.0.1:8080: connection refused}.
 *
 * <p>The upstream is checked with a plain TCP (or Unix socket) connect, closed at once, at most once a second: a
 * result younger than that is answered from the cache, and probes arriving while a check runs wait for that one, so a
 * scrape storm costs the application one connection a second at most. Runs on one event loop; thread-safe.
 */
final class Readiness {

  static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;
  private static final int CONNECT_TIMEOUT_MILLIS = 1000;

  private final EventLoop loop;
  private final Bootstrap probe;
  private final UpstreamAddress upstream;
  private final String upstreamName;
  private final Supplier<Optional<TlsStatus>> tls;
  private final Clock clock;
  private volatile boolean draining;

  // On the loop only.
  private Promise<Optional<String>> checking;
  private Optional<String> lastUpstream = Optional.of("upstream not checked yet");
  private long checkedAt;
  private boolean checkedOnce;

  Readiness(EventLoop loop, NettyTransport transport, UpstreamAddress upstream, Supplier<Optional<TlsStatus>> tls, Clock clock) {
    this.loop = loop;
    this.upstream = upstream;
    this.upstreamName = name(upstream);
    this.tls = tls;
    this.clock = clock;
    this.probe =
        new Bootstrap()
            .group(loop)
            .channel(upstream.unix() ? transport.domainSocketChannel() : transport.socketChannel())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
            .handler(NOTHING);
  }

  /** A probe connection reads nothing and is closed at once; one handler serves them all. */
  @ChannelHandler.Sharable
  private static final class Nothing extends ChannelInboundHandlerAdapter {}

  private static final Nothing NOTHING = new Nothing();

  /** From now on, not ready: the drain has begun. */
  void startDraining() {
    draining = true;
  }

  boolean draining() {
    return draining;
  }

  /**
   * Why the sidecar is not ready, or empty when it is.
   *
   * @return completes on the loop, at once when nothing needs checking
   */
  Future<Optional<String>> notReady() {
    Promise<Optional<String>> answer = loop.newPromise();
    loop.execute(() -> answer(answer));
    return answer;
  }

  private void answer(Promise<Optional<String>> answer) {
    Optional<String> local = localReason();
    if (local.isPresent()) {
      answer.setSuccess(local);
      return;
    }
    Future<Optional<String>> upstreamCheck = upstream();
    upstreamCheck.addListener(
        done -> {
          // A drain or an expiry may have begun while the check ran.
          Optional<String> reason = localReason();
          answer.setSuccess(reason.isPresent() ? reason : upstreamCheck.getNow());
        });
  }

  private Optional<String> localReason() {
    if (draining) {
      return Optional.of("draining");
    }
    Optional<TlsStatus> status = tls.get();
    if (status.isPresent() && !status.get().certificateNotAfter().isAfter(clock.instant())) {
      return Optional.of("tls certificate " + status.get().certificateSubject() + " expired at " + status.get().certificateNotAfter());
    }
    return Optional.empty();
  }

  /** The cached upstream result when it is young enough, else the check in flight, else a new check. */
  private Future<Optional<String>> upstream() {
    long now = System.nanoTime();
    if (checkedOnce && now - checkedAt < CHECK_INTERVAL_NANOS) {
      return loop.newSucceededFuture(lastUpstream);
    }
    if (checking != null) {
      return checking;
    }
    Promise<Optional<String>> check = loop.newPromise();
    checking = check;
    ChannelFuture connect = probe.connect(upstream.address());
    connect.addListener(
        (ChannelFuture done) -> {
          Optional<String> result;
          if (done.isSuccess()) {
            done.channel().close();
            result = Optional.empty();
          } else {
            result = Optional.of("upstream " + upstreamName + ": " + reason(done.cause()));
          }
          lastUpstream = result;
          checkedAt = System.nanoTime();
          checkedOnce = true;
          checking = null;
          check.setSuccess(result);
        });
    return check;
  }

  private static String reason(Throwable cause) {
    if (cause instanceof ConnectTimeoutException) {
      return "connect timed out";
    }
    String message = String.valueOf(cause.getMessage());
    if (cause instanceof ConnectException && message.toLowerCase(java.util.Locale.ROOT).contains("refused")) {
      return "connection refused";
    }
    // Netty's native transport words it "connect(..) failed: No such file or directory" and the like.
    return dev.gatehouse.internal.LogText.oneLine(message.replaceFirst("^connect\\(\\.\\.\\) failed: ", "").replaceFirst(": .*$", "")).toLowerCase(java.util.Locale.ROOT);
  }

  private static String name(UpstreamAddress upstream) {
    if (upstream.address() instanceof InetSocketAddress inet) {
      String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
    return "unix:" + upstream.address();
  }
}
