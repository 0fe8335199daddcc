package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.http.ForwardedClientCert;
import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.testing.TestCertificate.Usage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sidecar's HTTPS listener end to end: real TLS clients, the sidecar in process, a real origin. */
class GatehouseSidecarTlsTest {

  private static final String SPIFFE_ID = "spiffe://cluster.local/ns/shop/sa/frontend";

  @TempDir Path directory;

  private final TestCertificate serverCa = TestCertificate.ca("server CA");
  private final TestCertificate clientCa = TestCertificate.ca("client CA");
  private final TestCertificate frontend =
      TestCertificate.builder().commonName("frontend").uri(SPIFFE_ID).dns("frontend.shop.svc").usage(Usage.CLIENT).issuedBy(clientCa).build();
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

  private TestCertificate serverCertificate(String name) {
    return TestCertificate.builder().commonName(name).localhostServer().issuedBy(serverCa).build();
  }

  /** Config with a server certificate at tls.crt/tls.key, mutual TLS as given, client certificate authentication. */
  private Map<String, String> config(String clientAuth) {
    TestCertificate server = serverCertificate("sidecar");
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("listen", "127.0.0.1:0");
    overrides.put("upstream", origin.uri());
    overrides.put("tls.certificate", server.writeChain(directory.resolve("server.crt")).toString());
    overrides.put("tls.private-key", server.writeKey(directory.resolve("server.key")).toString());
    if (!clientAuth.equals("none")) {
      overrides.put("tls.client-ca", clientCa.writeCertificate(directory.resolve("client-ca.crt")).toString());
      overrides.put("tls.client-auth", clientAuth);
    }
    overrides.put("authentication.client-certificate.enabled", "true");
    return overrides;
  }

  private void start(Map<String, String> overrides) {
    sidecar = GatehouseSidecar.start(ConfigLoader.load(java.util.Optional.empty(), overrides), Duration.ofSeconds(5));
  }

