package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headers that would change how the upstream frames or routes a request, sent byte for byte to the real sidecar in
 * front of a real upstream (Jetty) that records every header name it received: none of them may arrive, in any spelling.
 */
class FramingAndRoutingHeadersTest {

  private static final String AUTHORIZATION = "Authorization: " + RawHttp.basic("sha1-user", "sha1 secret") + "\r\n";

  /** Folded framing names: a backend that folds {@code _} and {@code .} would read them next to the sidecar's own framing. */
  private static final List<String> DISGUISED_FRAMING =
      List.of("Transfer_Encoding: chunked", "Transfer.Encoding: chunked", "transfer_encoding: chunked", "Content_Length: 0", "Content.Length: 999",
          "Keep_Alive: timeout=1", "Proxy_Connection: keep-alive", "Proxy.Authorization: Basic eDp5");

  /** The routing and trust headers, in their own and folded spellings. */
  private static final List<String> ROUTING =
      List.of("X-Original-URL: /admin", "X_Original_URL: /admin", "X-Rewrite-URL: /admin", "X-Original-URI: /admin", "X-Forwarded-Uri: /admin",
          "X-Forwarded-Prefix: /admin", "Client-Cert: :AAAA:", "Client-Cert-Chain: :AAAA:", "X-SSL-Client-Verify: SUCCESS",
          "X-SSL-Client-S-DN: CN=admin", "X-Client-Cert-Chain: x", "X-Client-Certificate: x", "X-Remote-User: admin", "X-Remote-Group: admins",
          "x.remote.group: admins", "X-Remote-Extra-Scopes: all", "X-Auth-Request-Redirect: /admin", "X-Auth-Request-Email: a@b",
          "X-Pomerium-Jwt-Assertion: x", "X_Pomerium_Claim_Email: a@b");

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
    overrides.putAll(extra);
    sidecar = GatehouseSidecar.start(ConfigLoader.load(Optional.empty(), overrides), Duration.ofSeconds(5));
  }

  private static String lines(List<String> headers) {
    return String.join("\r\n", headers) + "\r\n";
  }

  @Test
  void foldedFramingNamesNeverReachTheUpstreamNextToTheRealFraming() throws Exception {
    start(Map.of());

    RawClient.Answer answer =
        RawClient.send(
            sidecar.port(),
            "POST /upload HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + lines(DISGUISED_FRAMING) + "Content-Length: 5\r\nConnection: close\r\n\r\nhello",
            10_000);

    assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.body()).isEqualTo("hello");
    assertThat(received.headers()).extracting(Map.Entry::getKey).noneMatch(name -> name.indexOf('_') >= 0 || name.indexOf('.') >= 0);
    assertThat(received.foldedNames()).doesNotContain("keep-alive", "proxy-connection", "proxy-authorization");
    assertThat(received.header("Content-Length")).containsExactly("5");
    assertThat(received.header("Transfer-Encoding")).isEmpty();
  }

  @Test
  void foldedFramingNamesAreRemovedFromAChunkedRequestToo() throws Exception {
    start(Map.of());

    RawClient.Answer answer =
        RawClient.send(
            sidecar.port(),
            "POST /upload HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + "Content_Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n",
            10_000);

    assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.body()).isEqualTo("hello");
    assertThat(received.foldedNames()).doesNotContain("content-length");
  }

  @Test
  void routingAndTrustHeadersAreRemovedByDefault() throws Exception {
    start(Map.of());

    RawClient.Answer answer =
        RawClient.send(sidecar.port(), "GET /x HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + lines(ROUTING) + "Connection: close\r\n\r\n", 10_000);

    assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.path()).isEqualTo("/x");
    assertThat(received.foldedNames())
        .noneMatch(name -> name.startsWith("x-original") || name.startsWith("x-rewrite") || name.startsWith("client-cert")
            || name.startsWith("x-ssl-client") || name.startsWith("x-client-cert") || name.startsWith("x-remote")
            || name.startsWith("x-auth-request") || name.startsWith("x-pomerium") || name.equals("x-forwarded-uri")
            || name.equals("x-forwarded-prefix"));
  }

  @Test
  void routingHeaderPassedFromClientReachesTheUpstream() throws Exception {
    start(Map.of("headers.pass-from-client", "X-Forwarded-Prefix,X-Pomerium-Jwt-Assertion"));

    RawClient.Answer answer =
        RawClient.send(sidecar.port(), "GET /x HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + lines(ROUTING) + "Connection: close\r\n\r\n", 10_000);

    assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.header("X-Forwarded-Prefix")).containsExactly("/admin");
    assertThat(received.header("X-Pomerium-Jwt-Assertion")).containsExactly("x");
    assertThat(received.foldedNames()).doesNotContain("x-original-url", "x-pomerium-claim-email", "x-remote-user");
  }

  @Test
  void http2ClientsRoutingAndFoldedFramingHeadersNeverReachAnHttp11Upstream() throws Exception {
    dev.gatehouse.testing.TestCertificate ca = dev.gatehouse.testing.TestCertificate.ca("server CA");
    dev.gatehouse.testing.TestCertificate server = dev.gatehouse.testing.TestCertificate.builder().commonName("sidecar").localhostServer().issuedBy(ca).build();
    start(
        Map.of(
            "tls.certificate", server.writeChain(directory.resolve("server.crt")).toString(),
            "tls.private-key", server.writeKey(directory.resolve("server.key")).toString()));
    java.net.http.HttpClient h2 =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_2)
            .sslContext(dev.gatehouse.testing.TestCertificate.clientContext(ca.certificate()))
            .build();

    java.net.http.HttpResponse<String> response =
        h2.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + sidecar.port() + "/h2"))
                .header("Authorization", RawHttp.basic("sha1-user", "sha1 secret"))
                .header("x-original-url", "/admin")
                .header("x_rewrite_url", "/admin")
                .header("x-pomerium-jwt-assertion", "x")
                .header("client-cert", ":AAAA:")
                .header("transfer_encoding", "chunked")
                .header("content.length", "9")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("hello"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());

    assertThat(response.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.body()).isEqualTo("hello");
    assertThat(received.foldedNames()).doesNotContain("x-original-url", "x-rewrite-url", "x-pomerium-jwt-assertion", "client-cert");
    assertThat(received.header("Content-Length")).doesNotContain("9");
    assertThat(received.headers()).extracting(Map.Entry::getKey).noneMatch(name -> name.indexOf('_') >= 0 || name.indexOf('.') >= 0);
  }

  @Test
  void trailersCannotCarryWhatHeadersMayNot() throws Exception {
    // A backend that merges trailers into headers would otherwise read these as the request's own.
    try (RawUpstream raw = new RawUpstream()) {
      Map<String, String> overrides = new LinkedHashMap<>();
      overrides.put("listen", "127.0.0.1:0");
      overrides.put("upstream", "http://127.0.0.1:" + raw.port());
      overrides.put("authentication.basic.htpasswd", Fixtures.copy("formats.htpasswd", directory).toString());
      sidecar = GatehouseSidecar.start(ConfigLoader.load(Optional.empty(), overrides), Duration.ofSeconds(5));

      RawClient.Answer answer =
          RawClient.send(
              sidecar.port(),
              "POST /upload HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                  + "5\r\nhello\r\n0\r\nX-Forwarded-User: admin\r\nx_forwarded_user: admin\r\nX-Original-URL: /admin\r\nTransfer_Encoding: chunked\r\n"
                  + "Host: evil\r\nConnection: close\r\nX-Checksum: 1\r\n\r\n",
              10_000);

      assertThat(answer.status()).as(answer.text()).isEqualTo(200);
      String request = raw.requests.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(request).isNotNull();
      String trailers = request.substring(request.indexOf("\r\n0\r\n") + 5);
      assertThat(trailers).containsIgnoringCase("X-Checksum: 1");
      assertThat(trailers.toLowerCase(java.util.Locale.ROOT))
          .doesNotContain("forwarded-user", "forwarded_user", "original-url", "transfer_encoding", "host:", "connection:");
    }
  }

  /** An upstream that keeps each request's bytes as received, up to the end of a chunked body, and answers 200. */
  private static final class RawUpstream implements AutoCloseable {
    final java.util.concurrent.BlockingQueue<String> requests = new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());

    RawUpstream() throws java.io.IOException {
      Thread thread = new Thread(this::serve, "raw-upstream");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void serve() {
      while (!server.isClosed()) {
        try (java.net.Socket socket = server.accept()) {
          java.io.InputStream in = socket.getInputStream();
          StringBuilder text = new StringBuilder();
          for (int b; (b = in.read()) >= 0; ) {
            text.append((char) b);
            int end = text.indexOf("\r\n0\r\n");
            if (end >= 0 && text.indexOf("\r\n\r\n", end + 2) >= 0) {
              break;
            }
          }
          requests.add(text.toString());
          socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        } catch (java.io.IOException e) {
          // closed
        }
      }
    }

    @Override
    public void close() throws java.io.IOException {
      server.close();
    }
  }
}
