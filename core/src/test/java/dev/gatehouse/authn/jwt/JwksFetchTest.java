package dev.gatehouse.authn.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.JwtIssuerConfig;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.testing.TestTokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jwks-ca} and {@code jwks-proxy}: keys of an internal issuer, served over HTTPS with a certificate from a
 * private CA, fetched directly or through an HTTP proxy's CONNECT tunnel — all real servers on 127.0.0.1.
 */
class JwksFetchTest {

  private static final RSAKey KEY = TestTokens.rsa("internal-1");
  private static final String ISSUER = "https://idp.internal.example";

  @TempDir Path dir;

  private final TestCertificate ca = TestCertificate.ca("Internal CA");
  private final TestCertificate otherCa = TestCertificate.ca("Other CA");
  private final HttpsServer jwks = httpsJwks(TestCertificate.builder().issuedBy(ca).localhostServer().build());
  private final List<JwtAuthenticator> authenticators = new CopyOnWriteArrayList<>();
  private ConnectProxy proxy;

  @AfterEach
  void stop() throws IOException {
    authenticators.forEach(JwtAuthenticator::close);
    jwks.stop(0);
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void keysFromAnIssuerSignedByThePrivateCaAreTrustedWithJwksCa() {
    JwtAuthenticator authenticator = authenticator(issuer().jwksCa(pem(ca)).build());

    assertThat(bearer(authenticator)).isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void withoutJwksCaTheJdkTrustStoreRefusesThePrivateCaAndEveryTokenIs401() {
    JwtAuthenticator authenticator = authenticator(issuer().build());

    assertThat(bearer(authenticator)).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void aJwksCaOfAnotherAuthorityDoesNotTrustTheIssuer() {
    JwtAuthenticator authenticator = authenticator(issuer().jwksCa(pem(otherCa)).build());

    assertThat(bearer(authenticator)).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void keysAreFetchedThroughTheJwksProxyInATunnel() throws IOException {
    proxy = new ConnectProxy();
    JwtAuthenticator authenticator =
        authenticator(issuer().jwksCa(pem(ca)).jwksProxy(URI.create("http://127.0.0.1:" + proxy.port())).build());

    assertThat(bearer(authenticator)).isInstanceOf(AuthenticationResult.Success.class);
    assertThat(proxy.connects).containsExactly("CONNECT localhost:" + jwks.getAddress().getPort() + " HTTP/1.1");
  }

  @Test
  void aJwksProxyThatIsDownMeansNoKeysAndA401() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    JwtAuthenticator authenticator =
        authenticator(issuer().jwksCa(pem(ca)).jwksProxy(URI.create("http://127.0.0.1:" + closedPort)).build());

    assertThat(bearer(authenticator)).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void jwksCaThatHoldsNoCertificateIsRefusedNamingItsKey() throws IOException {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");

    assertThatThrownBy(() -> JwtAuthenticator.create(List.of(issuer().jwksCa(notPem).build()), "Restricted"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("authentication.jwt[0].jwks-ca: ")
        .hasMessageContaining("no certificate");
  }

  @Test
  void jwksCaAndJwksProxyAreReadFromTheFileAndCheckedThere() throws IOException {
    Path caFile = pem(ca);
    Map<String, String> base =
        Map.of("authentication.jwt.0.issuer", ISSUER, "authentication.jwt.0.jwks-uri", ISSUER + "/jwks.json", "authentication.jwt.0.jwks-ca", caFile.toString());

    JwtIssuerConfig issuer = ConfigLoader.load(Optional.empty(), with(base, "authentication.jwt.0.jwks-proxy", "http://proxy.internal:3128")).authentication().jwt().get(0);
    assertThat(issuer.jwksCa()).contains(caFile.toAbsolutePath().normalize());
    assertThat(issuer.jwksProxy()).contains(URI.create("http://proxy.internal:3128"));

    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), with(base, "authentication.jwt.0.jwks-proxy", "https://proxy.internal:3128")))
        .hasMessage("authentication.jwt[0].jwks-proxy: expected http://host:port, found https://proxy.internal:3128");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), with(base, "authentication.jwt.0.jwks-ca", "/nonexistent/ca.pem")))
        .hasMessage("authentication.jwt[0].jwks-ca: no such file /nonexistent/ca.pem");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    Optional.empty(),
                    Map.of(
                        "authentication.jwt.0.issuer", ISSUER,
                        "authentication.jwt.0.jwks-file", caFile.toString(),
                        "authentication.jwt.0.jwks-ca", caFile.toString())))
        .hasMessage("authentication.jwt[0].jwks-ca: only applies to keys fetched over the network (jwks-uri or discovery)");
  }

  private static Map<String, String> with(Map<String, String> base, String key, String value) {
    Map<String, String> all = new java.util.HashMap<>(base);
    all.put(key, value);
    return all;
  }

  private JwtIssuerConfig.Builder issuer() {
    return JwtIssuerConfig.builder(ISSUER).jwksUri(URI.create("https://localhost:" + jwks.getAddress().getPort() + "/jwks.json"));
  }

  private JwtAuthenticator authenticator(JwtIssuerConfig config) {
    JwtAuthenticator authenticator = JwtAuthenticator.create(List.of(config), JwksSources.DEFAULTS, Clock.systemUTC());
    authenticators.add(authenticator);
    return authenticator;
  }

  private static AuthenticationResult bearer(JwtAuthenticator authenticator) {
    String token = TestTokens.sign(KEY, TestTokens.claims(ISSUER, "alice", "orders").build());
    return authenticator.authenticate(FakeRequest.get("/").header("Authorization", "Bearer " + token));
  }

  private Path pem(TestCertificate authority) {
    return TestCertificate.write(dir.resolve("ca-" + authority.certificate().getSerialNumber() + ".pem"), authority.certificatePem());
  }

  private static HttpsServer httpsJwks(TestCertificate server) {
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry("server", server.privateKey(), "pw".toCharArray(), server.chain().toArray(X509Certificate[]::new));
      KeyManagerFactory keys = KeyManagerFactory.getInstance("NewSunX509");
      keys.init(keyStore, "pw".toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      https.setHttpsConfigurator(new HttpsConfigurator(context));
      https.createContext(
          "/jwks.json",
          exchange -> {
            byte[] body = new com.nimbusds.jose.jwk.JWKSet(KEY).toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      https.start();
      return https;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HTTP proxy that only tunnels (CONNECT), as a corporate egress proxy does for HTTPS; it records each request line. */
  private static final class ConnectProxy implements AutoCloseable {
    final List<String> connects = new CopyOnWriteArrayList<>();
    private final ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    private final Thread acceptor = new Thread(this::accept, "connect-proxy");

    ConnectProxy() throws IOException {
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          Thread tunnel = new Thread(() -> tunnel(client), "connect-proxy-tunnel");
          tunnel.setDaemon(true);
          tunnel.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void tunnel(Socket client) {
      try (client) {
        InputStream in = client.getInputStream();
        String head = readHead(in);
        String requestLine = head.substring(0, head.indexOf("\r\n"));
        connects.add(requestLine);
        String[] target = requestLine.split(" ")[1].split(":");
        try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(target[1]))) {
          client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          Thread up = new Thread(() -> pipe(in, upstream), "connect-proxy-up");
          up.setDaemon(true);
          up.start();
          upstream.getInputStream().transferTo(client.getOutputStream());
        }
      } catch (IOException | RuntimeException e) {
        // The client hung up; a test proxy has nothing to report.
      }
    }

    private static void pipe(InputStream in, Socket upstream) {
      try {
        in.transferTo(upstream.getOutputStream());
        upstream.shutdownOutput();
      } catch (IOException e) {
        // The tunnel closed.
      }
    }

    private static String readHead(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0 || head.length() > 8192) {
          throw new IOException("no request head");
        }
        head.append((char) b);
      }
      return head.toString();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
