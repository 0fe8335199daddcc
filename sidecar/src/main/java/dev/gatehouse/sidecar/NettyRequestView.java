package dev.gatehouse.sidecar;

import dev.gatehouse.RequestView;
import io.netty.handler.codec.http.HttpRequest;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * A {@link RequestView} over a Netty request: values as received, nothing decoded or normalised. An HTTP/2 client's
 * {@code :authority} already arrives as {@code Host} (Netty's HTTP/2-to-HTTP/1 conversion), so the {@code hosts} rules
 * and the upstream see one value either way.
 */
final class NettyRequestView implements RequestView {

  private final HttpRequest request;
  private final RequestTarget target;
  private final ConnectionFacts connection;
  private final Exchange exchange;

  NettyRequestView(HttpRequest request, RequestTarget target, ConnectionFacts connection, Exchange exchange) {
    this.request = request;
    this.target = target;
    this.connection = connection;
    this.exchange = exchange;
  }

  /** Where the engine's listener notes the decision; {@code null} when nothing observes requests. */
  Exchange exchange() {
    return exchange;
  }

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public String path() {
    return target.path();
  }

  @Override
  public Optional<String> rawQuery() {
    return Optional.ofNullable(target.query());
  }

  @Override
  public List<String> headers(String name) {
    return request.headers().getAll(name);
  }

  @Override
  public Optional<String> header(String name) {
    return Optional.ofNullable(request.headers().get(name));
  }

  @Override
  public String remoteAddress() {
    return connection.remoteAddress();
  }

  @Override
  public int localPort() {
    return connection.localPort();
  }

  @Override
  public boolean secure() {
    return connection.secure();
  }

  @Override
  public List<X509Certificate> clientCertificates() {
    return connection.clientCertificates();
  }
}
