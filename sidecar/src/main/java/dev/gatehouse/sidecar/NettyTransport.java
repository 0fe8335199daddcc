package dev.gatehouse.sidecar;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Native epoll where Netty's library loads (Linux x86-64, the image), the JDK's NIO elsewhere. Both do TCP and Unix
 * domain sockets; epoll saves a selector wake-up and a copy of the ready set per loop turn.
 *
 * @param name what the log line says
 */
record NettyTransport(
    String name,
    IoHandlerFactory ioHandlerFactory,
    Class<? extends ServerChannel> serverChannel,
    Class<? extends Channel> socketChannel,
    Class<? extends Channel> domainSocketChannel) {

  static NettyTransport best() {
    if (Epoll.isAvailable()) {
      return new NettyTransport(
          "epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class, EpollDomainSocketChannel.class);
    }
    return new NettyTransport(
        "nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class, NioDomainSocketChannel.class);
  }

  /**
   * One event loop per processor the JVM may use: 1 when the container or {@code taskset} gives it one core. Every
   * connection, the upstream connections it uses included, lives on one loop, so nothing is handed between threads.
   */
  EventLoopGroup newGroup() {
    return new MultiThreadIoEventLoopGroup(
        Runtime.getRuntime().availableProcessors(), new DefaultThreadFactory("gatehouse-io", /* daemon= */ false), ioHandlerFactory);
  }
}
