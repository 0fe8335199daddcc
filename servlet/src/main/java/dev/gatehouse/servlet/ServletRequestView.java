package dev.gatehouse.servlet;

import dev.gatehouse.RequestView;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The engine's view of a servlet request. It translates and never normalises: the path is the raw request URI and
 * headers are passed on exactly as the container parsed them.
 */
final class ServletRequestView implements RequestView {

  private final HttpServletRequest request;

  ServletRequestView(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  /**
   * The undecoded path the client sent. On an error or async dispatch {@code getRequestURI()} names the error page or
   * the dispatch target, so the path of the original request is taken from the attribute the container sets for that
   * dispatch: the decision is about what the client asked for, the same on every dispatch.
   */
  @Override
  public String path() {
    @Nullable String original = null;
    if (request.getDispatcherType() == DispatcherType.ERROR) {
      original = stringAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    } else if (request.getDispatcherType() == DispatcherType.ASYNC) {
      original = stringAttribute(AsyncContext.ASYNC_REQUEST_URI);
    }
    return original != null ? original : request.getRequestURI();
  }

  /** The undecoded query the client sent, taken like {@link #path()} from the original request on a dispatch. */
  @Override
  public Optional<String> rawQuery() {
    @Nullable String original = null;
    if (request.getDispatcherType() == DispatcherType.ERROR) {
      original = stringAttribute(RequestDispatcher.ERROR_QUERY_STRING);
    } else if (request.getDispatcherType() == DispatcherType.ASYNC) {
      original = stringAttribute(AsyncContext.ASYNC_QUERY_STRING);
    }
    return Optional.ofNullable(original != null ? original : request.getQueryString());
  }

  private @Nullable String stringAttribute(String name) {
    return request.getAttribute(name) instanceof String value ? value : null;
  }

  @Override
  public List<String> headers(String name) {
    Enumeration<String> values = request.getHeaders(name);
    if (values == null) {
      // The container does not let us see headers; the engine then finds no credentials and challenges.
      return List.of();
    }
    List<String> list = new ArrayList<>(1);
    while (values.hasMoreElements()) {
      list.add(values.nextElement());
    }
    return list;
  }

  @Override
  public String remoteAddress() {
    return request.getRemoteAddr();
  }

  @Override
  public int localPort() {
    return request.getLocalPort();
  }

  /**
   * The path the container dispatches to, decoded and normalised by the container: context path, servlet path and path
   * info. The engine refuses the request unless it is the decoded canonical path, so a container that resolves {@code
   * ..;/} or an encoded character its own way cannot serve another path than the one the rules saw. Only the
   * request dispatch is checked; error and async dispatches are about the original request, checked already.
   */
  @Override
  public Optional<String> dispatchPath() {
    if (request.getDispatcherType() != DispatcherType.REQUEST) {
      return Optional.empty();
    }
    String pathInfo = request.getPathInfo();
    if (pathInfo == null && request.getServletPath().isEmpty()) {
      // No servlet mapping applied (the context root itself, or a request built outside a container): nothing to check.
      return Optional.empty();
    }
    return Optional.of(request.getContextPath() + request.getServletPath() + (pathInfo == null ? "" : pathInfo));
  }

  @Override
  public boolean secure() {
    return request.isSecure();
  }

  /**
   * The chain the container verified in the TLS handshake, from the attribute the Servlet specification defines for
   * it. A container only sets it for a certificate it accepted against its trust store, so the engine can rely on it.
   */
  @Override
  public List<X509Certificate> clientCertificates() {
    if (request.getAttribute(CLIENT_CERTIFICATE_ATTRIBUTE) instanceof X509Certificate[] chain && chain.length > 0) {
      return List.of(chain);
    }
    return List.of();
  }

  /** Servlet 6.0, section 3.9: the client's certificate chain, leaf first. */
  static final String CLIENT_CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";
}
