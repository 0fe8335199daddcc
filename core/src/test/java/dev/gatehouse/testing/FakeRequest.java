package dev.gatehouse.testing;

import dev.gatehouse.RequestView;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** A {@link RequestView} built in code, for engine tests that need no container. */
public final class FakeRequest implements RequestView {

  private final String method;
  private final String path;
  private final List<Map.Entry<String, String>> headers = new ArrayList<>();
  private String remoteAddress = "127.0.0.1";
  private String query;
  private boolean secure;
  private int localPort = 8000;
  private String dispatchPath;
  private List<X509Certificate> clientCertificates = List.of();

  private FakeRequest(String method, String path) {
    this.method = method;
    this.path = path;
  }

  public static FakeRequest get(String path) {
    return new FakeRequest("GET", path);
  }

  public static FakeRequest request(String method, String path) {
    return new FakeRequest(method, path);
  }

  public FakeRequest header(String name, String value) {
    headers.add(Map.entry(name, value));
    return this;
  }

  public FakeRequest basic(String user, String password) {
    String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return header("Authorization", "Basic " + token);
  }

  /** Sets the raw query string, without the {@code ?}. */
  public FakeRequest query(String rawQuery) {
    this.query = rawQuery;
    return this;
  }

  @Override
  public java.util.Optional<String> rawQuery() {
    return java.util.Optional.ofNullable(query);
  }

  public FakeRequest remoteAddress(String address) {
    this.remoteAddress = address;
    return this;
  }

  public FakeRequest localPort(int port) {
    this.localPort = port;
    return this;
  }

  public FakeRequest dispatchPath(String path) {
    this.dispatchPath = path;
    return this;
  }

  @Override
  public int localPort() {
    return localPort;
  }

  @Override
  public java.util.Optional<String> dispatchPath() {
    return java.util.Optional.ofNullable(dispatchPath);
  }

  public FakeRequest secure(boolean secure) {
    this.secure = secure;
    return this;
  }

  /** A verified client chain, leaf first; also makes the request secure. */
  public FakeRequest clientCertificates(List<X509Certificate> chain) {
    this.clientCertificates = List.copyOf(chain);
    this.secure = true;
    return this;
  }

  @Override
  public List<X509Certificate> clientCertificates() {
    return clientCertificates;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public List<String> headers(String name) {
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> header : headers) {
      if (header.getKey().equalsIgnoreCase(name)) {
        values.add(header.getValue());
      }
    }
    return values;
  }

  @Override
  public String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public boolean secure() {
    return secure;
  }
}
