package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import dev.gatehouse.testing.TestCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a slow or greedy client can cost: a real slowloris client (one byte a second) against the real sidecar, with a
 * short configured head deadline, and a client opening more connections than its cap.
 */
class SlowClientTest {

  private static final long DEADLINE_MILLIS = 2000;
  private static final String AUTHORIZATION = "Authorization: " + RawHttp.basic("sha1-user", "sha1 secret") + "\r\n";

  @TempDir Path directory;
  private Origin origin;
  private GatehouseSidecar sidecar;

  @BeforeEach
  void startOrigin() throws Exception {
    origin = new Origin();
  }

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    origin.close();
  }

  private void start(Map<String, String> extra) {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("listen", "127.0.0.1:0");
    overrides.put("upstream", origin.uri());
    overrides.put("authentication.basic.htpasswd", Fixtures.copy("formats.htpasswd", directory).toString());
    overrides.put("limits.header-timeout", DEADLINE_MILLIS + "ms");
    overrides.putAll(extra);
    sidecar = GatehouseSidecar.start(ConfigLoader.load(Optional.empty(), overrides), Duration.ofSeconds(5));
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", sidecar.port()), 5000);
    socket.setSoTimeout(15_000);
    return socket;
  }

  /** Writes {@code text} one byte a second from another thread until it is written or the server closes. */
  private static Thread trickle(Socket socket, String text, AtomicInteger written) {
    Thread thread =
        new Thread(
            () -> {
              try {
                OutputStream out = socket.getOutputStream();
                for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
                  out.write(b);
                  out.flush();
                  written.incrementAndGet();
                  Thread.sleep(1000);
                }
              } catch (IOException | InterruptedException e) {
                // The server closed: what the test waits for.
              }
            },
            "slowloris");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  @Test
  void slowlorisGets408AndTheConnectionClosesWithinTheDeadline() throws Exception {
    start(Map.of());
    try (Socket socket = connect()) {
      long start = System.nanoTime();
      AtomicInteger written = new AtomicInteger();
      Thread slowloris = trickle(socket, "GET /x HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + "X-Padding: " + "p".repeat(100) + "\r\n\r\n", written);

      RawClient.Answer answer = RawClient.readToEnd(socket, start);

      slowloris.interrupt();
      assertThat(answer.status()).as(answer.text()).isEqualTo(408);
      assertThat(answer.text()).containsIgnoringCase("Connection: close");
      assertThat(answer.closed()).isTrue();
      assertThat(answer.millis()).as("answered at the deadline, not later").isBetween(DEADLINE_MILLIS - 100, DEADLINE_MILLIS + 1500);
      assertThat(written.get()).as("bytes the slowloris got in").isLessThan(6);
      assertThat(origin.received).isEmpty();
    }
  }

  @Test
  void keptAliveConnectionGets408WhenItsNextHeadIsSlow() throws Exception {
    start(Map.of());
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /first HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String first = readResponse(socket.getInputStream());
      assertThat(first).startsWith("HTTP/1.1 200");
      // Idle for longer than the head deadline before the next request: idleness is the idle timeout's business.
      Thread.sleep(DEADLINE_MILLIS + 500);
      long start = System.nanoTime();
      AtomicInteger written = new AtomicInteger();
      Thread slowloris = trickle(socket, "GET /second HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + "\r\n", written);

      RawClient.Answer answer = RawClient.readToEnd(socket, start);

      slowloris.interrupt();
      assertThat(answer.status()).as(answer.text()).isEqualTo(408);
      assertThat(answer.closed()).isTrue();
      assertThat(answer.millis()).isBetween(DEADLINE_MILLIS - 100, DEADLINE_MILLIS + 1500);
      assertThat(origin.next().path()).isEqualTo("/first");
      assertThat(origin.received).isEmpty();
    }
  }

  @Test
  void headThatArrivesInPiecesWithinTheDeadlineIsServed() throws Exception {
    start(Map.of());
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /pieces HTTP/1.1\r\nHost: app\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Thread.sleep(DEADLINE_MILLIS / 2);
      out.write((AUTHORIZATION + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();

      RawClient.Answer answer = RawClient.readToEnd(socket, System.nanoTime());

      assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    }
  }

  @Test
  void connectionThatSendsNothingIsClosedAtTheDeadlineWithoutAnAnswer() throws Exception {
    start(Map.of());
    try (Socket socket = connect()) {
      RawClient.Answer answer = RawClient.readToEnd(socket, System.nanoTime());

      assertThat(answer.closed()).isTrue();
      assertThat(answer.text()).isEmpty();
      assertThat(answer.millis()).isBetween(DEADLINE_MILLIS - 100, DEADLINE_MILLIS + 1500);
    }
  }

  @Test
  void slowTlsHandshakeIsClosedAtTheDeadline() throws Exception {
    TestCertificate ca = TestCertificate.ca("server CA");
    TestCertificate server = TestCertificate.builder().commonName("sidecar").localhostServer().issuedBy(ca).build();
    start(
        Map.of(
            "tls.certificate", server.writeChain(directory.resolve("server.crt")).toString(),
            "tls.private-key", server.writeKey(directory.resolve("server.key")).toString()));
    try (Socket socket = connect()) {
      long start = System.nanoTime();
      AtomicInteger written = new AtomicInteger();
      // The start of a TLS record holding a ClientHello, a byte a second.
      Thread slowloris = trickle(socket, "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003" + "r".repeat(32), written);

      RawClient.Answer answer = RawClient.readToEnd(socket, start);

      slowloris.interrupt();
      assertThat(answer.closed()).isTrue();
      assertThat(answer.millis()).isBetween(DEADLINE_MILLIS - 100, DEADLINE_MILLIS + 1500);
    }
  }

  @Test
  void connectionsBeyondThePeerCapAreClosedAtAccept() throws Exception {
    start(Map.of("limits.connections-per-peer", "3"));
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket socket = connect();
        held.add(socket);
        socket.getOutputStream().write(("GET /held HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200");
      }

      RawClient.Answer refused = RawClient.send(sidecar.port(), "GET /fourth HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + "\r\n", 5000);

      assertThat(refused.closed()).as("closed, not left waiting").isTrue();
      assertThat(refused.text()).isEmpty();
      assertThat(refused.millis()).isLessThan(2000);

      held.remove(0).close();
      Thread.sleep(200);
      RawClient.Answer afterOneClosed =
          RawClient.send(sidecar.port(), "GET /again HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + "Connection: close\r\n\r\n", 5000);
      assertThat(afterOneClosed.status()).as("a closed connection gives its place back").isEqualTo(200);
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  /** One response, with a Content-Length or a chunked body, read from a kept-alive connection. */
  private static String readResponse(InputStream in) throws IOException {
    String head = readUntil(in, "\r\n\r\n");
    String lower = head.toLowerCase(java.util.Locale.ROOT);
    int at = lower.indexOf("content-length: ");
    if (at >= 0) {
      int length = Integer.parseInt(head.substring(at + 16, head.indexOf("\r\n", at)).strip());
      return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
    assertThat(lower).contains("transfer-encoding: chunked");
    return head + readUntil(in, "\r\n0\r\n\r\n");
  }

  private static String readUntil(InputStream in, String end) throws IOException {
    StringBuilder text = new StringBuilder();
    while (!text.toString().endsWith(end)) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + text);
      }
      text.append((char) b);
    }
    return text.toString();
  }
}
