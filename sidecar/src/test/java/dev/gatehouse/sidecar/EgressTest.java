package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.EgressConfig;
import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.config.EgressRoute;
import dev.gatehouse.config.EgressTlsConfig;
import dev.gatehouse.testing.RawHttp;
import dev.gatehouse.testing.TestCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The egress listener against a real remote HTTPS server that requires mTLS, with certificates generated here: what
 * the remote sees, what is refused before anything is sent, and a workload certificate swapped while calls run.
 */
class EgressTest {

  static final String REMOTE_ID = "spiffe://partner.example/ns/orders/sa/api";

  @TempDir Path dir;
  final TestCertificate partnerCa = TestCertificate.ca("Partner CA");
  final TestCertificate workloadCa = TestCertificate.ca("Workload CA");
  final TestCertificate remoteCertificate =
      TestCertificate.builder().commonName("orders").dns("orders.partner.example").uri(REMOTE_ID).usage(TestCertificate.Usage.SERVER).issuedBy(partnerCa).build();
  final List<EgressExchange> exchanges = new CopyOnWriteArrayList<>();
  final HttpClient app = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  Path caFile;
  Path workloadCrt;
  Path workloadKey;
  TestCertificate workload;
  RemoteHttps remote;
  EgressServer egress;

  @BeforeEach
  void setUp() throws Exception {
    caFile = partnerCa.writeCertificate(dir.resolve("partner-ca.pem"));
    workload = workload("app-1");
    workloadCrt = workload.writeChain(dir.resolve("tls.crt"));
    workloadKey = workload.writeKey(dir.resolve("tls.key"));
    remote = new RemoteHttps(remoteCertificate, workloadCa);
  }

  @AfterEach
  void tearDown() {
    if (egress != null) {
      egress.stop(Duration.ofSeconds(1));
    }
    remote.close();
  }

  TestCertificate workload(String name) {
    return TestCertificate.builder().commonName(name).uri("spiffe://cluster.local/ns/shop/sa/" + name).usage(TestCertificate.Usage.CLIENT).issuedBy(workloadCa).build();
  }

  EgressRoute orders(String serverName, List<String> peerIds) {
    return new EgressRoute(
        "orders",
        "/orders/",
        URI.create("https://127.0.0.1:" + remote.port() + "/api/"),
        List.of("GET", "POST"),
        Optional.of(new EgressTlsConfig(Optional.of(caFile), Optional.of(serverName), peerIds, Optional.of(workloadCrt), Optional.of(workloadKey))),
        Optional.empty());
  }

  EgressServer start(Duration reload, EgressRoute... routes) throws Exception {
    EgressConfig config = new EgressConfig(EgressConfig.parseListen("listen", "127.0.0.1:0"), List.of(routes));
    egress = new EgressServer(EgressRoutes.create(config, reload, Clock.systemUTC()), config.listen(), Duration.ofSeconds(5), LimitsConfig.DEFAULT_HEADER_TIMEOUT, exchanges::add);
    egress.start();
    return egress;
  }

