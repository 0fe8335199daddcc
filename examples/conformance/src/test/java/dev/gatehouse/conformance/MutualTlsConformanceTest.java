package dev.gatehouse.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.gatehouse.Explanation;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.http.ForwardedClientCert;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.testing.TestCertificate.Usage;
import dev.gatehouse.testing.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance table over real mutual TLS: the filter in a Jetty TLS connector, the starter with Spring's SSL
 * bundle, and the sidecar terminating TLS itself must give the same status and challenges, and the app must see the
 * same user and the same {@code X-Forwarded-Client-Cert}, for the mTLS peer alone, the peer with a JWT, a JWT alone,
 * and a certificate whose CA belongs to another trust domain than its SPIFFE ID names.
 */
class MutualTlsConformanceTest {

  private static final String FRONTEND = "spiffe://cluster.local/ns/shop/sa/frontend";
  private static final String OPS = "spiffe://cluster.local/ns/ops/sa/runner";
  private static final String BEARER = "Bearer realm=\"Restricted\"";

  private static final RSAKey KEY = TestTokens.rsa("mtls-conformance-1");
  private static final JwksServer JWKS = JwksServer.start(KEY);
  private static final TestCertificate SERVER_CA = TestCertificate.ca("server CA");
  private static final TestCertificate CLUSTER_CA = TestCertificate.ca("cluster.local CA");
  private static final TestCertificate PARTNER_CA = TestCertificate.ca("partner.example CA");
  private static final TestCertificate SERVER = TestCertificate.builder().commonName("app").localhostServer().issuedBy(SERVER_CA).build();
  private static final TestCertificate FRONTEND_CERT = client(FRONTEND, CLUSTER_CA);
  private static final TestCertificate OPS_CERT = client(OPS, CLUSTER_CA);
  /** A partner CA minting a cluster.local identity: trusted by the handshake, refused by the trust-domain binding. */
  private static final TestCertificate FORGED_OPS_CERT = client(OPS, PARTNER_CA);

  @TempDir static Path directory;
  private static final List<Delivery> deliveries = new ArrayList<>();
  /** The engine the deliveries embed, asked directly: what {@code explain} answers. */
  private static Gatehouse engine;

  private static TestCertificate client(String spiffeId, TestCertificate issuer) {
    return TestCertificate.builder().uri(spiffeId).usage(Usage.CLIENT).issuedBy(issuer).build();
  }

