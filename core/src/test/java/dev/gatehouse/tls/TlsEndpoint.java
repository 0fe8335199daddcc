package dev.gatehouse.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A real TLS server on 127.0.0.1 and a free port, built from a {@link ServerTls}, that completes each handshake, writes
 * {@code ok} and records the client chain it verified; and a client to talk to it.
 */
final class TlsEndpoint implements AutoCloseable {

  /** What the server saw of one connection: the verified client chain (empty if none) or the handshake failure. */
  record Accepted(List<X509Certificate> clientChain, String protocol, Exception failure) {}

  final BlockingQueue<Accepted> accepted = new LinkedBlockingQueue<>();
  private final SSLServerSocket serverSocket;
  private final Thread acceptor;

  TlsEndpoint(ServerTls tls) throws IOException {
    serverSocket = (SSLServerSocket) tls.sslContext().getServerSocketFactory().createServerSocket();
    serverSocket.setSSLParameters(tls.sslParameters());
    serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    acceptor = new Thread(this::acceptLoop, "tls-endpoint");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return serverSocket.getLocalPort();
  }

  private void acceptLoop() {
    while (!serverSocket.isClosed()) {
      try {
        SSLSocket socket = (SSLSocket) serverSocket.accept();
        Thread thread = new Thread(() -> serve(socket), "tls-endpoint-connection");
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(SSLSocket socket) {
    try (socket) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      List<X509Certificate> chain;
      try {
        chain = java.util.Arrays.stream(socket.getSession().getPeerCertificates()).map(X509Certificate.class::cast).toList();
      } catch (SSLPeerUnverifiedException e) {
        chain = List.of();
      }
      accepted.add(new Accepted(chain, socket.getSession().getProtocol(), null));
      OutputStream out = socket.getOutputStream();
      out.write("ok\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      accepted.add(new Accepted(List.of(), "", e));
    }
  }

  Accepted next() throws InterruptedException {
    Accepted next = accepted.poll(10, TimeUnit.SECONDS);
    if (next == null) {
      throw new AssertionError("the server saw no connection");
    }
    return next;
  }

  /** Connects, reads the server's "ok", and returns the certificate the server presented. */
  X509Certificate connect(SSLContext client, String... protocols) throws IOException {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port())) {
      socket.setSoTimeout(10_000);
      if (protocols.length > 0) {
        socket.setEnabledProtocols(protocols);
      }
      socket.startHandshake();
      Certificate[] server = socket.getSession().getPeerCertificates();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[3];
      int n = in.readNBytes(buffer, 0, 3);
      if (n != 3 || !new String(buffer, StandardCharsets.US_ASCII).equals("ok\n")) {
        // With TLS 1.3 the client learns of a rejected certificate only when it reads.
        throw new IOException("the server closed the connection without answering");
      }
      return (X509Certificate) server[0];
    }
  }

  @Override
  public void close() throws IOException {
    serverSocket.close();
  }
}
