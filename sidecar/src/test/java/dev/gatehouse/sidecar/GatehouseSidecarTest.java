package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sidecar in process between a real client and a real origin, over real sockets. */
class GatehouseSidecarTest {

  private static final String USER = "bcrypt-user";
  private static final String PASSWORD = "bcrypt secret";
  private static final String CHALLENGE = "Basic realm=\"Restricted\", charset=\"UTF-8\"";

  @TempDir Path directory;

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Origin origin;
  private GatehouseSidecar sidecar;
  private Path htpasswd;

  @BeforeEach
  void start() throws Exception {
    origin = new Origin();
    htpasswd = Fixtures.copy("formats.htpasswd", directory);
    sidecar = startSidecar(origin.uri(), GatehouseSidecar.DEFAULT_UPSTREAM_IDLE_TIMEOUT);
  }

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    origin.close();
  }

  private GatehouseSidecar startSidecar(String upstream, Duration upstreamIdleTimeout) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("listen", "127.0.0.1:0");
    overrides.put("upstream", upstream);
    overrides.put("authentication.basic.htpasswd", htpasswd.toString());
    return GatehouseSidecar.start(ConfigLoader.load(Optional.empty(), overrides), Duration.ofSeconds(5), upstreamIdleTimeout);
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + sidecar.port() + pathAndQuery);
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20));
  }

  private HttpRequest.Builder authenticated(String pathAndQuery) {
    return request(pathAndQuery).header("Authorization", RawHttp.basic(USER, PASSWORD));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private RawHttp.Response raw(String head) throws IOException {
    return RawHttp.exchange(sidecar.port(), head);
  }

  @Test
  void noCredentialsIsChallengedWith401() throws Exception {
    HttpResponse<String> response = send(request("/private"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly(CHALLENGE);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=UTF-8");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(response.body()).isEqualTo("Unauthorized\n");
    assertThat(origin.received).isEmpty();
  }

  @Test
  void wrongPasswordIs401AndNeverForwarded() throws Exception {
    HttpResponse<String> response = send(request("/").header("Authorization", RawHttp.basic(USER, "not the password")));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly(CHALLENGE);
    assertThat(response.body()).isEqualTo("Unauthorized\n");
    assertThat(origin.received).isEmpty();
  }

  @Test
  void unknownUserIs401() throws Exception {
    HttpResponse<String> response = send(request("/").header("Authorization", RawHttp.basic("nobody", PASSWORD)));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(origin.received).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Basic !!!!not-base64!!!!",
        "Basic Ym9ndXM=", // "bogus": no colon
        "Basic YmNyeXB0LXVzZXI6YmNyeXB0IHNlY3JldA", // valid credentials without their padding
        "Basic",
        "Basic     ",
        "Basic YmNyeXB0LXVzZXI6YmNyeXB0IHNlY3JldA== trailing"
      })
  void malformedAuthorizationIs401Never500(String authorization) throws Exception {
    RawHttp.Response response = raw("GET / HTTP/1.1\r\nHost: app\r\nAuthorization: " + authorization + "\r\n");

    assertThat(response.status()).isEqualTo(401);
    assertThat(response.body()).isEqualTo("Unauthorized\n");
    assertThat(origin.received).isEmpty();
  }

  @Test
  void hugeHeaderIs431Never500() throws Exception {
    RawHttp.Response response = raw("GET / HTTP/1.1\r\nHost: app\r\nX-Big: " + "a".repeat(20_000) + "\r\n");

    assertThat(response.status()).isEqualTo(431);
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("<html");
    assertThat(origin.received).isEmpty();
  }

  @Test
  void validCredentialsReachUpstreamWithMethodPathAndQueryUnchanged() throws Exception {
    HttpResponse<String> response = send(authenticated("/some/path?q=1&name=a%20b&empty="));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello from origin\n");
    assertThat(response.headers().firstValue("X-Origin")).hasValue("yes");
    Origin.Received received = origin.next();
    assertThat(received.method()).isEqualTo("GET");
    assertThat(received.path()).isEqualTo("/some/path");
    assertThat(received.query()).isEqualTo("q=1&name=a%20b&empty=");
  }

  @Test
  void pathIsForwardedInCanonicalFormAndQueryExactlyAsReceived() throws Exception {
    RawHttp.Response response =
        raw("GET /caf%C3%A9/a%20b/%7Euser?q=%41+b&x=%2F HTTP/1.1\r\nHost: app\r\nAuthorization: " + RawHttp.basic(USER, PASSWORD) + "\r\n");

    assertThat(response.status()).isEqualTo(200);
    Origin.Received received = origin.next();
    // Unreserved characters are decoded, these other encodings kept: the upstream gets the path the rules matched.
    assertThat(received.path()).isEqualTo("/caf%C3%A9/a%20b/~user");
    assertThat(received.query()).isEqualTo("q=%41+b&x=%2F");
  }

  @ParameterizedTest
  @ValueSource(ints = {201, 204, 404, 500, 503})
  void upstreamStatusAndBodyComeBackUnchanged(int status) throws Exception {
    HttpResponse<String> response = send(authenticated("/status/" + status));

    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.body()).isEqualTo(status == 204 ? "" : "status " + status + "\n");
  }

  @Test
  void postBodyReachesUpstream() throws Exception {
    String json = "{\"order\": 42, \"note\": \"ünïcödé\"}";
    HttpResponse<String> response =
        send(authenticated("/orders").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));

    assertThat(response.statusCode()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.body()).isEqualTo(json);
    assertThat(received.header("Content-Type")).containsExactly("application/json");
  }

  @Test
  void spoofedForwardedUserNeverReachesUpstream() throws Exception {
    RawHttp.Response response =
        raw(
            "GET / HTTP/1.1\r\nHost: app\r\n"
                + "Authorization: " + RawHttp.basic(USER, PASSWORD) + "\r\n"
                + "X-Forwarded-User: admin\r\n"
                + "x_forwarded_user: admin\r\n"
                + "X.Forwarded.User: admin\r\n"
                + "X-FORWARDED-USER: admin\r\n"
                + "X-Forwarded-Groups: ops\r\n"
                + "X-Forwarded-Email: admin@example.com\r\n"
                + "Remote-User: admin\r\n");

    assertThat(response.status()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.foldedNames()).containsOnlyOnce("x-forwarded-user");
    assertThat(received.header("X-Forwarded-User")).containsExactly(USER);
    assertThat(received.foldedNames()).doesNotContain("x-forwarded-groups", "x-forwarded-email", "remote-user");
  }

  @Test
  void headerNamedInConnectionIsRemoved() throws Exception {
    RawHttp.Response response =
        raw(
            "GET / HTTP/1.1\r\nHost: app\r\n"
                + "Authorization: " + RawHttp.basic(USER, PASSWORD) + "\r\n"
                + "Connection: X-Hop-Secret, x_app_flag\r\n"
                + "X-Hop-Secret: 1\r\n"
                + "X-App-Flag: 1\r\n"
                + "X-Kept: 1\r\n");

    assertThat(response.status()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.header("X-Hop-Secret")).isEmpty();
    assertThat(received.header("X-App-Flag")).isEmpty();
    assertThat(received.header("X-Kept")).containsExactly("1");
  }

  @Test
  void forwardedHeadersAreSetByTheSidecarAndHostIsPreserved() throws Exception {
    RawHttp.Response response =
        raw(
            "GET / HTTP/1.1\r\nHost: app.example:8443\r\n"
                + "Authorization: " + RawHttp.basic(USER, PASSWORD) + "\r\n"
                + "X-Forwarded-For: 203.0.113.9\r\n"
                + "X-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: evil.example\r\n"
                + "Forwarded: for=203.0.113.9;proto=https\r\n"
                + "X-Real-IP: 203.0.113.9\r\n");

    assertThat(response.status()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.header("Host")).containsExactly("app.example:8443");
    assertThat(received.header("X-Forwarded-For")).containsExactly("127.0.0.1");
    assertThat(received.header("X-Forwarded-Proto")).containsExactly("http");
    assertThat(received.header("X-Forwarded-Host")).containsExactly("app.example:8443");
    assertThat(received.header("Forwarded")).isEmpty();
    assertThat(received.header("X-Real-IP")).isEmpty();
    assertThat(received.header("Via")).isEmpty();
  }

  @Test
  void clientUserAgentIsForwardedAloneAndTheProxyAddsNoneOfItsOwn() throws Exception {
    RawHttp.Response withAgent =
        raw("GET / HTTP/1.1\r\nHost: app\r\nAuthorization: " + RawHttp.basic(USER, PASSWORD) + "\r\nUser-Agent: curl/8.0\r\n");
    assertThat(withAgent.status()).isEqualTo(200);
    assertThat(origin.next().header("User-Agent")).containsExactly("curl/8.0");

    RawHttp.Response withoutAgent = raw("GET / HTTP/1.1\r\nHost: app\r\nAuthorization: " + RawHttp.basic(USER, PASSWORD) + "\r\n");
    assertThat(withoutAgent.status()).isEqualTo(200);
    assertThat(origin.next().header("User-Agent")).isEmpty();
  }

  @Test
  void hopByHopHeadersAreDropped() throws Exception {
    RawHttp.Response response =
        raw(
            "GET / HTTP/1.1\r\nHost: app\r\n"
                + "Authorization: " + RawHttp.basic(USER, PASSWORD) + "\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "TE: trailers\r\n"
                + "Trailer: X-Checksum\r\n"
                + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                + "Proxy-Connection: keep-alive\r\n");

    assertThat(response.status()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.foldedNames()).doesNotContain("keep-alive", "te", "trailer", "proxy-authorization", "proxy-connection");
  }

  @Test
  void responseStreamsBeforeUpstreamFinishes() throws Exception {
    HttpResponse<InputStream> response = client.send(authenticated("/stream").build(), HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader body = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      // The origin holds back its second line until released: the first must arrive before that.
      String first = CompletableFuture.supplyAsync(() -> readLine(body)).get(10, TimeUnit.SECONDS);
      assertThat(first).isEqualTo("first");
      origin.release.countDown();
      assertThat(readLine(body)).isEqualTo("second");
      assertThat(readLine(body)).isNull();
    }
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void largeUploadArrivesIntact() throws Exception {
    byte[] upload = new byte[32 * 1024 * 1024];
    new Random(42).nextBytes(upload);
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload));

    HttpResponse<String> response = send(authenticated("/upload").POST(HttpRequest.BodyPublishers.ofByteArray(upload)));

    assertThat(response.statusCode()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.bodyLength()).isEqualTo(upload.length);
    assertThat(received.bodySha256()).isEqualTo(sha256);
  }

  @Test
  void keepAliveConnectionsToUpstreamAreReused() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertThat(send(authenticated("/n/" + i)).statusCode()).isEqualTo(200);
    }

    assertThat(origin.received).hasSize(20);
    assertThat(origin.connectionsOpened).hasValue(1);
  }

  @Test
  void upstreamDownIs502WithShortBody() throws Exception {
    sidecar.close();
    sidecar = startSidecar("http://127.0.0.1:" + closedPort(), GatehouseSidecar.DEFAULT_UPSTREAM_IDLE_TIMEOUT);

    HttpResponse<String> response = send(authenticated("/"));

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).isEqualTo("Bad Gateway\n");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=UTF-8");
  }

  @Test
  void upstreamDownIs502ForEveryMethod() throws Exception {
    sidecar.close();
    sidecar = startSidecar("http://127.0.0.1:" + closedPort(), GatehouseSidecar.DEFAULT_UPSTREAM_IDLE_TIMEOUT);

    HttpResponse<String> response = send(authenticated("/").DELETE());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).isEqualTo("Bad Gateway\n");
  }

  @Test
  void silentUpstreamIs504() throws Exception {
    sidecar.close();
    sidecar = startSidecar(origin.uri(), Duration.ofMillis(300));

    HttpResponse<String> response = send(authenticated("/slow"));

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).isEqualTo("Gateway Timeout\n");
  }

  @Test
  void emptyAndDotSegmentsAreResolvedBeforeForwarding() throws Exception {
    RawHttp.Response response =
        raw("GET /a//b/./c/%2e%2e/d HTTP/1.1\r\nHost: app\r\nAuthorization: " + RawHttp.basic(USER, PASSWORD) + "\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(origin.next().path()).isEqualTo("/a/b/d");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/a%2Fb", "/%2e%2e/etc/passwd", "/a/../../etc/passwd", "/a%00b", "/a;b", "/%zz", "/a\\b", "/a|b", "/a{b}", "*",
        "http://other.example/abs"
      })
  void ambiguousOrInvalidRequestTargetsAre400AndNeverForwarded(String target) throws Exception {
    RawHttp.Response response =
        raw("GET " + target + " HTTP/1.1\r\nHost: app\r\nAuthorization: " + RawHttp.basic(USER, PASSWORD) + "\r\n");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("Bad Request\n");
    assertThat(origin.received).isEmpty();
  }

  @Test
  void portInUseIsOneLineNamingListen() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Map<String, String> overrides =
          Map.of(
              "listen", "127.0.0.1:" + taken.getLocalPort(),
              "upstream", origin.uri(),
              "authentication.basic.htpasswd", htpasswd.toString());

      assertThatThrownBy(() -> GatehouseSidecar.start(ConfigLoader.load(Optional.empty(), overrides), Duration.ofSeconds(1)))
          .isInstanceOf(ConfigException.class)
          .hasMessage("listen: port " + taken.getLocalPort() + " is already in use");
    }
  }

  @Test
  void missingUpstreamIsAConfigurationError() {
    Map<String, String> overrides = Map.of("listen", "127.0.0.1:0", "authentication.basic.htpasswd", htpasswd.toString());

    assertThatThrownBy(() -> GatehouseSidecar.start(ConfigLoader.load(Optional.empty(), overrides), Duration.ofSeconds(1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("upstream: missing");
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
