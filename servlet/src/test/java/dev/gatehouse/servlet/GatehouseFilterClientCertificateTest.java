package dev.gatehouse.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import dev.gatehouse.testing.TestCertificate.Usage;
import dev.gatehouse.testing.TestCertificate;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter behind a real Jetty 12 ee10 HTTPS connector with client certificates: the container verifies the chain
 * against its own trust store (Gatehouse configures no TLS here) and the filter names the caller from it.
 */
class GatehouseFilterClientCertificateTest {

  private static final String SPIFFE_ID = "spiffe://cluster.local/ns/shop/sa/frontend";

  @TempDir Path directory;

  private final TestCertificate serverCa = TestCertificate.ca("server CA");
  private final TestCertificate clientCa = TestCertificate.ca("client CA");
  private final AtomicInteger appCalls = new AtomicInteger();
  private Server server;
  private ServerConnector connector;
  private Gatehouse gatehouse;

  @BeforeEach
  void start() throws Exception {
    TestCertificate serverCertificate = TestCertificate.builder().commonName("app").localhostServer().issuedBy(serverCa).build();
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry("app", serverCertificate.privateKey(), "pw".toCharArray(), serverCertificate.chain().toArray(X509Certificate[]::new));
    KeyStore trustStore = KeyStore.getInstance("PKCS12");
    trustStore.load(null, null);
    trustStore.setCertificateEntry("client-ca", clientCa.certificate());

    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(keyStore);
    ssl.setKeyStorePassword("pw");
    ssl.setTrustStore(trustStore);
    ssl.setWantClientAuth(true);
    HttpConfiguration http = new HttpConfiguration();
    http.addCustomizer(new SecureRequestCustomizer(false));
    server = new Server();
    connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    server.addConnector(connector);

    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    gatehouse =
        Gatehouse.create(
            ConfigLoader.fromTree(Map.of("authentication", Map.of("client-certificate", Map.of(), "basic", Map.of("htpasswd", htpasswd.toString())))));
    ServletContextHandler context = new ServletContextHandler("/");
    context.addFilter(new FilterHolder(new GatehouseFilter(gatehouse)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new EchoServlet(appCalls)), "/*");
    server.setHandler(context);
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
    gatehouse.close();
  }

  private HttpResponse<String> get(SSLContext client, String... header) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + connector.getLocalPort() + "/whoami")).timeout(Duration.ofSeconds(20));
    if (header.length == 2) {
      request.header(header[0], header[1]);
    }
    return HttpClient.newBuilder().sslContext(client).version(HttpClient.Version.HTTP_1_1).build().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void spiffeClientCertificateVerifiedByTheContainerNamesTheCaller() throws Exception {
    TestCertificate frontend = TestCertificate.builder().uri(SPIFFE_ID).usage(Usage.CLIENT).issuedBy(clientCa).build();

    HttpResponse<String> response = get(TestCertificate.clientContext(frontend, serverCa.certificate()), "X-Forwarded-Client-Cert", "Hash=00");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("remoteUser: " + SPIFFE_ID + "\n", "principal: " + SPIFFE_ID + "\n", "authType: CLIENT_CERT\n")
        .contains("getHeaders.X-Forwarded-Client-Cert: [" + dev.gatehouse.http.ForwardedClientCert.format(frontend.certificate()) + "]\n");
  }

  @Test
  void commonNameNamesACallerWithoutSpiffeId() throws Exception {
    TestCertificate batch = TestCertificate.builder().commonName("batch-job").usage(Usage.CLIENT).issuedBy(clientCa).build();

    HttpResponse<String> response = get(TestCertificate.clientContext(batch, serverCa.certificate()));

    assertThat(response.body()).contains("remoteUser: cn:batch-job\n");
  }

  @Test
  void certificatesTheContainerAcceptsButNoClientMayUseAreRefused() throws Exception {
    // The container's JDK trust manager takes each of these; the engine's one certificate rule does not.
    TestCertificate subordinateCa =
        TestCertificate.builder().commonName("batch-job").ca().keyUsage(org.bouncycastle.asn1.x509.KeyUsage.keyCertSign | org.bouncycastle.asn1.x509.KeyUsage.digitalSignature)
            .issuedBy(clientCa).build();
    TestCertificate hiddenSan =
        TestCertificate.builder().commonName("batch-job").rawUri((SPIFFE_ID + " ").getBytes(java.nio.charset.StandardCharsets.US_ASCII)).usage(Usage.CLIENT)
            .issuedBy(clientCa).build();

    for (TestCertificate certificate : java.util.List.of(subordinateCa, hiddenSan)) {
      HttpResponse<String> response = get(TestCertificate.clientContext(certificate, serverCa.certificate()));

      assertThat(response.statusCode()).isEqualTo(401);
    }
    assertThat(appCalls).hasValue(0);
  }

  @Test
  void withAUserOnTopThePrincipalIsTheUserAndThePeerIsARequestAttribute() throws Exception {
    TestCertificate frontend = TestCertificate.builder().uri(SPIFFE_ID).usage(Usage.CLIENT).issuedBy(clientCa).build();

    HttpResponse<String> response =
        get(TestCertificate.clientContext(frontend, serverCa.certificate()), "Authorization", RawHttp.basic("bcrypt-user", "bcrypt secret"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("remoteUser: bcrypt-user\n", "principal: bcrypt-user\n", "peer: " + SPIFFE_ID + "\n")
        .contains("getHeaders.X-Forwarded-Client-Cert: [" + dev.gatehouse.http.ForwardedClientCert.format(frontend.certificate()) + "]\n");
  }

  @Test
  void theClientCertificateAloneIsBothPrincipalAndPeer() throws Exception {
    TestCertificate frontend = TestCertificate.builder().uri(SPIFFE_ID).usage(Usage.CLIENT).issuedBy(clientCa).build();

    HttpResponse<String> response = get(TestCertificate.clientContext(frontend, serverCa.certificate()));

    assertThat(response.body()).contains("principal: " + SPIFFE_ID + "\n", "peer: " + SPIFFE_ID + "\n");
  }

  @Test
  void aUserWithoutCertificateHasNoPeer() throws Exception {
    HttpResponse<String> response = get(TestCertificate.clientContext(serverCa.certificate()), "Authorization", RawHttp.basic("bcrypt-user", "bcrypt secret"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("remoteUser: bcrypt-user\n", "peer: null\n");
  }

  @Test
  void clientWithoutCertificateIsChallenged() throws Exception {
    HttpResponse<String> response = get(TestCertificate.clientContext(serverCa.certificate()));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(appCalls).hasValue(0);
  }
}
