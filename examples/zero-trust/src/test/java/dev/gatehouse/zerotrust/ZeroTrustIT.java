package dev.gatehouse.zerotrust;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import dev.gatehouse.authn.assertion.SidecarAssertion;
import dev.gatehouse.config.AssertionConfig;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import dev.gatehouse.testing.TestKeys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero trust inside the pod, with the real parts as processes: {@code java -jar gatehouse-sidecar.jar} (Basic users,
 * signing assertions with a key made by its own {@code keygen}) in front of {@code java -jar servlet-app.jar}, whose
 * filter accepts nothing but the sidecar's assertion. A second sidecar, same key, forwards to a recorder instead, so the
 * test holds assertions the application has not seen yet: the stand-in for one an attacker captured.
 */
class ZeroTrustIT {

  private static final Pattern SIDECAR_LISTENING = Pattern.compile("gatehouse sidecar listening on http://127\\.0\\.0\\.1:(\\d+), forwarding to ");
  private static final Pattern APP_LISTENING = Pattern.compile("servlet app listening on http://127\\.0\\.0\\.1:(\\d+)/");
  private static final String USER = "Authorization: " + RawHttp.basic("bcrypt-user", "bcrypt secret") + "\r\n";
  private static final String RULES =
      """
      authorization:
        rules:
          - {name: public, action: allow, to: {methods: [GET], paths: ['/public/*']}}
          - {name: users, action: allow, from: {request-principals: ['*']}}
      """;

  @TempDir static Path directory;
  private static final List<Process> processes = new ArrayList<>();
  private static final BlockingQueue<String> recorded = new LinkedBlockingQueue<>();
  private static HttpServer recorder;
  private static int app;
  private static int sidecar;
  private static int capturingSidecar;

  @BeforeAll
  static void start() throws Exception {
    Path keys = directory.resolve("keys");
    Process keygen = java(System.getProperty("gatehouse.sidecar.jar"), "keygen", "--out", keys.toString());
    assertThat(keygen.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keygen.exitValue()).as(new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    String kid = Files.readString(keys.resolve("assertion.jwks")).replaceAll("(?s).*\"kid\":\"([^\"]+)\".*", "$1");
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);

    Path appConfig = Files.writeString(directory.resolve("app.yaml"), """
        authentication:
          sidecar-assertion:
            verification-key: %s
            issuer: gatehouse-sidecar
            audience: servlet-app
            clock-skew: 2s
        """.formatted(keys.resolve("assertion.jwks")) + RULES);
    Process appProcess = java(System.getProperty("gatehouse.servlet-app.jar"), appConfig.toString(), "127.0.0.1:0");
    app = port(appProcess, APP_LISTENING);

    sidecar = port(sidecar(keys, kid, htpasswd, "http://127.0.0.1:" + app, "10s", "sidecar.yaml"), SIDECAR_LISTENING);
    recorder = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    recorder.createContext("/", exchange -> {
      recorded.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-Gatehouse-Assertion")));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    recorder.start();
    capturingSidecar = port(sidecar(keys, kid, htpasswd, "http://127.0.0.1:" + recorder.getAddress().getPort(), "1s", "capturing.yaml"), SIDECAR_LISTENING);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process process : processes) {
      process.destroy();
      process.waitFor(20, TimeUnit.SECONDS);
    }
    if (recorder != null) {
      recorder.stop(0);
    }
  }

  @Test
  void throughTheSidecarTheAppSeesThePrincipal() throws Exception {
    RawHttp.Response response = get(sidecar, "/whoami", USER + "X-Forwarded-User: admin\r\nX-Gatehouse-Assertion: forged\r\n");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"user\": \"bcrypt-user\", \"authType\": \"BASIC\", \"roles\": [], \"peer\": null}\n");
    assertThat(get(sidecar, "/x/../whoami", USER).status()).as("the sidecar forwards, and signs, the canonical path").isEqualTo(200);
  }

  @Test
  void straightToTheAppWithForgedHeadersIs401() throws Exception {
    assertThat(get(app, "/whoami", "X-Forwarded-User: admin\r\nX-Remote-User: admin\r\nX-Forwarded-Groups: ops\r\n").status()).isEqualTo(401);
    assertThat(get(app, "/whoami", USER).status()).as("the sidecar's users mean nothing to the app").isEqualTo(401);
  }

  @Test
  void capturedAssertionWorksOnceForItsOwnRequestOnly() throws Exception {
    String assertion = capture("GET", "/whoami");
    assertThat(get(app, "/other", header(assertion)).status()).as("another path").isEqualTo(401);
    assertThat(get(app, "/whoami", header(assertion)).status()).as("its own request, first time").isEqualTo(200);
    assertThat(get(app, "/whoami", header(assertion)).status()).as("replayed on the same path").isEqualTo(401);
    assertThat(get(app, "/other", header(assertion)).status()).as("replayed on another path").isEqualTo(401);
  }

