package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.path.CanonicalPath;
import dev.gatehouse.path.PathCanonicalizer;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request-targets from real bypasses (encoded, doubled, dotted, suffixed, matrix, case, fragment, backslash,
 * absolute-form, overlong UTF-8, ...) sent byte for byte to the real sidecar in front of an upstream that records the
 * request-target it received. A rule keeps everyone but the admin out of {@code /admin} and below. Every target must be
 * refused (400, 401 or 403) or reach the upstream as a canonical path outside {@code /admin}, in encoded and in decoded
 * form; nothing else passes.
 */
class PathBypassTest {

  private static final String ADMIN = RawHttp.basic("sha1-user", "sha1 secret");
  private static final String USER = RawHttp.basic("apr1-user", "apr1 secret");

  @TempDir static Path directory;
  private static RecordingUpstream upstream;
  private static GatehouseSidecar sidecar;

  @BeforeAll
  static void start() throws Exception {
    upstream = new RecordingUpstream();
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              basic: {htpasswd: %s}
            authorization:
              rules:
                - name: admin-area
                  action: deny
                  from: {not-request-principals: [sha1-user]}
                  to: {paths: [/admin/*]}
            """
                .formatted(htpasswd));
    Map<String, String> overrides = Map.of("listen", "127.0.0.1:0", "upstream", "http://127.0.0.1:" + upstream.port());
    sidecar = GatehouseSidecar.start(ConfigLoader.load(Optional.of(yaml), overrides), Duration.ofSeconds(5));
  }

  @AfterAll
  static void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    upstream.close();
  }

  @BeforeEach
  void forgetEarlierRequests() {
    upstream.targets.clear();
  }

  static Stream<String> targets() {
    return Stream.of(
        "/admin",
        "/admin/",
        "/admin/x",
        "//admin",
        "//admin//x",
        "///admin",
        "/./admin",
        "/admin/.",
        "/admin/./x",
        "/x/../admin",
        "/x/y/../../admin/x",
        "/admin/x/../../admin",
        "/public/../admin",
        "/%61dmin",
        "/%41dmin",
        "/%2561dmin",
        "/%2e/admin",
        "/%2E%2E/admin",
        "/x/%2e%2e/admin",
        "/x/.%2e/admin",
        "/x/%2e./admin",
        "/x%2f..%2fadmin",
        "/x/..%2fadmin",
        "/x/..%2Fadmin/x",
        "/x/..%5cadmin",
        "/x/..\\admin",
        "\\admin",
        "/\\admin",
        "/admin%252fx",
        "/%252e%252e/admin",
        "/%c0%ae%c0%ae/admin",
        "/x/%c0%ae%c0%ae/admin",
        "/%c0%afadmin",
        "/%e0%80%aeadmin",
        "/admin;x",
        "/admin;jsessionid=1/x",
        "/x/..;/admin",
        "/admin/..;/",
        "/.;/admin",
        "/;/admin",
        "/admin%3b/x",
        "/ADMIN",
        "/Admin/x",
        "/admin#x",
        "/x#/../admin",
        "/admin%23",
        "/admin.",
        "/admin%2e",
        "/admin./x",
        "/admin%20",
        "/admin%09",
        "/admin%00",
        "/admin%00/x",
        "/admin%0d%0aX-Forwarded-User:%20sha1-user",
        "/admin%c2%85",
        "/adm\u00edn",
        "/admin?x=/../public",
        "/admin/x?/../../public",
        "http://other.example/admin",
        "http://127.0.0.1/admin",
        "HTTP://127.0.0.1/admin",
        "//127.0.0.1/admin",
        "*");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void everyTargetIsRefusedOrReachesTheUpstreamOutsideTheRule(String target) throws Exception {
    RawHttp.Response response = RawHttp.exchange(sidecar.port(), "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + USER + "\r\n");

    if (response.status() == 400 || response.status() == 401 || response.status() == 403) {
      assertThat(upstream.targets.poll()).as("refused request must not reach the upstream").isNull();
      return;
    }
    assertThat(response.status()).as("only refusals or the upstream's 200 are acceptable for %s", target).isEqualTo(200);
    String received = upstream.targets.poll(10, TimeUnit.SECONDS);
    assertThat(received).as("upstream target for %s", target).isNotNull();
    String path = received.indexOf('?') < 0 ? received : received.substring(0, received.indexOf('?'));
    assertThat(PathCanonicalizer.canonicalize(path)).as("the upstream gets a canonical path").isEqualTo(new CanonicalPath.Valid(path));
    String decoded = ((CanonicalPath.Valid) PathCanonicalizer.canonicalize(path)).decoded();
    for (String form : new String[] {path, decoded}) {
      assertThat(form.equals("/admin") || form.startsWith("/admin/")).as("%s reached the upstream as %s", target, form).isFalse();
    }
  }

  @Test
  void targetCountIsAtLeastForty() {
    assertThat(targets().count()).isGreaterThanOrEqualTo(40);
  }

  @Test
  void adminReachesTheUpstreamWithThePathTheRuleSaw() throws Exception {
    RawHttp.Response response = RawHttp.exchange(sidecar.port(), "GET //admin/./x/%2e%2e/%79?a=%2e%2e&b HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + ADMIN + "\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(upstream.targets.poll(10, TimeUnit.SECONDS)).isEqualTo("/admin/y?a=%2e%2e&b");
  }

  @Test
  void otherCaseIsAnotherResourceAndForwardedAsSuch() throws Exception {
    RawHttp.Response response = RawHttp.exchange(sidecar.port(), "GET /ADMIN HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + USER + "\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(upstream.targets.poll(10, TimeUnit.SECONDS)).isEqualTo("/ADMIN");
  }

  @Test
  void dotSegmentsIntoTheAdminAreaAreDenied() throws Exception {
    RawHttp.Response response = RawHttp.exchange(sidecar.port(), "GET /public/%2e%2e/admin/x HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + USER + "\r\n");

    assertThat(response.status()).isEqualTo(403);
  }

  @Test
  void anonymousRequestForTheAdminAreaIsChallenged() throws Exception {
    RawHttp.Response response = RawHttp.exchange(sidecar.port(), "GET //admin HTTP/1.1\r\nHost: 127.0.0.1\r\n");

    assertThat(response.status()).isEqualTo(401);
    assertThat(response.head()).contains("WWW-Authenticate: Basic");
  }

  @Test
  void pathParameterIsRefusedWith400() throws Exception {
    RawHttp.Response response = RawHttp.exchange(sidecar.port(), "GET /x/..;/admin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + ADMIN + "\r\n");

    assertThat(response.status()).isEqualTo(400);
  }

  /**
   * Jetty hands a CONNECT's authority-form target over as the URI {@code http://host:port/}, whose path is {@code /}; the
   * target must still be refused as not origin-form, or a rule on {@code /} would pass a tunnel request to the upstream
   * (which Jetty's client sends for {@code connect} too, upper-casing it). Read by status line only, since Jetty keeps
   * a CONNECT's connection open.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"CONNECT internal.example.com:22", "CONNECT 127.0.0.1:22", "connect /", "Connect /admin/x"})
  void connectIsRefusedWith400(String requestLine) throws Exception {
    for (String authorization : new String[] {"", "Authorization: " + USER + "\r\n", "Authorization: " + ADMIN + "\r\n"}) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sidecar.port())) {
        socket.setSoTimeout(10_000);
        String head = requestLine + " HTTP/1.1\r\nHost: internal.example.com:22\r\n" + authorization + "\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        byte[] statusLine = socket.getInputStream().readNBytes(12);

        assertThat(new String(statusLine, StandardCharsets.US_ASCII)).as("%s with %s", requestLine, authorization).isEqualTo("HTTP/1.1 400");
      }
      assertThat(upstream.targets.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  /** An HTTP/1.1 server on a raw socket: records each request-target byte for byte and answers 200, closing. */
  static final class RecordingUpstream implements AutoCloseable {
    final BlockingQueue<String> targets = new LinkedBlockingQueue<>();
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Thread thread = new Thread(this::serve, "recording-upstream");

    RecordingUpstream() throws IOException {
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket socket = server.accept()) {
          socket.setSoTimeout(10_000);
          String head = readHead(socket.getInputStream());
          String requestLine = head.substring(0, head.indexOf("\r\n"));
          targets.add(requestLine.substring(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(' ')));
          OutputStream out = socket.getOutputStream();
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        } catch (IOException | RuntimeException e) {
          // A closed server socket ends the loop; anything else is one broken exchange.
        }
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      int matched = 0;
      for (int b; (b = in.read()) >= 0; ) {
        bytes.write(b);
        matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        if (matched == 4) {
          break;
        }
      }
      return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
