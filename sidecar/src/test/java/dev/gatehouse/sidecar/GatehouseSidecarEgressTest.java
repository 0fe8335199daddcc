package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import dev.gatehouse.testing.TestCertificate;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The egress listener and the credentials endpoint started by the sidecar from a YAML file, as an operator writes it. */
class GatehouseSidecarEgressTest {

  @TempDir Path dir;

  @Test
  void sidecarStartsEgressAndCredentialsFromItsConfigurationFile() throws Exception {
    TestCertificate partnerCa = TestCertificate.ca("Partner CA");
    TestCertificate workloadCa = TestCertificate.ca("Workload CA");
    TestCertificate remoteCertificate =
        TestCertificate.builder().dns("orders.partner.example").uri(EgressTest.REMOTE_ID).usage(TestCertificate.Usage.SERVER).issuedBy(partnerCa).build();
    TestCertificate workload = TestCertificate.builder().commonName("shop").usage(TestCertificate.Usage.CLIENT).issuedBy(workloadCa).build();
    Path htpasswd = Fixtures.copy("formats.htpasswd", dir);
    Path password = Files.writeString(dir.resolve("db-password"), "hunter2");
    Path socket = dir.resolve("credentials.sock");
    try (RemoteHttps remote = new RemoteHttps(remoteCertificate, workloadCa);
        TokenServer tokens = new TokenServer("shop", "client-secret")) {
      Files.writeString(dir.resolve("client-secret"), "client-secret\n");
      Path config = dir.resolve("gatehouse.yaml");
      Files.writeString(
          config,
          String.join(
              "\n",
              "listen: 127.0.0.1:0",
              "upstream: http://127.0.0.1:9",
              "authentication:",
              "  basic:",
              "    htpasswd: " + htpasswd,
              "egress:",
              "  listen: 127.0.0.1:0",
              "  routes:",
              "    - name: orders",
              "      prefix: /orders/",
              "      upstream: https://127.0.0.1:" + remote.port() + "/api/",
              "      methods: [GET, POST]",
              "      tls:",
              "        ca: " + partnerCa.writeCertificate(dir.resolve("partner-ca.pem")),
              "        server-name: orders.partner.example",
              "        peer-spiffe-ids: [" + EgressTest.REMOTE_ID + "]",
              "        client-certificate: " + workload.writeChain(dir.resolve("tls.crt")),
              "        client-key: " + workload.writeKey(dir.resolve("tls.key")),
              "      oauth2:",
              "        token-uri: " + tokens.tokenUri(),
              "        client-id: shop",
              "        client-secret-file: " + dir.resolve("client-secret"),
              "        scopes: [orders.read]",
              "        audience: orders",
              "credentials:",
              "  listen: unix:" + socket,
              "  allow-uids: [0]",
              "  items:",
              "    - {name: db-password, file: " + password + "}",
              "    - {name: orders-token, oauth2-route: orders}",
              ""));

      try (GatehouseSidecar sidecar = GatehouseSidecar.start(ConfigLoader.load(config), Duration.ofSeconds(1))) {
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.egressPort() + "/orders/v1/items")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        RemoteHttps.Received received = remote.received.poll(5, TimeUnit.SECONDS);
        assertThat(received.clientChain().get(0)).isEqualTo(workload.certificate());
        assertThat(received.header("Authorization")).isEqualTo("Bearer token-1");
        assertThat(credential(socket, "db-password")).startsWith("HTTP/1.1 200").endsWith("hunter2");
        assertThat(credential(socket, "orders-token")).startsWith("HTTP/1.1 200").endsWith("token-1");
      }
      assertThat(socket).doesNotExist();
    }
  }

  @Test
  void egressExchangesAreCountedByRouteAndDecisionAndWrittenToTheAccessLogWithoutQueryOrToken() throws Exception {
    TestCertificate partnerCa = TestCertificate.ca("Partner CA");
    TestCertificate workloadCa = TestCertificate.ca("Workload CA");
    TestCertificate remoteCertificate =
        TestCertificate.builder().dns("orders.partner.example").uri(EgressTest.REMOTE_ID).usage(TestCertificate.Usage.SERVER).issuedBy(partnerCa).build();
    TestCertificate workload = TestCertificate.builder().commonName("shop").usage(TestCertificate.Usage.CLIENT).issuedBy(workloadCa).build();
    Path htpasswd = Fixtures.copy("formats.htpasswd", dir);
    Path accessLog = dir.resolve("access.log");
    try (RemoteHttps remote = new RemoteHttps(remoteCertificate, workloadCa);
        TokenServer tokens = new TokenServer("shop", "client-secret")) {
      Files.writeString(dir.resolve("client-secret"), "client-secret\n");
      Path config =
          Files.writeString(
              dir.resolve("gatehouse.yaml"),
              String.join(
                  "\n",
                  "listen: 127.0.0.1:0",
                  "upstream: http://127.0.0.1:9",
                  "admin: 127.0.0.1:0",
                  "access-log: " + accessLog,
                  "authentication:",
                  "  basic:",
                  "    htpasswd: " + htpasswd,
                  "egress:",
                  "  listen: 127.0.0.1:0",
                  "  routes:",
                  "    - name: orders",
                  "      prefix: /orders/",
                  "      upstream: https://127.0.0.1:" + remote.port() + "/api/",
                  "      methods: [GET]",
                  "      tls:",
                  "        ca: " + partnerCa.writeCertificate(dir.resolve("partner-ca.pem")),
                  "        server-name: orders.partner.example",
                  "        client-certificate: " + workload.writeChain(dir.resolve("tls.crt")),
                  "        client-key: " + workload.writeKey(dir.resolve("tls.key")),
                  "      oauth2:",
                  "        token-uri: " + tokens.tokenUri(),
                  "        client-id: shop",
                  "        client-secret-file: " + dir.resolve("client-secret"),
                  ""));
      String scrape;
      try (GatehouseSidecar sidecar = GatehouseSidecar.start(ConfigLoader.load(config), Duration.ofSeconds(1))) {
        int port = sidecar.egressPort();
        assertThat(RawHttp.exchange(port, "GET /orders/v1/items?api_key=query-secret HTTP/1.1\r\nHost: x\r\nX-Request-Id: app-1\r\nUser-Agent: shop/1\r\n").status()).isEqualTo(200);
        assertThat(RawHttp.exchange(port, "DELETE /orders/v1/items HTTP/1.1\r\nHost: x\r\n").status()).isEqualTo(405);
        assertThat(RawHttp.exchange(port, "GET /nowhere HTTP/1.1\r\nHost: x\r\n").status()).isEqualTo(404);
        assertThat(RawHttp.exchange(port, "GET http://elsewhere.example/x HTTP/1.1\r\nHost: elsewhere.example\r\n").status()).isEqualTo(403);
        // An exchange is counted just after its response's end is written: scrape until all four are.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        do {
          scrape =
              HttpClient.newHttpClient()
                  .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                  .body();
        } while (!scrape.contains("gatehouse_egress_requests_total{decision=\"deny\",route=\"-\"} 1.0") && System.nanoTime() < deadline);
      }

      OperationsTest.Scrape parsed = OperationsTest.Scrape.parse(scrape);
      assertThat(parsed.value("gatehouse_egress_requests_total", "decision", "allow", "route", "orders")).isEqualTo(1.0);
      assertThat(parsed.value("gatehouse_egress_requests_total", "decision", "deny", "route", "orders")).isEqualTo(1.0);
      assertThat(parsed.value("gatehouse_egress_requests_total", "decision", "reject", "route", "-")).isEqualTo(1.0);
      assertThat(parsed.value("gatehouse_egress_requests_total", "decision", "deny", "route", "-")).isEqualTo(1.0);
      assertThat(parsed.value("gatehouse_upstream_request_duration_seconds_count", "direction", "egress", "route", "orders")).isEqualTo(1.0);
      assertThat(parsed.value("gatehouse_upstream_failures_total", "direction", "egress", "reason", "tls", "route", "orders")).isZero();
      assertThat(parsed.value("gatehouse_upstream_request_duration_seconds_count", "direction", "ingress", "route", "")).isZero();

      List<String> lines = Files.readAllLines(accessLog, StandardCharsets.UTF_8);
      assertThat(lines).hasSize(4);
      Map<String, Object> routed = JSONObjectUtils.parse(lines.get(0));
      assertThat(routed)
          .containsEntry("direction", "egress")
          .containsEntry("route", "orders")
          .containsEntry("request_id", "app-1")
          .containsEntry("method", "GET")
          .containsEntry("path", "/orders/v1/items")
          .containsEntry("status", 200L)
          .containsEntry("decision", "allow")
          .containsEntry("user_agent", "shop/1");
      assertThat(((Number) routed.get("upstream_ms")).doubleValue()).isPositive();
      assertThat(JSONObjectUtils.parse(lines.get(1))).containsEntry("status", 405L).containsEntry("decision", "deny").containsEntry("route", "orders");
      assertThat(JSONObjectUtils.parse(lines.get(2))).containsEntry("status", 404L).containsEntry("decision", "reject").containsEntry("route", "-");
      assertThat(JSONObjectUtils.parse(lines.get(3))).containsEntry("status", 403L).containsEntry("decision", "deny").containsEntry("path", "/x");
      for (String line : lines) {
        assertThat(line).doesNotContain("query-secret").doesNotContain("token-1").doesNotContain("client-secret").doesNotContain("Bearer");
      }
    }
  }

  @Test
  void egressListenerHoldsAppsToTheConfiguredRequestHeadDeadline() throws Exception {
    Path htpasswd = Fixtures.copy("formats.htpasswd", dir);
    Path config =
        Files.writeString(
            dir.resolve("gatehouse.yaml"),
            "listen: 127.0.0.1:0\nupstream: http://127.0.0.1:9\nlimits: {header-timeout: 1s}\nauthentication: {basic: {htpasswd: " + htpasswd + "}}\n"
                + "egress:\n  listen: 127.0.0.1:0\n  routes:\n    - {name: orders, prefix: /orders/, upstream: 'https://127.0.0.1:9/api/'}\n");
    try (GatehouseSidecar sidecar = GatehouseSidecar.start(ConfigLoader.load(config), Duration.ofSeconds(1));
        java.net.Socket app = new java.net.Socket("127.0.0.1", sidecar.egressPort())) {
      app.setSoTimeout(10_000);
      long started = System.nanoTime();
      app.getOutputStream().write("GET /orders/x HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(app.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 408");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void egressListenOtherThanLoopbackOrUnixIsRefusedAtStart() throws Exception {
    Path htpasswd = Fixtures.copy("formats.htpasswd", dir);
    for (String listen : new String[] {"0.0.0.0:15001", "10.1.2.3:15001", "orders.example:15001", "unix:relative.sock"}) {
      Path config = Files.writeString(dir.resolve("bad.yaml"), "upstream: http://127.0.0.1:9\nauthentication: {basic: {htpasswd: " + htpasswd + "}}\negress: {listen: '" + listen + "'}\n");
      assertThatThrownBy(() -> ConfigLoader.load(config)).isInstanceOf(ConfigException.class).hasMessageContaining("egress.listen");
    }
  }

  static String credential(Path socket, String name) throws Exception {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap(("GET /v1/credentials/" + name + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      while (channel.read(buffer) > 0) {
        bytes.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