  /** The exchanges, once {@code count} are recorded: the handler records one just after writing its response's end. */
  List<EgressExchange> exchangesOnceRecorded(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (exchanges.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return exchanges;
  }

  HttpResponse<String> get(String path) throws Exception {
    return app.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + egress.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void remoteSeesTheWorkloadCertificateWhenTheAppCallsPlainHttp() throws Exception {
    start(Duration.ZERO, orders("orders.partner.example", List.of(REMOTE_ID)));

    HttpResponse<String> response = get("/orders/v1/items?page=2");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("remote saw /api/v1/items?page=2");
    RemoteHttps.Received received = remote.received.poll(5, TimeUnit.SECONDS);
    assertThat(received.uri()).isEqualTo("/api/v1/items?page=2");
    assertThat(received.clientChain()).isNotEmpty();
    assertThat(received.clientChain().get(0)).isEqualTo(workload.certificate());
    assertThat(received.header("Host")).isEqualTo("127.0.0.1:" + remote.port());
    assertThat(exchangesOnceRecorded(1)).singleElement().satisfies(e -> {
      assertThat(e.route()).isEqualTo("orders");
      assertThat(e.status()).isEqualTo(200);
      assertThat(e.failure()).isEmpty();
    });
  }

  @Test
  void callsReuseAKeptAliveConnectionToTheRemote() throws Exception {
    start(Duration.ZERO, orders("orders.partner.example", List.of(REMOTE_ID)));

    for (int i = 0; i < 5; i++) {
      assertThat(get("/orders/v1/items").statusCode()).isEqualTo(200);
    }

    Set<Integer> ports = ConcurrentHashMap.newKeySet();
    remote.received.forEach(r -> ports.add(r.clientPort()));
    assertThat(remote.received).hasSize(5);
    assertThat(ports).hasSize(1);
  }

  @Test
  void identityAndHopByHopHeadersFromTheAppNeverReachTheRemote() throws Exception {
    start(Duration.ZERO, orders("orders.partner.example", List.of(REMOTE_ID)));

    RawHttp.Response response =
        RawHttp.exchange(
            egress.port(),
            "GET /orders/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-User: admin\r\nX-Gatehouse-Assertion: forged\r\nX-Forwarded-For: 10.0.0.1\r\n"
                + "Proxy-Authorization: Basic c2VjcmV0\r\nX-Private: named\r\nConnection: X-Private\r\nX-Kept: yes\r\n");

    assertThat(response.status()).isEqualTo(200);
    RemoteHttps.Received received = remote.received.poll(5, TimeUnit.SECONDS);
    assertThat(received.header("X-Forwarded-User")).isNull();
    assertThat(received.header("X-Gatehouse-Assertion")).isNull();
    assertThat(received.header("X-Forwarded-For")).isNull();
    assertThat(received.header("Proxy-Authorization")).isNull();
    assertThat(received.header("X-Private")).isNull();
    assertThat(received.header("X-Kept")).isEqualTo("yes");
  }

  @Test
  void remoteWithAnotherSpiffeIdGets502AndReceivesNoRequest() throws Exception {
    start(Duration.ZERO, orders("orders.partner.example", List.of("spiffe://partner.example/ns/orders/sa/other")));

    HttpResponse<String> response = get("/orders/v1/items");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("SPIFFE ID");
    assertThat(remote.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(exchangesOnceRecorded(1)).singleElement().satisfies(e -> assertThat(e.failure()).contains(EgressExchange.UpstreamFailure.TLS));
  }

  @Test
  void remoteWithAnotherHostNameGets502AndReceivesNoRequest() throws Exception {
    start(Duration.ZERO, orders("billing.partner.example", List.of()));

    HttpResponse<String> response = get("/orders/v1/items");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("does not match server-name");
    assertThat(remote.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void remoteWithoutTheHostNameVerifiedByIpGets502() throws Exception {
    // No server-name: the upstream's host, 127.0.0.1, is verified, and the remote's certificate does not name it.
    EgressRoute route =
        new EgressRoute(
            "orders", "/orders/", URI.create("https://127.0.0.1:" + remote.port() + "/api/"), List.of(),
            Optional.of(new EgressTlsConfig(Optional.of(caFile), Optional.empty(), List.of(), Optional.of(workloadCrt), Optional.of(workloadKey))), Optional.empty());
    start(Duration.ZERO, route);

    assertThat(get("/orders/a").statusCode()).isEqualTo(502);
    assertThat(remote.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void remoteNotChainingToTheRouteCaGets502AndReceivesNoRequest() throws Exception {
    Path otherCa = TestCertificate.ca("Other CA").writeCertificate(dir.resolve("other-ca.pem"));
    EgressRoute route =
        new EgressRoute(
            "orders", "/orders/", URI.create("https://127.0.0.1:" + remote.port() + "/api/"), List.of(),
            Optional.of(new EgressTlsConfig(Optional.of(otherCa), Optional.of("orders.partner.example"), List.of(), Optional.of(workloadCrt), Optional.of(workloadKey))),
            Optional.empty());
    start(Duration.ZERO, route);

    HttpResponse<String> response = get("/orders/a");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("not trusted");
    assertThat(remote.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void unknownRouteGets404AndNothingIsSent() throws Exception {
    start(Duration.ZERO, orders("orders.partner.example", List.of(REMOTE_ID)));

    assertThat(get("/billing/v1").statusCode()).isEqualTo(404);
    assertThat(get("/").statusCode()).isEqualTo(404);
    assertThat(get("/ordersx/v1").statusCode()).isEqualTo(404);

    assertThat(remote.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void dotSegmentsCannotEscapeThePrefix() throws Exception {
    EgressRoute admin =
        new EgressRoute("admin", "/admin/", URI.create("https://127.0.0.1:1/"), List.of(), Optional.empty(), Optional.empty());
    start(Duration.ZERO, orders("orders.partner.example", List.of(REMOTE_ID)));

    assertThat(RawHttp.exchange(egress.port(), "GET /orders/../admin HTTP/1.1\r\nHost: x\r\n").status()).isEqualTo(404);
    assertThat(RawHttp.exchange(egress.port(), "GET /orders/%2e%2e/admin HTTP/1.1\r\nHost: x\r\n").status()).isEqualTo(404);
    assertThat(RawHttp.exchange(egress.port(), "GET /orders/..%2fadmin HTTP/1.1\r\nHost: x\r\n").status()).isEqualTo(400);
    assertThat(RawHttp.exchange(egress.port(), "GET /orders/..;/admin HTTP/1.1\r\nHost: x\r\n").status()).isEqualTo(400);
    assertThat(RawHttp.exchange(egress.port(), "GET /orders/../../etc HTTP/1.1\r\nHost: x\r\n").status()).isEqualTo(400);
    assertThat(remote.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    // And a path that stays inside after canonicalisation is forwarded in its canonical form.
    assertThat(RawHttp.exchange(egress.port(), "GET /orders/a/../b HTTP/1.1\r\nHost: x\r\n").status()).isEqualTo(200);
    assertThat(remote.received.poll(5, TimeUnit.SECONDS).uri()).isEqualTo("/api/b");
    assertThat(admin.prefix()).isEqualTo("/admin/");
  }

  @Test
  void absoluteFormToAnUnlistedHostGets403AndToARouteHostIsRouted() throws Exception {
    start(Duration.ZERO, orders("orders.partner.example", List.of(REMOTE_ID)));

    RawHttp.Response foreign = RawHttp.exchange(egress.port(), "GET http://evil.example/steal HTTP/1.1\r\nHost: evil.example\r\n");
    RawHttp.Response otherPort = RawHttp.exchange(egress.port(), "GET http://127.0.0.1:1/api/x HTTP/1.1\r\nHost: 127.0.0.1:1\r\n");
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(otherPort.status()).isEqualTo(403);
    assertThat(remote.received.poll(300, TimeUnit.MILLISECONDS)).isNull();

    RawHttp.Response routed =
        RawHttp.exchange(egress.port(), "GET http://127.0.0.1:" + remote.port() + "/api/v1/items HTTP/1.1\r\nHost: 127.0.0.1:" + remote.port() + "\r\n");
    assertThat(routed.status()).isEqualTo(200);
    assertThat(remote.received.poll(5, TimeUnit.SECONDS).uri()).isEqualTo("/api/v1/items");
    RawHttp.Response outsideUpstreamPath =
        RawHttp.exchange(egress.port(), "GET http://127.0.0.1:" + remote.port() + "/admin HTTP/1.1\r\nHost: x\r\n");
    assertThat(outsideUpstreamPath.status()).isEqualTo(404);
  }

  @Test
  void connectIsRefused() throws Exception {
    start(Duration.ZERO, orders("orders.partner.example", List.of(REMOTE_ID)));

    RawHttp.Response response = RawHttp.exchange(egress.port(), "CONNECT 127.0.0.1:" + remote.port() + " HTTP/1.1\r\nHost: 127.0.0.1:" + remote.port() + "\r\n");

    assertThat(response.status()).isEqualTo(405);
    assertThat(remote.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void methodOutsideTheAllowListGets405() throws Exception {
    start(Duration.ZERO, orders("orders.partner.example", List.of(REMOTE_ID)));

    RawHttp.Response response = RawHttp.exchange(egress.port(), "DELETE /orders/v1/items/1 HTTP/1.1\r\nHost: x\r\n");

    assertThat(response.status()).isEqualTo(405);
    assertThat(response.head()).contains("allow: GET, POST");
    assertThat(remote.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void postBodyReachesTheRemote() throws Exception {
    start(Duration.ZERO, orders("orders.partner.example", List.of(REMOTE_ID)));

    HttpResponse<String> response =
        app.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + egress.port() + "/orders/v1/items")).POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(remote.received.poll(5, TimeUnit.SECONDS).body()).isEqualTo("{\"n\":1}");
  }

  @Test
  void workloadCertificateSwappedOnDiskWhileCallsRunFailsNoCall() throws Exception {
    remote.closeEachConnection = true; // every call a new handshake, so the swap is seen mid-run
    start(Duration.ofMillis(50), orders("orders.partner.example", List.of(REMOTE_ID)));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    ExecutorService callers = Executors.newFixedThreadPool(4);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      futures.add(callers.submit(() -> {
        while (running.get()) {
          try {
            HttpResponse<String> response = get("/orders/v1/items");
            if (response.statusCode() == 200) {
              ok.incrementAndGet();
            } else {
              failures.add(response.statusCode() + " " + response.body());
            }
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
      }));
    }
    List<TestCertificate> swapped = new ArrayList<>();
    for (int i = 2; i <= 4; i++) {
      Thread.sleep(300);
      TestCertificate next = workload("app-" + i);
      swapped.add(next);
      // As a cert-manager or SPIRE helper does: each file replaced by an atomic rename.
      Path crt = next.writeChain(dir.resolve("tls.crt.new"));
      Path key = next.writeKey(dir.resolve("tls.key.new"));
      Files.move(key, workloadKey, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.move(crt, workloadCrt, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    Thread.sleep(400);
    running.set(false);
    for (Future<?> future : futures) {
      future.get(10, TimeUnit.SECONDS);
    }
    callers.shutdown();

    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThan(20);
    Set<java.math.BigInteger> seen = ConcurrentHashMap.newKeySet();
    remote.received.forEach(r -> seen.add(r.clientChain().get(0).getSerialNumber()));
    assertThat(seen).contains(workload.certificate().getSerialNumber(), swapped.get(swapped.size() - 1).certificate().getSerialNumber());
  }
}
