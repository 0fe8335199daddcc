package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.gatehouse.config.CredentialsConfig;
import dev.gatehouse.config.LimitsConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The credentials endpoint on a real Unix socket: the caller's uid from the peer credentials decides (other uids are
 * real: {@code setpriv} as CI's root), values from a Kubernetes-style Secret volume whose {@code ..data} symlink is
 * swapped, and long polls.
 */
class CredentialsServerTest {

  static final int ALLOWED_UID = 4242;
  static final int OTHER_UID = 4343;

  @TempDir Path dir;
  Path socket;
  Path secretDir;
  CredentialsServer server;

  @BeforeEach
  void setUp() throws Exception {
    // The callers run as other uids: they must be able to reach the socket, so its directory is world-traversable.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    socket = dir.resolve("credentials.sock");
    // What the kubelet writes for a Secret: a timestamped directory, ..data pointing at it, each key a link through ..data.
    secretDir = Files.createDirectory(dir.resolve("db"));
    Path v1 = Files.createDirectory(secretDir.resolve("..2026_12_01_12_00_00.000000001"));
    Files.writeString(v1.resolve("password"), "first-password");
    Files.createSymbolicLink(secretDir.resolve("..data"), v1.getFileName());
    Files.createSymbolicLink(secretDir.resolve("password"), Path.of("..data/password"));
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.stop();
    }
  }

  void start(List<Integer> uids) throws Exception {
    CredentialsConfig config =
        new CredentialsConfig(socket, uids, List.of(new CredentialsConfig.Item("db-password", Optional.of(secretDir.resolve("password")), Optional.empty())));
    server = new CredentialsServer(config, route -> Optional.empty(), Duration.ofMillis(50), LimitsConfig.DEFAULT_HEADER_TIMEOUT);
    server.start();
  }

  /** A request as this process (root), raw over the socket. */
  String get(String target, String... headers) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
      for (String header : headers) {
        request.append(header).append("\r\n");
      }
      channel.write(ByteBuffer.wrap(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII)));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      while (channel.read(buffer) > 0) {
        bytes.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  /** A request as another uid, through curl under setpriv: the status line and the body. */
  String getAs(int uid, String path) throws Exception {
    Process process =
        new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "curl", "-s", "-i", "--unix-socket", socket.toString(), "http://localhost" + path)
            .redirectErrorStream(true)
            .start();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  static void assumeRootWithSetpriv() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "runs as root, as CI does, to connect as other uids");
    for (String tool : new String[] {"setpriv", "curl"}) {
      Process which = new ProcessBuilder("sh", "-c", "command -v " + tool).start();
      assumeTrue(which.waitFor() == 0, tool + " is not installed");
    }
  }

  @Test
  void allowedUidGetsTheValueAnotherUidAndRootGet403() throws Exception {
    assumeRootWithSetpriv();
    start(List.of(ALLOWED_UID));

    String allowed = getAs(ALLOWED_UID, "/v1/credentials/db-password");
    String other = getAs(OTHER_UID, "/v1/credentials/db-password");
    String otherUnknown = getAs(OTHER_UID, "/v1/credentials/nothing-here");
    String root = get("/v1/credentials/db-password");

    assertThat(allowed).startsWith("HTTP/1.1 200").containsIgnoringCase("cache-control: no-store").containsIgnoringCase("etag: \"").endsWith("first-password");
    assertThat(other).startsWith("HTTP/1.1 403").doesNotContain("first-password");
    assertThat(otherUnknown).startsWith("HTTP/1.1 403");
    assertThat(root).startsWith("HTTP/1.1 403").doesNotContain("first-password");
  }

  @Test
  void unknownNameGets404AndRefusalsAreLoggedWithoutValues() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.gatehouse");
    Level before = logger.getLevel();
    EgressOAuth2Test.CapturedLog captured = new EgressOAuth2Test.CapturedLog();
    captured.start();
    logger.addAppender(captured);
    logger.setLevel(Level.DEBUG);
    try {
      start(List.of(0));
      assertThat(get("/v1/credentials/db-password")).startsWith("HTTP/1.1 200").endsWith("first-password");
      assertThat(get("/v1/credentials/api-key")).startsWith("HTTP/1.1 404");
      assertThat(get("/v1/credentials/")).startsWith("HTTP/1.1 404");
      assertThat(get("/v1/other")).startsWith("HTTP/1.1 404");
      server.stop();
      server = null;
      start(List.of(1000));
      assertThat(get("/v1/credentials/db-password")).startsWith("HTTP/1.1 403");

      assertThat(captured.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("uid 0 is not in allow-uids"));
      assertThat(captured.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("which is not an item"));
      assertThat(captured.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("first-password"));
    } finally {
      logger.detachAppender(captured);
      logger.setLevel(before);
    }
  }

  @Test
  void swappedSecretIsServedWithoutRestart() throws Exception {
    start(List.of(0));
    assertThat(get("/v1/credentials/db-password")).endsWith("first-password");

    swapSecret("second-password");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!get("/v1/credentials/db-password").endsWith("second-password")) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void longPollWithTheCurrentEtagAnswersTheNextValueOr304AfterTheWait() throws Exception {
    start(List.of(0));
    String first = get("/v1/credentials/db-password");
    String etag = header(first, "etag");

    String unchanged = get("/v1/credentials/db-password?wait=300ms", "If-None-Match: " + etag);
    assertThat(unchanged).startsWith("HTTP/1.1 304");
    assertThat(get("/v1/credentials/db-password", "If-None-Match: " + etag)).startsWith("HTTP/1.1 304");
    assertThat(get("/v1/credentials/db-password?wait=61s", "If-None-Match: " + etag)).startsWith("HTTP/1.1 400");

    long start = System.nanoTime();
    CompletableFuture<String> polling = CompletableFuture.supplyAsync(() -> {
      try {
        return get("/v1/credentials/db-password?wait=30s", "If-None-Match: " + etag);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Thread.sleep(300);
    assertThat(polling).isNotDone();
    swapSecret("third-password");

    String changed = polling.get(10, TimeUnit.SECONDS);
    assertThat(changed).startsWith("HTTP/1.1 200").endsWith("third-password");
    assertThat(header(changed, "etag")).isNotEqualTo(etag);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void oauth2RouteItemServesTheRoutesCurrentAccessToken() throws Exception {
    try (TokenServer tokens = new TokenServer("shop", "secret")) {
      Path secret = Files.writeString(dir.resolve("client-secret"), "secret");
      dev.gatehouse.config.OAuth2ClientConfig client =
          new dev.gatehouse.config.OAuth2ClientConfig(
              java.net.URI.create(tokens.tokenUri()), "shop", Optional.of(secret), Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
              dev.gatehouse.config.OAuth2ClientConfig.AudienceParameter.AUDIENCE);
      TokenEndpoint endpoint = new TokenEndpoint(client, TokenEndpoint.newHttpClient());
      TokenSource source = new TokenSource("orders", endpoint::fetch, java.time.Clock.systemUTC());
      CredentialsConfig config = new CredentialsConfig(socket, List.of(0), List.of(new CredentialsConfig.Item("orders-token", Optional.empty(), Optional.of("orders"))));
      server = new CredentialsServer(config, route -> route.equals("orders") ? Optional.of(source) : Optional.empty(), Duration.ZERO, LimitsConfig.DEFAULT_HEADER_TIMEOUT);
      server.start();

      String first = get("/v1/credentials/orders-token");
      String again = get("/v1/credentials/orders-token");

      assertThat(first).startsWith("HTTP/1.1 200").containsIgnoringCase("cache-control: no-store").endsWith("token-1");
      assertThat(again).endsWith("token-1");
      assertThat(tokens.requests.get()).isEqualTo(1);
    }
  }

  /** As the kubelet updates a Secret: a new directory, a new ..data link, renamed over the old one. */
  void swapSecret(String value) throws IOException {
    Path next = Files.createDirectory(secretDir.resolve("..2026_12_01_12_00_00." + System.nanoTime()));
    Files.writeString(next.resolve("password"), value);
    Path link = Files.createSymbolicLink(secretDir.resolve("..data_tmp"), next.getFileName());
    Files.move(link, secretDir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static String header(String response, String name) {
    for (String line : response.split("\r\n")) {
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        return line.substring(name.length() + 1).strip();
      }
    }
    throw new AssertionError("no " + name + " in " + response);
  }
}
