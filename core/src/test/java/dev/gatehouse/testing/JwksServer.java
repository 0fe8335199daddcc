package dev.gatehouse.testing;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real identity provider's key endpoint on 127.0.0.1, port 0: {@code /jwks.json} serves the public halves of the
 * current keys, {@code /.well-known/openid-configuration} the discovery document naming {@link #issuer()}. It counts
 * JWKS fetches, so tests can prove how often Gatehouse asks.
 */
public final class JwksServer implements AutoCloseable {

  private final HttpServer server;
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile JWKSet keys = new JWKSet();

  private JwksServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/jwks.json", exchange -> {
      fetches.incrementAndGet();
      send(exchange, keys.toPublicJWKSet().toString());
    });
    server.createContext("/.well-known/openid-configuration", exchange ->
        send(exchange, "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + jwksUri() + "\"}"));
    // An issuer that moved its keys: a fetch that followed the redirect would get them.
    server.createContext("/moved/", exchange -> {
      exchange.getResponseHeaders().add("Location", issuer() + exchange.getRequestURI().getPath().substring("/moved".length()));
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
    });
    server.start();
  }

  /** {@code /moved/jwks.json}, which answers 302 to {@link #jwksUri()}. */
  public URI redirectingJwksUri() {
    return URI.create(issuer() + "/moved/jwks.json");
  }

  /**
   * Starts a server serving these keys.
   *
   * @param keys the signing keys (private halves are never served)
   * @return the running server
   */
  public static JwksServer start(JWK... keys) {
    try {
      JwksServer server = new JwksServer();
      server.keys(keys);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces the served keys, as a provider does when it rotates. */
  public void keys(JWK... keys) {
    this.keys = new JWKSet(List.of(keys));
  }

  /** {@code http://127.0.0.1:<port>}, the issuer whose discovery document this server serves. */
  public String issuer() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public URI jwksUri() {
    return URI.create(issuer() + "/jwks.json");
  }

  /** How many times the JWKS was fetched. */
  public int fetches() {
    return fetches.get();
  }

  /** Stops answering, as an identity provider in an outage. */
  @Override
  public void close() {
    server.stop(0);
  }

  private static void send(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