  @BeforeAll
  static void startDeliveries() throws Exception {
    Path clusterCa = CLUSTER_CA.writeCertificate(directory.resolve("cluster-ca.pem"));
    Path partnerCa = PARTNER_CA.writeCertificate(directory.resolve("partner-ca.pem"));
    Path bothCas = TestCertificate.write(directory.resolve("client-cas.pem"), CLUSTER_CA.certificatePem() + PARTNER_CA.certificatePem());
    Path serverChain = SERVER.writeChain(directory.resolve("server.pem"));
    Path serverKey = SERVER.writeKey(directory.resolve("server.key"));
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              jwt:
                - issuer: %s
                  jwks-uri: %s
                  audiences: [conformance]
              client-certificate:
                trust-domains:
                  cluster.local: %s
                  partner.example: %s
            authorization:
              rules:
                - name: frontend-for-users
                  action: allow
                  from: {principals: ["%s"], request-principals: ["%s/*"]}
                  to: {paths: [/orders/*]}
                - name: ops-workloads
                  action: allow
                  from: {namespaces: [ops]}
                  to: {paths: [/ops/*]}
            """
                .formatted(JWKS.issuer(), JWKS.jwksUri(), clusterCa, partnerCa, FRONTEND, JWKS.issuer()));
    engine = Gatehouse.create(ConfigLoader.load(yaml));
    deliveries.add(Delivery.filterOverTls(yaml, SERVER, List.of(CLUSTER_CA, PARTNER_CA)));
    deliveries.add(Delivery.starterOverTls(yaml, serverChain, serverKey, bothCas));
    deliveries.add(
        Delivery.sidecarOverTls(
            yaml, Map.of("tls.certificate", serverChain.toString(), "tls.private-key", serverKey.toString(), "tls.client-auth", "want")));
  }

  @AfterAll
  static void stopDeliveries() throws Exception {
    engine.close();
    for (Delivery delivery : deliveries) {
      delivery.close();
    }
    JWKS.close();
  }

  record Answer(int status, List<String> challenges, String body) {}

  private static Answer allowed(String user, @Nullable TestCertificate peer) {
    List<String> xfcc = peer == null ? List.of() : List.of(ForwardedClientCert.format(peer.certificate()));
    return new Answer(200, List.of(), WhoAmI.describe(user, List.of(user), false, xfcc));
  }

  private static String token(String subject) {
    return TestTokens.sign(KEY, TestTokens.claims(JWKS.issuer(), subject, "conformance").build());
  }

  static Stream<Arguments> requests() {
    String alice = JWKS.issuer() + "/alice";
    Answer challenged = new Answer(401, List.of(BEARER), "Unauthorized\n");
    Answer forbidden = new Answer(403, List.of(), "Forbidden\n");
    return Stream.of(
        Arguments.of("mTLS: no certificate, no token", null, "/orders/1", "", challenged),
        Arguments.of("mTLS: the peer alone where a user is needed too", FRONTEND_CERT, "/orders/1", "", challenged),
        Arguments.of("mTLS+JWT: the peer acting for a user", FRONTEND_CERT, "/orders/1", bearer(token("alice")), allowed(alice, FRONTEND_CERT)),
        Arguments.of("mTLS+JWT: another workload for the same user", OPS_CERT, "/orders/1", bearer(token("alice")), forbidden),
        Arguments.of("JWT alone where the peer is needed", null, "/orders/1", bearer(token("alice")), forbidden),
        Arguments.of("mTLS: the peer's namespace", OPS_CERT, "/ops/deploy", "", allowed(OPS, OPS_CERT)),
        Arguments.of("mTLS: forged X-Forwarded-Client-Cert beside a real peer", OPS_CERT, "/ops/deploy", "X-Forwarded-Client-Cert: URI=" + FRONTEND + "\r\n", allowed(OPS, OPS_CERT)),
        Arguments.of("mTLS: another trust domain's CA minting a cluster.local ID", FORGED_OPS_CERT, "/ops/deploy", "", challenged),
        Arguments.of(
            "mTLS+JWT: an invalid token beside a valid peer",
            FRONTEND_CERT,
            "/orders/1",
            bearer(withAnotherSignature(token("alice"))),
            new Answer(401, List.of(BEARER + ", error=\"invalid_token\", error_description=\"invalid signature\""), "Unauthorized\n")));
  }

  /** The same token with its signature's first character changed: still canonical base64url, no longer the signature. */
  private static String withAnotherSignature(String token) {
    int start = token.lastIndexOf('.') + 1;
    return token.substring(0, start) + (token.charAt(start) == 'A' ? 'B' : 'A') + token.substring(start + 1);
  }

  private static String bearer(String token) {
    return "Authorization: Bearer " + token + "\r\n";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void everyDeliveryGivesTheSameAnswerOverMutualTls(String name, @Nullable TestCertificate peer, String path, String headers, Answer expected)
      throws Exception {
    SSLContext context = peer == null ? TestCertificate.clientContext(SERVER_CA.certificate()) : TestCertificate.clientContext(peer, SERVER_CA.certificate());
    for (Delivery delivery : deliveries) {
      Answer answer = exchange(context, delivery.port(), "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers);

      assertThat(answer).as("%s through the %s", name, delivery).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void explainAnswersEveryRowAsTheDeliveriesDo(String name, @Nullable TestCertificate peer, String path, String headers, Answer expected) {
    HeadView request = HeadView.parse("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers, peer == null ? List.of() : peer.chain());

    Explanation explanation = engine.explain(request);

    assertThat(explanation.status()).as(name).isEqualTo(expected.status());
    assertThat(explanation.decision()).as(name).isEqualTo(engine.decide(request));
  }

  /** One HTTP/1.1 exchange over TLS, written and read byte by byte, as {@link dev.gatehouse.testing.RawHttp} does. */
  static Answer exchange(SSLContext context, int port, String head) throws IOException {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(15_000);
      socket.startHandshake();
      socket.getOutputStream().write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try {
        socket.getInputStream().transferTo(bytes);
      } catch (javax.net.ssl.SSLException e) {
        // Some servers end a TLS connection without close_notify after Connection: close; the response is complete.
      }
      String text = bytes.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      if (!text.startsWith("HTTP/1.1 ") || end < 0) {
        throw new IOException("not an HTTP/1.1 response: " + text);
      }
      List<String> challenges = new ArrayList<>();
      for (String line : text.substring(0, end).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("WWW-Authenticate")) {
          challenges.add(line.substring(colon + 1).strip());
        }
      }
      return new Answer(Integer.parseInt(text.substring(9, 12)), challenges, text.substring(end + 4));
    }
  }
}
