package dev.gatehouse.examples.hello;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * An application with no authentication of its own, listening on 127.0.0.1:8080 and answering "Hello World!".
 *
 * <p>It stands for the app a sidecar guards. {@code /headers} echoes the request headers it received, so you can see
 * what the sidecar forwarded (for example {@code X-Forwarded-User}). Uses only the JDK's HTTP server.
 *
 * <p>Usage: {@code java -jar examples/hello-app/target/hello-app.jar [host:port]}
 */
public final class HelloApp {

  private HelloApp() {}

  public static void main(String[] args) throws IOException {
    String listen = args.length > 0 ? args[0] : "127.0.0.1:8080";
    int colon = listen.lastIndexOf(':');
    InetSocketAddress address = new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
    HttpServer server = HttpServer.create(address, 128);
    server.createContext("/", HelloApp::handle);
    server.setExecutor(Executors.newFixedThreadPool(Math.max(4, Runtime.getRuntime().availableProcessors() * 2)));
    server.start();
    System.out.println("hello app listening on http://" + listen);
  }

  private static void handle(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    String body;
    if (exchange.getRequestURI().getPath().equals("/headers")) {
      StringBuilder text = new StringBuilder();
      exchange.getRequestHeaders().forEach((name, values) -> values.forEach(value -> text.append(name).append(": ").append(value).append('\n')));
      body = text.toString();
    } else {
      body = "Hello World!\n";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=UTF-8");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
