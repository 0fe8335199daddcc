package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /readyz} against a real upstream socket that goes away and comes back, and through the start of a drain. */
class ReadinessTest {

  @TempDir Path directory;

  private final HttpClient client = HttpClient.newHttpClient();
  private GatehouseSidecar sidecar;
  private ServerSocket upstream;

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private ServerSocket listen(int port) throws Exception {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress("127.0.0.1", port));
    return socket;
  }

  private void startSidecar(int upstreamPort, Map<String, String> more) throws Exception {
    Map<String, String> overrides = new java.util.HashMap<>(more);
    overrides.put("listen", "127.0.0.1:0");
    overrides.put("admin", "127.0.0.1:0");
    overrides.put("upstream", "http://127.0.0.1:" + upstreamPort);
    overrides.put("authentication.basic.htpasswd", Fixtures.copy("formats.htpasswd", directory).toString());
    sidecar = GatehouseSidecar.start(ConfigLoader.load(Optional.empty(), overrides), Duration.ofSeconds(2));
  }

  private HttpResponse<String> readyz() throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/readyz")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls until the status is as wanted, for at most a few check intervals. */
  private HttpResponse<String> awaitStatus(int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    HttpResponse<String> response;
    do {
      response = readyz();
      if (response.statusCode() == status) {
        return response;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return response;
  }

  @Test
  void readinessFlipsWhenTheUpstreamGoesDownAndComesBack() throws Exception {
    upstream = listen(0);
    int port = upstream.getLocalPort();
    startSidecar(port, Map.of());

    assertThat(awaitStatus(200).body()).isEqualTo("ok\n");

    upstream.close();
    HttpResponse<String> down = awaitStatus(503);
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.body()).isEqualTo("upstream 127.0.0.1:" + port + ": connection refused\n");
    // Liveness is not readiness: the process still serves.
    assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/livez")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);

    upstream = listen(port);
    assertThat(awaitStatus(200).statusCode()).isEqualTo(200);
  }

  @Test
  void aScrapeStormCostsTheUpstreamAtMostOneConnectionASecond() throws Exception {
    upstream = listen(0);
    AtomicInteger accepted = new AtomicInteger();
    Thread acceptor =
        new Thread(
            () -> {
              while (!upstream.isClosed()) {
                try {
                  upstream.accept().close();
                  accepted.incrementAndGet();
                } catch (java.io.IOException e) {
                  return;
                }
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    startSidecar(upstream.getLocalPort(), Map.of());

    long start = System.nanoTime();
    int probes = 0;
    while (System.nanoTime() - start < Duration.ofMillis(1500).toNanos()) {
      assertThat(readyz().statusCode()).isEqualTo(200);
      probes++;
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    assertThat(probes).isGreaterThan(20);
    // One check at the first probe, then at most one a second.
    assertThat(accepted.get()).isBetween(1, (int) Math.ceil(seconds) + 1);
  }

  @Test
  void readinessIs503FromTheMomentADrainStarts() throws Exception {
    upstream = listen(0);
    startSidecar(upstream.getLocalPort(), Map.of("shutdown.drain-delay", "3s"));
    assertThat(awaitStatus(200).statusCode()).isEqualTo(200);

    Thread drain = new Thread(sidecar::drain);
    drain.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    HttpResponse<String> draining = readyz();
    while (draining.statusCode() != 503 && System.nanoTime() < deadline) {
      draining = readyz();
    }

    assertThat(draining.statusCode()).isEqualTo(503);
    assertThat(draining.body()).isEqualTo("draining\n");
    assertThat(drain.isAlive()).as("still in the drain delay").isTrue();
    drain.join(10_000);
  }

  @Test
  void anUnreachableUpstreamIsA502WithTheRequestIdAndCountedAsAConnectFailure() throws Exception {
    upstream = listen(0);
    int port = upstream.getLocalPort();
    upstream.close();
    startSidecar(port, Map.of());

    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.port() + "/x"))
                .header("Authorization", dev.gatehouse.testing.RawHttp.basic("bcrypt-user", "bcrypt secret"))
                .header("X-Request-Id", "down-1")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String metrics =
        client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("down-1");
    assertThat(metrics)
        .contains("gatehouse_upstream_failures_total{direction=\"ingress\",reason=\"connect\",route=\"\"} 1.0")
        .contains("gatehouse_upstream_failures_total{direction=\"ingress\",reason=\"timeout\",route=\"\"} 0.0")
        .contains("gatehouse_decisions_total{authn=\"basic\",decision=\"allow\"} 1.0");
  }
}
