package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as a real process: {@code java -jar target/gatehouse-sidecar.jar ...}. */
class GatehouseSidecarIT {

  private static final Pattern LISTENING = Pattern.compile("gatehouse sidecar listening on http://127\\.0\\.0\\.1:(\\d+), forwarding to ");

  @TempDir Path directory;

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<SidecarProcess> processes = new ArrayList<>();
  private Origin origin;
  private Path htpasswd;

  @BeforeEach
  void start() throws Exception {
    origin = new Origin();
    htpasswd = Fixtures.copy("formats.htpasswd", directory);
  }

  @AfterEach
  void stop() throws Exception {
    for (SidecarProcess sidecar : processes) {
      sidecar.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    origin.close();
  }

  /** A running sidecar process with its output collected line by line. */
  private static final class SidecarProcess {
    final Process process;
    final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    final List<String> stderr = new CopyOnWriteArrayList<>();
    final List<String> stdoutSeen = new CopyOnWriteArrayList<>();
    private final Thread stderrReader;

    SidecarProcess(Process process) {
      this.process = process;
      // Threads of their own: each reader blocks until the process exits, and the common pool may have one worker.
      start(new Thread(() -> readLines(process.getInputStream(), stdout), "sidecar-stdout"));
      this.stderrReader = start(new Thread(() -> readLines(process.getErrorStream(), stderr), "sidecar-stderr"));
    }

    private static Thread start(Thread thread) {
      thread.setDaemon(true);
      thread.start();
      return thread;
    }

    private static void readLines(InputStream stream, java.util.Collection<String> lines) {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line; (line = reader.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Waits for a stdout line matching the pattern, and returns the match. */
    Matcher awaitLine(Pattern pattern) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        String line = stdout.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          stdoutSeen.add(line);
          Matcher matcher = pattern.matcher(line);
          if (matcher.find()) {
            return matcher;
          }
        } else if (!process.isAlive()) {
          break;
        }
      }
      throw new AssertionError("no line matching " + pattern + "; stdout: " + stdoutSeen + "; stderr: " + stderr);
    }

    int exitStatus() throws Exception {
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("process exited").isTrue();
      stderrReader.join(10_000);
      return process.exitValue();
    }
  }

