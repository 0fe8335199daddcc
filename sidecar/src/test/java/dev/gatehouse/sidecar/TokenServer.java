package dev.gatehouse.sidecar;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OAuth2 token endpoint on loopback for the client credentials grant: it checks the client (HTTP Basic with the
 * given ID and secret, or any {@code private_key_jwt} assertion, which it records for the test to verify), answers
 * tokens {@code token-1}, {@code token-2}, ... with the configured {@code expires_in}, and can be made slow or down.
 */
final class TokenServer implements AutoCloseable {

  final AtomicInteger requests = new AtomicInteger();
  final List<Map<String, String>> forms = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  volatile long expiresIn = 3600;
  volatile long delayMillis;
  volatile boolean down;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final AtomicInteger issued = new AtomicInteger();

  TokenServer(String clientId, String secret) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/oauth2/token",
        exchange -> {
          requests.incrementAndGet();
          String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          Map<String, String> form = new LinkedHashMap<>();
          for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
          }
          forms.add(form);
          String authorization = exchange.getRequestHeaders().getFirst("Authorization");
          authorizations.add(String.valueOf(authorization));
          try {
            Thread.sleep(delayMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          int status;
          String json;
          String basic = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
          boolean authenticated = basic.equals(authorization) || form.containsKey("client_assertion");
          if (down) {
            status = 503;
            json = "{\"error\":\"temporarily_unavailable\"}";
          } else if (!"client_credentials".equals(form.get("grant_type"))) {
            status = 400;
            json = "{\"error\":\"unsupported_grant_type\"}";
          } else if (!authenticated) {
            status = 401;
            json = "{\"error\":\"invalid_client\",\"error_description\":\"bad secret " + authorization + "\"}";
          } else {
            status = 200;
            json = "{\"access_token\":\"token-" + issued.incrementAndGet() + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}";
          }
          byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.setExecutor(executor);
    server.start();
  }

  String tokenUri() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/oauth2/token";
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
