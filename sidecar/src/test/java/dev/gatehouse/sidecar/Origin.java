package dev.gatehouse.sidecar;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The app behind the sidecar in tests: a real Jetty server on a free port that records what reached it.
 *
 * <p>{@code /status/NNN} answers NNN; {@code /stream} writes a first line, waits for {@link #release}, then the rest;
 * {@code /slow} announces itself on {@link #slowStarted} and answers once {@link #release} opens; anything else answers
 * 200 {@code hello from origin}.
 */
final class Origin implements AutoCloseable {

  /** One request as the origin received it; header names as sent, in order. */
  record Received(String method, String path, String query, List<Map.Entry<String, String>> headers, long bodyLength, String bodySha256, String body) {

    /** Values of every header whose name matches case-insensitively. */
    List<String> header(String name) {
      return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
    }

    /** Every header name, folded like IdentityHeaders does (lower case, '_' and '.' as '-'). */
    List<String> foldedNames() {
      return headers.stream().map(h -> h.getKey().toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-')).toList();
    }
  }

  private static final int KEPT_BODY_BYTES = 64 * 1024;

  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  final AtomicInteger connectionsOpened = new AtomicInteger();
  final CountDownLatch release = new CountDownLatch(1);
  final CountDownLatch slowStarted = new CountDownLatch(1);

  private final Server server = new Server();
  private final ServerConnector connector = new ServerConnector(server);

  Origin() throws Exception {
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.addEventListener(
        new Connection.Listener() {
          @Override
          public void onOpened(Connection connection) {
            connectionsOpened.incrementAndGet();
          }
        });
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) throws Exception {
            serve(request, response);
            callback.succeeded();
            return true;
          }
        });
    server.start();
  }

  String uri() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  /** The next request that reached the origin, waiting a little for it. */
  Received next() throws InterruptedException {
    Received next = received.poll(10, TimeUnit.SECONDS);
    if (next == null) {
      throw new AssertionError("no request reached the origin");
    }
    return next;
  }

  private void serve(Request request, Response response) throws Exception {
    record(request);
    String path = request.getHttpURI().getPath();
    try (OutputStream out = Content.Sink.asOutputStream(response)) {
      if (path.startsWith("/status/")) {
        response.setStatus(Integer.parseInt(path.substring("/status/".length())));
        out.write(("status " + response.getStatus() + "\n").getBytes(StandardCharsets.UTF_8));
      } else if (path.equals("/stream")) {
        out.write("first\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        await(release);
        out.write("second\n".getBytes(StandardCharsets.UTF_8));
      } else if (path.equals("/slow")) {
        slowStarted.countDown();
        await(release);
        out.write("slow done\n".getBytes(StandardCharsets.UTF_8));
      } else {
        response.getHeaders().put("X-Origin", "yes");
        out.write("hello from origin\n".getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private void record(Request request) throws Exception {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (HttpField field : request.getHeaders()) {
      headers.add(Map.entry(field.getName(), field.getValue()));
    }
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    StringBuilder kept = new StringBuilder();
    long length = 0;
    try (InputStream in = Content.Source.asInputStream(request)) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        sha256.update(buffer, 0, n);
        if (length < KEPT_BODY_BYTES) {
          kept.append(new String(buffer, 0, (int) Math.min(n, KEPT_BODY_BYTES - length), StandardCharsets.UTF_8));
        }
        length += n;
      }
    }
    received.add(
        new Received(
            request.getMethod(),
            request.getHttpURI().getPath(),
            request.getHttpURI().getQuery(),
            List.copyOf(headers),
            length,
            HexFormat.of().formatHex(sha256.digest()),
            kept.toString()));
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    if (!latch.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("the test never released the origin");
    }
  }

  @Override
  public void close() throws Exception {
    release.countDown();
    server.stop();
  }
}
