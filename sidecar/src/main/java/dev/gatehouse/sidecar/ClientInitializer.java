package dev.gatehouse.sidecar;

import dev.gatehouse.tls.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up each accepted client connection: plain HTTP/1.1, or TLS with one JDK {@link SSLEngine} per connection from
 * the engine's {@link ServerTls} (its context follows certificate reloads; protocols, suites in server order and client
 * authentication from the profile; renegotiation refused by {@code jdk.tls.rejectClientInitiatedRenegotiation}), and
 * after the handshake HTTP/2 or HTTP/1.1 as ALPN chose (HTTP/1.1 for clients without ALPN). Both end in the same
 * {@link ForwardingHandler}: HTTP/2 streams are turned into HTTP/1-style objects first.
 */
final class ClientInitializer extends ChannelInitializer<Channel> {

  private static final Logger log = LoggerFactory.getLogger(ClientInitializer.class);
  private static final String[] ALPN = {"h2", "http/1.1"};

  private final ProxyContext proxy;
  private final Optional<ServerTls> tls;
  private final ChannelGroup clients;
  private final Duration shutdownTimeout;

  ClientInitializer(ProxyContext proxy, Optional<ServerTls> tls, ChannelGroup clients, Duration shutdownTimeout) {
    this.proxy = proxy;
    this.tls = tls;
    this.clients = clients;
    this.shutdownTimeout = shutdownTimeout;
  }

  @Override
  protected void initChannel(Channel channel) {
    clients.add(channel);
    ChannelPipeline pipeline = channel.pipeline();
    if (tls.isEmpty()) {
      http1(pipeline, ConnectionFacts.of(channel));
      return;
    }
    SSLEngine engine = tls.get().sslContext().createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters parameters = tls.get().sslParameters();
    parameters.setApplicationProtocols(ALPN);
    engine.setSSLParameters(parameters);
    SslHandler ssl = new SslHandler(engine);
    // The handshake is the first part of the first request's head: a client trickling it in gets the same deadline.
    ssl.setHandshakeTimeout(proxy.headerTimeout().toMillis(), TimeUnit.MILLISECONDS);
    pipeline.addLast(ssl);
    pipeline.addLast(new ProtocolSelector());
  }

  private void http1(ChannelPipeline pipeline, ConnectionFacts facts) {
    pipeline
        .addLast(new ServerCodec(proxy.headerTimeout()))
        .addLast(new IdleTimeout(proxy.clientIdleTimeout()))
        .addLast(new ForwardingHandler(proxy, facts, /* http2Stream= */ false));
  }

  private void http2(ChannelPipeline pipeline, ConnectionFacts facts) {
    pipeline.channel().config().setAutoRead(true);
    pipeline
        .addLast(
            Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(ServerCodec.MAX_HEADERS))
                .gracefulShutdownTimeoutMillis(shutdownTimeout.toMillis())
                .validateHeaders(true)
                .build())
        .addLast(new IdleTimeout(proxy.clientIdleTimeout()))
        .addLast(new Http2Idle())
        .addLast(
            new Http2MultiplexHandler(
                new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel stream) {
                    stream.config().setAutoRead(false);
                    stream
                        .pipeline()
                        .addLast(new Http2StreamFrameToHttpObjectCodec(/* isServer= */ true))
                        .addLast(new ForwardingHandler(proxy, facts, /* http2Stream= */ true));
                  }
                }));
  }

  /** Installs the HTTP/2 or HTTP/1.1 pipeline once the handshake has said which; a failed handshake just closes. */
  private final class ProtocolSelector extends ChannelInboundHandlerAdapter {

    /** The first read, which starts the handshake; the SslHandler reads on by itself until it is done. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.read();
      ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (!(event instanceof SslHandshakeCompletionEvent handshake)) {
        ctx.fireUserEventTriggered(event);
        return;
      }
      if (!handshake.isSuccess()) {
        log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), handshake.cause().toString());
        ctx.close();
        return;
      }
      ChannelPipeline pipeline = ctx.pipeline();
      ConnectionFacts facts = ConnectionFacts.of(ctx.channel());
      String protocol = pipeline.get(SslHandler.class).engine().getApplicationProtocol();
      pipeline.remove(this);
      if ("h2".equals(protocol)) {
        http2(pipeline, facts);
      } else {
        http1(pipeline, facts);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("TLS connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /** An HTTP/2 connection without streams for the idle timeout is closed (with GOAWAY); so is one on drain. */
  private static final class Http2Idle extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof IdleStateEvent || event == ProxyServer.DRAIN) {
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(event);
      }
    }
  }
}
