package dev.gatehouse.sidecar;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * What one client connection tells about every request on it, read once when the connection (and its TLS handshake)
 * is ready rather than per request.
 *
 * @param remoteAddress the direct peer's IP literal, IPv6 without brackets, as {@code X-Forwarded-For} and the engine
 *     want it
 * @param localPort the port the connection arrived on
 * @param secure whether it is TLS
 * @param clientCertificates the chain JSSE verified in the handshake, leaf first; empty without one
 */
record ConnectionFacts(String remoteAddress, int localPort, boolean secure, List<X509Certificate> clientCertificates) {

  static ConnectionFacts of(Channel channel) {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    return new ConnectionFacts(address(channel.remoteAddress()), port(channel.localAddress()), ssl != null, ssl == null ? List.of() : peerChain(ssl));
  }

  private static String address(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(address);
  }

  private static int port(SocketAddress address) {
    return address instanceof InetSocketAddress inet ? inet.getPort() : -1;
  }

  private static List<X509Certificate> peerChain(SslHandler ssl) {
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      List<X509Certificate> certificates = new ArrayList<>(chain.length);
      for (Certificate certificate : chain) {
        if (certificate instanceof X509Certificate x509) {
          certificates.add(x509);
        }
      }
      return List.copyOf(certificates);
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }
}