  private HttpClient client(SSLContext context, String... protocols) {
    HttpClient.Builder builder = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10));
    if (protocols.length > 0) {
      SSLParameters parameters = new SSLParameters();
      parameters.setProtocols(protocols);
      builder.sslParameters(parameters);
    }
    return builder.build();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + sidecar.port() + path)).timeout(Duration.ofSeconds(20));
  }

  @Test
  void validSpiffeClientReachesTheAppWithXfccUserAndProto() throws Exception {
    start(config("need"));

    HttpResponse<String> response =
        client(TestCertificate.clientContext(frontend, serverCa.certificate())).send(request("/orders").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.header("X-Forwarded-Client-Cert")).containsExactly(ForwardedClientCert.format(frontend.certificate()));
    assertThat(received.header("X-Forwarded-Client-Cert").get(0))
        .startsWith("Hash=")
        .contains(";Subject=\"CN=frontend\"", ";URI=" + SPIFFE_ID, ";DNS=frontend.shop.svc");
    assertThat(received.header("X-Forwarded-User")).containsExactly(SPIFFE_ID);
    assertThat(received.header("X-Forwarded-Proto")).containsExactly("https");
  }

  @Test
  void clientSentXfccNeverReachesTheApp() throws Exception {
    start(config("need"));
    HttpClient client = client(TestCertificate.clientContext(frontend, serverCa.certificate()));

    client.send(
        request("/")
            .header("X-Forwarded-Client-Cert", "Hash=00;URI=spiffe://cluster.local/ns/ops/sa/admin")
            .header("x_forwarded_client_cert", "Hash=11")
            .header("X-Forwarded-User", "admin")
            .build(),
        HttpResponse.BodyHandlers.ofString());

    Origin.Received received = origin.next();
    assertThat(received.header("X-Forwarded-Client-Cert")).containsExactly(ForwardedClientCert.format(frontend.certificate()));
    assertThat(received.foldedNames()).containsOnlyOnce("x-forwarded-client-cert");
    assertThat(received.header("X-Forwarded-User")).containsExactly(SPIFFE_ID);
  }

  @Test
  void clientSentXfccIsDroppedEvenWithoutAClientCertificate() throws Exception {
    Map<String, String> overrides = config("want");
    overrides.put("authentication.basic.htpasswd", dev.gatehouse.testing.Fixtures.copy("formats.htpasswd", directory).toString());
    start(overrides);

    HttpResponse<String> response =
        client(TestCertificate.clientContext(serverCa.certificate()))
            .send(
                request("/")
                    .header("Authorization", dev.gatehouse.testing.RawHttp.basic("bcrypt-user", "bcrypt secret"))
                    .header("X-Forwarded-Client-Cert", "Hash=00;URI=spiffe://cluster.local/ns/ops/sa/admin")
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.header("X-Forwarded-Client-Cert")).isEmpty();
    assertThat(received.header("X-Forwarded-User")).containsExactly("bcrypt-user");
  }

  @Test
  void adminListenerNeedsNoClientCertificateWhenTheMainListenerDemandsOne() throws Exception {
    Map<String, String> overrides = config("need");
    overrides.put("admin", "127.0.0.1:0");
    start(overrides);
    HttpClient plain = HttpClient.newHttpClient();

    HttpResponse<String> ready =
        plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> metrics =
        plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(ready.statusCode()).isEqualTo(200);
    long notAfter = sidecar.tlsStatus().orElseThrow().certificateNotAfter().getEpochSecond();
    assertThat(metrics.body())
        .contains("gatehouse_tls_certificate_expiry_timestamp_seconds{certificate=\"CN=sidecar\"} " + (double) notAfter)
        .contains("gatehouse_reloads_total{result=\"success\",source=\"tls\"} 0.0");
    // The main listener still refuses a client without a certificate.
    assertThatThrownBy(() -> client(TestCertificate.clientContext(serverCa.certificate())).send(request("/").build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void needRefusesAClientWithoutCertificate() {
    start(config("need"));

    assertThatThrownBy(() -> client(TestCertificate.clientContext(serverCa.certificate())).send(request("/").build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    assertThat(origin.received).isEmpty();
  }

  @Test
  void needRefusesAClientFromAnotherCa() {
    start(config("need"));
    TestCertificate impostor = TestCertificate.builder().uri(SPIFFE_ID).usage(Usage.CLIENT).issuedBy(TestCertificate.ca("client CA")).build();

    assertThatThrownBy(() -> client(TestCertificate.clientContext(impostor, serverCa.certificate())).send(request("/").build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    assertThat(origin.received).isEmpty();
  }

  @Test
  void wantLetsAnonymousClientsReachTheEngineWhichChallenges() throws Exception {
    start(config("want"));

    HttpResponse<String> response =
        client(TestCertificate.clientContext(serverCa.certificate())).send(request("/").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(origin.received).isEmpty();
  }

  @Test
  void tls11ClientIsRefused() {
    start(config("none"));

    assertThatThrownBy(() -> client(TestCertificate.clientContext(serverCa.certificate()), "TLSv1.1").send(request("/").build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void modernProfileRefusesTls12ClientAndServesTls13() throws Exception {
    Map<String, String> overrides = config("need");
    overrides.put("tls.profile", "modern");
    start(overrides);
    SSLContext context = TestCertificate.clientContext(frontend, serverCa.certificate());

    assertThatThrownBy(() -> client(context, "TLSv1.2").send(request("/").build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    HttpResponse<String> response = client(context, "TLSv1.3").send(request("/").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.sslSession()).hasValueSatisfying(session -> assertThat(session.getProtocol()).isEqualTo("TLSv1.3"));
  }

  @Test
  void clientInitiatedRenegotiationEndsTheConnection() throws Exception {
    start(config("need"));
    SSLContext context = TestCertificate.clientContext(frontend, serverCa.certificate());
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", sidecar.port())) {
      socket.setSoTimeout(10_000);
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      byte[] get = "GET / HTTP/1.1\r\nHost: app\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      socket.getOutputStream().write(get);
      String first = readResponse(socket.getInputStream());
      assertThat(first).startsWith("HTTP/1.1 200");
      origin.next();

      String second;
      try {
        socket.startHandshake();
        socket.getOutputStream().write(get);
        socket.getOutputStream().flush();
        second = new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
      } catch (IOException e) {
        second = "failed: " + e;
      }
      assertThat(second).as("answer after a renegotiation").doesNotStartWith("HTTP/1.1");
    }
    assertThat(origin.received).isEmpty();
  }

  @Test
  void http2IsNegotiatedByAlpnAndCarriesTheIdentity() throws Exception {
    start(config("need"));

    HttpResponse<String> response =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .sslContext(TestCertificate.clientContext(frontend, serverCa.certificate()))
            .build()
            .send(request("/h2").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(origin.next().header("X-Forwarded-User")).containsExactly(SPIFFE_ID);
  }

  @Test
  void http2AuthorityReachesTheRulesAndTheAppAsHost() throws Exception {
    // HTTP/2 has no Host header field: the client's host is the :authority pseudo-header.
    // The only allow rule names the host, so the request passes only if the rules saw it.
    Path rules = Files.writeString(directory.resolve("rules.yaml"), "authorization:\n  rules:\n    - {action: allow, to: {hosts: [127.0.0.1]}}\n");
    sidecar = GatehouseSidecar.start(ConfigLoader.load(java.util.Optional.of(rules), config("need")), Duration.ofSeconds(5));
    HttpClient h2 =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(TestCertificate.clientContext(frontend, serverCa.certificate())).build();

    HttpResponse<String> allowed = h2.send(request("/h2").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(allowed.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(allowed.statusCode()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.header("Host")).containsExactly("127.0.0.1:" + sidecar.port());
    assertThat(received.header("X-Forwarded-Host")).containsExactly("127.0.0.1:" + sidecar.port());
  }

  @Test
  void http11IsServedToClientsThatAskForIt() throws Exception {
    start(config("need"));

    HttpResponse<String> response =
        client(TestCertificate.clientContext(frontend, serverCa.certificate())).send(request("/").version(HttpClient.Version.HTTP_1_1).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void keyThatDoesNotMatchTheCertificateIsRefusedAtStartInOneLine() {
    Map<String, String> overrides = config("none");
    serverCertificate("other").writeKey(directory.resolve("server.key"));

    assertThatThrownBy(() -> start(overrides))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.private-key: ")
        .hasMessageContaining("does not match the certificate CN=sidecar")
        .hasMessageNotContaining("\n");
  }

  @Test
  void symlinkSwapChangesTheServedCertificateWithoutAFailedRequest() throws Exception {
    // Kubernetes Secret volume: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>, swapped by an atomic rename.
    TestCertificate first = serverCertificate("sidecar 1");
    Path firstDirectory = Files.createDirectory(directory.resolve("..2026_11_23_1"));
    first.writeChain(firstDirectory.resolve("tls.crt"));
    first.writeKey(firstDirectory.resolve("tls.key"));
    Files.createSymbolicLink(directory.resolve("..data"), firstDirectory.getFileName());
    Files.createSymbolicLink(directory.resolve("tls.crt"), Path.of("..data/tls.crt"));
    Files.createSymbolicLink(directory.resolve("tls.key"), Path.of("..data/tls.key"));
    Map<String, String> overrides = config("need");
    overrides.put("tls.certificate", directory.resolve("tls.crt").toString());
    overrides.put("tls.private-key", directory.resolve("tls.key").toString());
    start(overrides);
    assertThat(servedCertificate()).isEqualTo(first.certificate());

    // A client sends requests throughout, on new and reused connections alike.
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger succeeded = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    Thread steady =
        new Thread(
            () -> {
              int i = 0;
              HttpClient shared = client(TestCertificate.clientContext(frontend, serverCa.certificate()));
              while (running.get()) {
                // Every fifth request on a client of its own: a new connection and a full handshake.
                HttpClient client = i++ % 5 == 0 ? client(TestCertificate.clientContext(frontend, serverCa.certificate())) : shared;
                try {
                  HttpResponse<String> response = client.send(request("/steady").build(), HttpResponse.BodyHandlers.ofString());
                  (response.statusCode() == 200 ? succeeded : failed).incrementAndGet();
                } catch (Exception e) {
                  failed.incrementAndGet();
                  firstFailure.compareAndSet(null, e);
                }
              }
            },
            "steady-client");
    steady.start();

    TestCertificate second = serverCertificate("sidecar 2");
    Path secondDirectory = Files.createDirectory(directory.resolve("..2026_11_23_2"));
    second.writeChain(secondDirectory.resolve("tls.crt"));
    second.writeKey(secondDirectory.resolve("tls.key"));
    Files.createSymbolicLink(directory.resolve("..data_tmp"), secondDirectory.getFileName());
    Files.move(directory.resolve("..data_tmp"), directory.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

    long swapped = System.nanoTime();
    long deadline = swapped + TimeUnit.SECONDS.toNanos(15);
    X509Certificate served = servedCertificate();
    while (!served.equals(second.certificate()) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      served = servedCertificate();
    }
    long rotationMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - swapped);
    int atSwap = succeeded.get();
    while (succeeded.get() < atSwap + 20 && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(10)) {
      Thread.sleep(50);
    }
    running.set(false);
    steady.join(30_000);
    // A report, not an assertion: the poll interval is 2 s.
    System.out.printf("rotation: new certificate served %d ms after the swap; steady client %d ok, %d failed%n", rotationMillis, succeeded.get(), failed.get());

    assertThat(served).as("certificate served to new connections after the swap").isEqualTo(second.certificate());
    assertThat(failed.get()).as("failed requests; first: %s", firstFailure.get()).isZero();
    assertThat(succeeded.get()).isGreaterThan(atSwap);
    assertThat(sidecar.tlsStatus()).hasValueSatisfying(status -> {
      assertThat(status.reloadCount()).isEqualTo(1);
      assertThat(status.certificateSubject()).isEqualTo("CN=sidecar 2");
      assertThat(status.certificateNotAfter()).isEqualTo(second.certificate().getNotAfter().toInstant());
    });
  }

  /** Reads one response, with a Content-Length or a chunked body. */
  private static String readResponse(java.io.InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed in the response head");
      }
      head.append((char) c);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    if (length.find()) {
      return head + new String(in.readNBytes(Integer.parseInt(length.group(1))), java.nio.charset.StandardCharsets.US_ASCII);
    }
    // Chunked: read up to the last, empty chunk.
    StringBuilder body = new StringBuilder();
    while (!body.toString().endsWith("\r\n0\r\n\r\n") && !body.toString().equals("0\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed in the response body");
      }
      body.append((char) c);
    }
    return head.append(body).toString();
  }

  /** The certificate a brand-new client (no session to resume) is served. */
  private X509Certificate servedCertificate() throws Exception {
    HttpResponse<String> response =
        client(TestCertificate.clientContext(frontend, serverCa.certificate())).send(request("/probe").build(), HttpResponse.BodyHandlers.ofString());
    return (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
  }
}