  @Test
  void assertionForGetSentWithPostIs401() throws Exception {
    String assertion = capture("GET", "/whoami");
    assertThat(RawHttp.exchange(app, "POST /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n" + header(assertion) + "\r\n").status())
        .isEqualTo(401);
  }

  @Test
  void expiredAssertionIs401() throws Exception {
    String assertion = capture("GET", "/whoami");
    // Lifetime 1 s, whole seconds, and the app's skew of 2 s: past 4 s it is expired whatever the rounding.
    Thread.sleep(4_100);
    assertThat(get(app, "/whoami", header(assertion)).status()).isEqualTo(401);
  }

  @Test
  void assertionSignedByAnotherKeyIs401() throws Exception {
    Path otherKey = TestKeys.writePem(TestKeys.ed25519(), Files.createDirectories(directory.resolve("other")), "other");
    String forged =
        SidecarAssertion.signer(new AssertionConfig(Optional.of(otherKey), Optional.empty(), Optional.empty(), "gatehouse-sidecar", "servlet-app", Duration.ofSeconds(10)))
            .sign(new Identities(Optional.empty(), Optional.of(new Identity("admin", Identity.BASIC, Set.of("ops"), Map.of()))), "GET", "/whoami");
    assertThat(get(app, "/whoami", header(forged)).status()).isEqualTo(401);
  }

  @Test
  void htuOtherThanWhatTheContainerDispatchesIs401() throws Exception {
    assertThat(get(app, "/x/../whoami", header(capture("GET", "/whoami"))).status()).as("dot-segments").isEqualTo(401);
    assertThat(get(app, "/./whoami", header(capture("GET", "/whoami"))).status()).as("dot-segment").isEqualTo(401);
    assertThat(get(app, "/%77hoami", header(capture("GET", "/whoami"))).status()).as("encoded character").isEqualTo(401);
    // The sidecar signs what it forwards, /public/~; the same path with ~ encoded is another request target.
    assertThat(get(app, "/public/%7E", header(capture("GET", "/public/%7e"))).status()).as("encoded unreserved character").isEqualTo(401);
    assertThat(get(app, "/whoami?admin=true", header(capture("GET", "/whoami"))).status()).as("another query").isEqualTo(401);
  }

  @Test
  void anonymousPathWorksThroughTheSidecarAndIs401Direct() throws Exception {
    RawHttp.Response through = get(sidecar, "/public/hello", "");
    assertThat(through.status()).isEqualTo(200);
    assertThat(through.body()).isEqualTo("Hello, null!\n");
    assertThat(get(sidecar, "/whoami", "").status()).as("not open to anonymous callers").isEqualTo(401);
    assertThat(get(app, "/public/hello", "").status()).isEqualTo(401);
  }

  /** An assertion the app has not seen: what the capturing sidecar signs for this request. */
  private static String capture(String method, String target) throws Exception {
    recorded.clear();
    RawHttp.Response response =
        RawHttp.exchange(capturingSidecar, method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n" + USER + "\r\n");
    assertThat(response.status()).isEqualTo(204);
    String assertion = recorded.poll(10, TimeUnit.SECONDS);
    assertThat(assertion).isNotNull().isNotEqualTo("null");
    return assertion;
  }

  private static String header(String assertion) {
    return "X-Gatehouse-Assertion: " + assertion + "\r\n";
  }

  private static RawHttp.Response get(int port, String target, String headers) throws IOException {
    return RawHttp.exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers + "\r\n");
  }

  private static Process sidecar(Path keys, String kid, Path htpasswd, String upstream, String lifetime, String name) throws IOException {
    Path config = Files.writeString(directory.resolve(name), """
        listen: 127.0.0.1:0
        upstream: %s
        authentication:
          basic: {htpasswd: %s}
        assertion:
          signing-key: %s
          key-id: %s
          issuer: gatehouse-sidecar
          audience: servlet-app
          lifetime: %s
        """.formatted(upstream, htpasswd, keys.resolve("assertion.key"), kid, lifetime) + RULES);
    return java(System.getProperty("gatehouse.sidecar.jar"), "--config", config.toString());
  }

  private static Process java(String jar, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m", "-jar", jar));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).directory(directory.toFile()).start();
    processes.add(process);
    return process;
  }

  /** Reads the process's output until it names its port; the rest of its output is drained in the background. */
  private static int port(Process process, Pattern listening) throws Exception {
    BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (String line; System.nanoTime() < deadline && (line = reader.readLine()) != null; ) {
      seen.add(line);
      Matcher matcher = listening.matcher(line);
      if (matcher.find()) {
        Thread drain = new Thread(() -> reader.lines().forEach(ignored -> {}), "drain");
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(matcher.group(1));
      }
    }
    throw new AssertionError("never listened; output: " + seen);
  }
}
