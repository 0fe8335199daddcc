package dev.gatehouse;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of one HTTP request, as the engine needs to see it.
 *
 * <p>Each delivery (servlet filter, Spring Boot, sidecar) implements this over its own request type, so that the engine
 * never depends on a container. Implementations translate; they never decide anything and never normalise values the
 * engine will inspect.
 *
 * <p>Implementations are used by one thread at a time and need not be thread-safe.
 */
public interface RequestView {

  /**
   * The request method exactly as received, for example {@code GET}.
   *
   * @return the method, never empty
   */
  String method();

  /**
   * The request path as received on the request line, without the query string and without any decoding.
   *
   * @return the raw path, starting with {@code /} for origin-form targets
   */
  String path();

  /**
   * The query string as received on the request line, without the {@code ?} and without any decoding.
   *
   * <p>The default answers empty, for views that have no query to offer; then methods that read query parameters (a
   * JWT issuer's {@code from-params}) see none.
   *
   * @return the raw query, or empty when the request has none
   */
  default Optional<String> rawQuery() {
    return Optional.empty();
  }

  /**
   * All values of a request header, in the order received.
   *
   * @param name the header name, matched case-insensitively
   * @return the values; empty when the header is absent
   */
  List<String> headers(String name);

  /**
   * The first value of a request header.
   *
   * @param name the header name, matched case-insensitively
   * @return the first value, or empty when the header is absent
   */
  default Optional<String> header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * The address of the direct peer (not anything a client claims in {@code X-Forwarded-For}).
   *
   * @return an IP address literal
   */
  String remoteAddress();

  /**
   * The local port the request arrived on, which authorization's {@code to.ports} matches.
   *
   * @return the port of the listening socket
   */
  int localPort();

  /**
   * The decoded path the container will dispatch the request to, when an adapter cannot forward the canonical path
   * itself (a servlet filter cannot change the path the application sees). The engine refuses the request with 400
   * unless this equals the decoded canonical path, so that rules never match one path while the application serves
   * another.
   *
   * @return the dispatch path; empty when the adapter forwards the canonical path (the sidecar) or none applies
   */
  default Optional<String> dispatchPath() {
    return Optional.empty();
  }

  /**
   * Whether the request arrived over TLS at this hop.
   *
   * @return {@code true} for HTTPS
   */
  boolean secure();

  /**
   * The client's TLS certificate chain as the TLS layer verified it at this hop, leaf first.
   *
   * <p>Only a chain the server (sidecar or servlet container) has validated against its client CAs may be returned;
   * the engine trusts it as proof of identity. Adapters without TLS client authentication keep the default.
   *
   * @return the verified chain, leaf first; empty when the client presented no certificate or the request is not TLS
   */
  default List<X509Certificate> clientCertificates() {
    return List.of();
  }
}
