package dev.gatehouse.sidecar;

import dev.gatehouse.RequestView;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/** A {@link RequestView} over a Jetty core request: values as received, nothing decoded or normalised. */
final class JettyRequestView implements RequestView {

  private final Request request;

  JettyRequestView(Request request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String path() {
    if (HttpMethod.CONNECT.asString().equalsIgnoreCase(request.getMethod())) {
      // Jetty turns the authority-form target (host:port) into http://host:port/, whose "/" the client never sent; the
      // authority is what was on the request line. Any case, since Jetty's client forwards "connect" as CONNECT.
      String authority = request.getHttpURI().getAuthority();
      return authority == null ? "" : authority;
    }
    // HttpURI.getPath() is the encoded path of the request line; getDecodedPath() would be another form.
    String path = request.getHttpURI().getPath();
    return path == null ? "" : path;
  }

  @Override
  public Optional<String> rawQuery() {
    return Optional.ofNullable(request.getHttpURI().getQuery());
  }

  @Override
  public List<String> headers(String name) {
    List<String> values = request.getHeaders().getValuesList(name);
    if (values.isEmpty() && HttpHeader.HOST.is(name)) {
      return host(request).map(List::of).orElse(values);
    }
    return values;
  }

  /**
   * The host the client asked for: its {@code Host} header, or in HTTP/2 and later, where there is no such header, the
   * {@code :authority} pseudo-header. Rules on {@code hosts} and the upstream's {@code Host} use this one value.
   */
  static Optional<String> host(Request request) {
    String host = request.getHeaders().get(HttpHeader.HOST);
    if (host == null && request.getConnectionMetaData().getHttpVersion().getVersion() >= HttpVersion.HTTP_2.getVersion()) {
      host = request.getHttpURI().getAuthority();
    }
    return Optional.ofNullable(host).filter(value -> !value.isEmpty());
  }

  @Override
  public String remoteAddress() {
    return remoteAddress(request);
  }

  @Override
  public int localPort() {
    return Request.getLocalPort(request);
  }

  @Override
  public boolean secure() {
    return request.isSecure();
  }

  /** The chain JSSE verified in the handshake, which SecureRequestCustomizer puts on every request of the connection. */
  @Override
  public List<X509Certificate> clientCertificates() {
    if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData ssl) {
      X509Certificate[] chain = ssl.peerCertificates();
      if (chain != null && chain.length > 0) {
        return List.of(chain);
      }
    }
    return List.of();
  }

  /**
   * The direct peer's IP literal, without the brackets Jetty's {@code Request.getRemoteAddr} puts around IPv6, since
   * {@code X-Forwarded-For} and the engine both want the bare address.
   */
  static String remoteAddress(Request request) {
    SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return Request.getRemoteAddr(request);
  }
}