  private SidecarProcess launch(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("GATEHOUSE_"));
    SidecarProcess sidecar = new SidecarProcess(builder.start());
    processes.add(sidecar);
    return sidecar;
  }

  private static Path jar() {
    Path jar = Path.of(System.getProperty("gatehouse.sidecar.jar", "target/gatehouse-sidecar.jar"));
    assertThat(jar).as("the shaded jar; run mvn verify").isRegularFile();
    return jar;
  }

  private SidecarProcess launchGuardingOrigin() throws IOException {
    return launch("--listen", "127.0.0.1:0", "--upstream", origin.uri(), "--htpasswd", htpasswd.toString(), "--shutdown-timeout", "20");
  }

  private HttpRequest.Builder request(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
  }

  @Test
  void helpExitsZeroAndListsTheFlags() throws Exception {
    SidecarProcess sidecar = launch("--help");

    assertThat(sidecar.exitStatus()).isZero();
    assertThat(String.join("\n", sidecar.stdout)).contains("--config FILE", "--upstream URL", "--htpasswd FILE", "GATEHOUSE_UPSTREAM");
    assertThat(sidecar.stderr).isEmpty();
  }

  @Test
  void selfSignedServesHttpsWithThePrintedFingerprint() throws Exception {
    SidecarProcess sidecar =
        launch("--listen", "127.0.0.1:0", "--upstream", origin.uri(), "--htpasswd", htpasswd.toString(), "--self-signed");
    String fingerprint = sidecar.awaitLine(Pattern.compile("SHA-256 fingerprint ([0-9A-F:]{95})")).group(1);
    int port = Integer.parseInt(sidecar.awaitLine(Pattern.compile("listening on https://127\\.0\\.0\\.1:(\\d+)")).group(1));

    HttpResponse<String> response =
        HttpClient.newBuilder()
            .sslContext(dev.gatehouse.testing.TestCertificate.trustingAnyServer(null))
            .build()
            .send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    java.security.cert.X509Certificate served =
        (java.security.cert.X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
    assertThat(dev.gatehouse.tls.SelfSignedCertificate.fingerprint(served)).isEqualTo(fingerprint);
  }

  @Test
  void keyThatDoesNotMatchTheCertificateExitsTwoWithOneLine() throws Exception {
    dev.gatehouse.testing.TestCertificate ca = dev.gatehouse.testing.TestCertificate.ca("CA");
    Path certificate = dev.gatehouse.testing.TestCertificate.builder().localhostServer().issuedBy(ca).build().writeChain(directory.resolve("tls.crt"));
    Path key = dev.gatehouse.testing.TestCertificate.builder().localhostServer().issuedBy(ca).build().writeKey(directory.resolve("tls.key"));

    SidecarProcess sidecar =
        launch("--listen", "127.0.0.1:0", "--upstream", origin.uri(), "--htpasswd", htpasswd.toString(), "--tls-cert", certificate.toString(), "--tls-key", key.toString());

    assertThat(sidecar.exitStatus()).isEqualTo(2);
    assertThat(sidecar.stderr).singleElement().asString().startsWith("gatehouse: tls.private-key: ").contains("does not match the certificate");
  }

  @Test
  void missingHtpasswdExitsTwoWithOneLineNamingTheKey() throws Exception {
    SidecarProcess sidecar =
        launch("--listen", "127.0.0.1:0", "--upstream", origin.uri(), "--htpasswd", directory.resolve("missing").toString());

    assertThat(sidecar.exitStatus()).isEqualTo(2);
    assertThat(sidecar.stderr).singleElement().asString().startsWith("gatehouse: authentication.basic.htpasswd: no such file ");
  }

  @Test
  void unknownKeyInTheFileExitsTwoWithOneLineNamingTheKey() throws Exception {
    Path config =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            "upstream: %s\nauthentication:\n  basic:\n    htpasswd: %s\n    htpassword: typo\n".formatted(origin.uri(), htpasswd));

    SidecarProcess sidecar = launch("--config", config.toString());

    assertThat(sidecar.exitStatus()).isEqualTo(2);
    assertThat(sidecar.stderr).singleElement().asString().startsWith("gatehouse: ").contains("authentication.basic.htpassword");
  }

  @Test
  void portInUseExitsTwoWithOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      SidecarProcess sidecar =
          launch("--listen", "127.0.0.1:" + taken.getLocalPort(), "--upstream", origin.uri(), "--htpasswd", htpasswd.toString());

      assertThat(sidecar.exitStatus()).isEqualTo(2);
      assertThat(sidecar.stderr).containsExactly("gatehouse: listen: port " + taken.getLocalPort() + " is already in use");
    }
  }

  @Test
  void guardsTheOriginWith401ThenForwardsWithCredentials() throws Exception {
    SidecarProcess sidecar = launchGuardingOrigin();
    int port = Integer.parseInt(sidecar.awaitLine(LISTENING).group(1));

    HttpResponse<String> anonymous = client.send(request(port, "/hello").build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> authenticated =
        client.send(
            request(port, "/hello").header("Authorization", RawHttp.basic("bcrypt-user", "bcrypt secret")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Restricted\", charset=\"UTF-8\"");
    assertThat(authenticated.statusCode()).isEqualTo(200);
    assertThat(authenticated.body()).isEqualTo("hello from origin\n");
    assertThat(origin.next().header("X-Forwarded-User")).containsExactly("bcrypt-user");
    assertThat(origin.received).isEmpty();
  }

  private static boolean refusesConnectionsWithin(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
      } catch (ConnectException e) {
        return true;
      } catch (IOException e) {
        // Another failure (a reset, a timeout) is not the refusal we are waiting for; try again.
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return false;
  }

  @Test
  void sigtermLetsTheInFlightRequestFinishThenExitsZero() throws Exception {
    SidecarProcess sidecar = launchGuardingOrigin();
    int port = Integer.parseInt(sidecar.awaitLine(LISTENING).group(1));
    CompletableFuture<HttpResponse<String>> inFlight =
        client.sendAsync(
            request(port, "/slow").header("Authorization", RawHttp.basic("bcrypt-user", "bcrypt secret")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(origin.slowStarted.await(30, TimeUnit.SECONDS)).as("request reached the origin").isTrue();

    // SIGTERM, as Process.destroy() sends, but through the handle: Process.destroy() also closes our end of stdout.
    assertThat(sidecar.process.toHandle().destroy()).isTrue();
    sidecar.awaitLine(Pattern.compile("SIGTERM: draining"));
    // Draining: new connections are refused while the one in flight is still open. The log line is written just
    // before the connector closes, so allow it a moment (bounded) to do so.
    assertThat(refusesConnectionsWithin(port, Duration.ofSeconds(10))).as("new connections refused while draining").isTrue();
    assertThat(inFlight).isNotDone();
    origin.release.countDown();

    HttpResponse<String> response = inFlight.get(30, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("slow done\n");
    assertThat(sidecar.exitStatus()).isZero();
  }

  private static final Pattern ADMIN = Pattern.compile("admin listener on http://127\\.0\\.0\\.1:(\\d+) ");

  private HttpResponse<String> readyz(int adminPort) throws Exception {
    return client.send(request(adminPort, "/readyz").timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void sigtermDrainsAContinuousClientWithoutAFailedRequestAndExitsZero() throws Exception {
    SidecarProcess sidecar =
        launch(
            "--listen", "127.0.0.1:0", "--upstream", origin.uri(), "--htpasswd", htpasswd.toString(), "--admin", "127.0.0.1:0",
            "--drain-delay", "3", "--shutdown-timeout", "20");
    int port = Integer.parseInt(sidecar.awaitLine(LISTENING).group(1));
    int adminPort = Integer.parseInt(sidecar.awaitLine(ADMIN).group(1));
    assertThat(readyz(adminPort).statusCode()).isEqualTo(200);

    // A client that sends one request after another on its keep-alive connections, reconnecting when told to close.
    java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger succeeded = new java.util.concurrent.atomic.AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    HttpRequest hello = request(port, "/hello").header("Authorization", RawHttp.basic("bcrypt-user", "bcrypt secret")).build();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Thread thread =
          new Thread(
              () -> {
                while (sending.get()) {
                  try {
                    HttpResponse<String> response = client.send(hello, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200 && response.body().equals("hello from origin\n")) {
                      succeeded.incrementAndGet();
                    } else {
                      failures.add(response.statusCode() + " " + response.body());
                    }
                  } catch (Exception e) {
                    failures.add(e.toString());
                  }
                }
              });
      thread.start();
      clients.add(thread);
    }
    Thread.sleep(500);
    int beforeSignal = succeeded.get();

    assertThat(sidecar.process.toHandle().destroy()).isTrue();
    sidecar.awaitLine(Pattern.compile("SIGTERM: draining"));
    // Not ready at once, while still serving: the load balancer's cue to stop sending here.
    HttpResponse<String> draining = readyz(adminPort);
    assertThat(draining.statusCode()).isEqualTo(503);
    assertThat(draining.body()).isEqualTo("draining\n");
    Thread.sleep(1500);
    // A request still in flight when the delay ends must finish.
    CompletableFuture<HttpResponse<String>> inFlight =
        client.sendAsync(request(port, "/slow").header("Authorization", RawHttp.basic("bcrypt-user", "bcrypt secret")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(origin.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
    int duringDelay = succeeded.get();
    // The clients stop before the delay ends, as they would once the endpoint is gone.
    sending.set(false);
    for (Thread thread : clients) {
      thread.join(10_000);
    }

    assertThat(failures).isEmpty();
    assertThat(beforeSignal).isPositive();
    assertThat(duringDelay).as("served during the drain delay").isGreaterThan(beforeSignal);
    assertThat(refusesConnectionsWithin(port, Duration.ofSeconds(10))).as("listener closed after the delay").isTrue();
    origin.release.countDown();
    assertThat(inFlight.get(30, TimeUnit.SECONDS).body()).isEqualTo("slow done\n");
    assertThat(sidecar.exitStatus()).isZero();
  }

  @Test
  void withJsonLoggingEveryLineOfStandardOutputIsAJsonObject() throws Exception {
    SidecarProcess sidecar =
        launch(
            "--listen", "127.0.0.1:0", "--upstream", origin.uri(), "--htpasswd", htpasswd.toString(), "--log-format", "json",
            "--access-log", "stdout", "--drain-delay", "0");
    int port = Integer.parseInt(sidecar.awaitLine(LISTENING).group(1));
    client.send(request(port, "/hello").header("X-Request-Id", "json-1").build(), HttpResponse.BodyHandlers.ofString());
    client.send(request(port, "/hello").header("Authorization", RawHttp.basic("bcrypt-user", "bcrypt secret")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(sidecar.process.toHandle().destroy()).isTrue();
    assertThat(sidecar.exitStatus()).isZero();
    Thread.sleep(200);
    List<String> lines = new ArrayList<>(sidecar.stdoutSeen);
    sidecar.stdout.drainTo(lines);

    List<java.util.Map<String, Object>> objects = new ArrayList<>();
    for (String line : lines) {
      objects.add(com.nimbusds.jose.util.JSONObjectUtils.parse(line));
    }
    // The start line, an audit line (the 401), two access lines, the drain lines.
    assertThat(objects).anySatisfy(o -> assertThat((String) o.get("message")).startsWith("gatehouse sidecar listening on"));
    assertThat(objects).anySatisfy(o -> assertThat(o).containsEntry("decision", "deny").containsEntry("status", 401L).containsEntry("request_id", "json-1"));
    assertThat(objects).filteredOn(o -> "ingress".equals(o.get("direction"))).hasSize(2);
    assertThat(objects).anySatisfy(o -> assertThat((String) o.get("message")).startsWith("SIGTERM: draining"));
  }
}
