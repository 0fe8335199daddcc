package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.testing.TestCertificate.Usage;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Mutual TLS in Spring Boot without a second TLS configuration: Spring's own SSL bundle and {@code
 * server.ssl.client-auth=need} make Tomcat verify the client certificate, and Gatehouse only reads the identity.
 */
class GatehouseStarterClientCertificateTest {

  private static final String SPIFFE_ID = "spiffe://cluster.local/ns/shop/sa/frontend";

  @TempDir Path directory;

  private final TestCertificate serverCa = TestCertificate.ca("server CA");
  private final TestCertificate clientCa = TestCertificate.ca("client CA");
  private ConfigurableApplicationContext application;
  private URI base;

  @BeforeEach
  void start() {
    TestCertificate server = TestCertificate.builder().commonName("app").localhostServer().issuedBy(serverCa).build();
    application =
        new SpringApplicationBuilder(Application.class)
            .properties(
                "server.address=127.0.0.1",
                "server.port=0",
                "spring.main.banner-mode=off",
                "spring.ssl.bundle.pem.server.keystore.certificate=file:" + server.writeChain(directory.resolve("tls.crt")),
                "spring.ssl.bundle.pem.server.keystore.private-key=file:" + server.writeKey(directory.resolve("tls.key")),
                "spring.ssl.bundle.pem.server.truststore.certificate=file:" + clientCa.writeCertificate(directory.resolve("client-ca.crt")),
                "server.ssl.bundle=server",
                "server.ssl.client-auth=need",
                "gatehouse.authentication.client-certificate.enabled=true")
            .run();
    // The property, not WebServerApplicationContext, whose package differs between Boot 3.5 and 4.x.
    int port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    base = URI.create("https://127.0.0.1:" + port + "/");
  }

  @AfterEach
  void stop() {
    application.close();
  }

  private HttpResponse<String> get(SSLContext context) throws Exception {
    return HttpClient.newBuilder()
        .sslContext(context)
        .connectTimeout(Duration.ofSeconds(5))
        .build()
        .send(HttpRequest.newBuilder(base.resolve("whoami")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void spiffeIdOfTheVerifiedClientCertificateIsTheRemoteUser() throws Exception {
    TestCertificate frontend = TestCertificate.builder().uri(SPIFFE_ID).usage(Usage.CLIENT).issuedBy(clientCa).build();

    HttpResponse<String> response = get(TestCertificate.clientContext(frontend, serverCa.certificate()));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(SPIFFE_ID + " CLIENT_CERT");
  }

  @Test
  void clientWithoutCertificateNeverGetsIn() {
    assertThatThrownBy(() -> get(TestCertificate.clientContext(serverCa.certificate()))).isInstanceOf(IOException.class);
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(WhoAmI.class)
  static class Application {}

  @RestController
  static class WhoAmI {
    @GetMapping("/whoami")
    String whoami(HttpServletRequest request) {
      return request.getRemoteUser() + " " + request.getAuthType();
    }
  }
}
