package dev.gatehouse.sidecar;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.CredentialsConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials endpoint: {@code GET /v1/credentials/NAME} on a Unix socket, answered only to callers whose uid
 * (the socket's peer credentials, {@code SO_PEERCRED}, read once per connection) is in {@code allow-uids}.
 *
 * <p>Runs on one epoll event loop of its own: the peer credentials are read with Netty's native transport ({@code
 * EpollDomainSocketChannel.peerCredentials()}); without it (not Linux) the sidecar refuses to start with this section
 * rather than serve without the check. The socket file is made connectable by every user ({@code 0666}): the uid
 * check decides, and a refused caller gets a 403 and a log line rather than a silent {@code EACCES}. Long polls wait
 * on timers of that loop, never holding a thread.
 */
final class CredentialsServer implements AutoCloseable {

  /** How often files are checked for a change. */
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  /** The longest {@code ?wait=} accepted. */
  static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private static final Logger log = LoggerFactory.getLogger(CredentialsServer.class);

  private final CredentialsConfig config;
  private final CredentialItems items;
  private final Set<Integer> allowed;
  private final EventLoopGroup group;
  private final ChannelGroup clients = new DefaultChannelGroup("credentials-clients", GlobalEventExecutor.INSTANCE);
  private final Duration headerTimeout;
  private Channel listener;

  CredentialsServer(CredentialsConfig config, Function<String, Optional<TokenSource>> tokens, Duration pollInterval, Duration headerTimeout) {
    if (!Epoll.isAvailable()) {
      throw new ConfigException("credentials.listen", "needs Netty's native epoll transport (Linux x86-64 or aarch64) to read the caller's uid; it is not available here");
    }
    this.config = config;
    this.allowed = Set.copyOf(config.allowUids());
    this.items = new CredentialItems(config, tokens, pollInterval);
    this.headerTimeout = headerTimeout;
    this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gatehouse-credentials", true), EpollIoHandler.newFactory());
  }

  void start() throws Exception {
    Path path = config.listen();
    EgressServer.removeStaleSocket(path);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerDomainSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    clients.add(channel);
                    channel
                        .pipeline()
                        .addLast(new ServerCodec(headerTimeout))
                        .addLast(new IdleTimeout(ProxyServer.CLIENT_IDLE_TIMEOUT.plus(MAX_WAIT)))
                        .addLast(new HttpObjectAggregator(8192))
                        .addLast(new CredentialsHandler(items, allowed));
                  }
                });
    listener = bootstrap.bind(new DomainSocketAddress(path.toString())).sync().channel();
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("credentials: cannot make {} connectable for every uid: {}", path, e.toString());
    }
  }

  CredentialItems items() {
    return items;
  }

  void stop() {
    if (listener != null) {
      listener.close().awaitUninterruptibly();
    }
    clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    items.close();
    try {
      Files.deleteIfExists(config.listen());
    } catch (IOException e) {
      log.debug("cannot remove {}: {}", config.listen(), e.toString());
    }
  }

  @Override
  public void close() {
    stop();
  }
}
