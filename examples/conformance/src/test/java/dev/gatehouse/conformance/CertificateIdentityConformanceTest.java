package dev.gatehouse.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.conformance.MutualTlsConformanceTest.Answer;
import dev.gatehouse.http.ForwardedClientCert;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.testing.TestCertificate.Usage;
import dev.gatehouse.testing.TestTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, classes 1 and 4 over real mutual TLS, through the filter, the starter and the sidecar alike: which identity
 * a client certificate gives (a SPIFFE ID, {@code cn:<CN>}, or none at all for a SAN the JDK cannot parse or a
 * SPIFFE-looking CN), and request principals that stay apart when one issuer's URL is a prefix of another's.
 */
class CertificateIdentityConformanceTest {

  private static final String ADMIN = "spiffe://cluster.local/ns/ops/sa/admin";

  private static final RSAKey KEY = TestTokens.rsa("identity-conformance-1");
  private static final JwksServer JWKS = JwksServer.start(KEY);
  private static final String OUTER = JWKS.issuer();
  private static final String INNER = JWKS.issuer() + "/x";
  private static final TestCertificate SERVER_CA = TestCertificate.ca("server CA");
  private static final TestCertificate CLIENT_CA = TestCertificate.ca("client CA");
  private static final TestCertificate SERVER = TestCertificate.builder().commonName("app").localhostServer().issuedBy(SERVER_CA).build();

  private static final TestCertificate ADMIN_CERT = client().uri(ADMIN).build();
  private static final TestCertificate BATCH_CERT = client().commonName("batch-job").build();
  private static final TestCertificate SPIFFE_IN_CN = client().commonName(ADMIN).build();
  /** The JDK cannot parse this SAN and drops it: the CN would name the caller, were the SAN not read by Gatehouse. */
  private static final TestCertificate HIDDEN_SAN = client().commonName("batch-job").rawUri((ADMIN + " ").getBytes(StandardCharsets.US_ASCII)).build();
  private static final TestCertificate TRAILING_DOT = client().commonName("batch-job").rawUri("spiffe://cluster.local./ns/ops/sa/admin".getBytes(StandardCharsets.US_ASCII)).build();
  private static final TestCertificate NO_WORKLOAD = client().commonName("batch-job").uri("spiffe://cluster.local").build();

  @TempDir static Path directory;
  private static final List<Delivery> deliveries = new ArrayList<>();
  private static Gatehouse engine;

  private static TestCertificate.Builder client() {
    return TestCertificate.builder().usage(Usage.CLIENT).issuedBy(CLIENT_CA);
  }

  @BeforeAll
  static void startDeliveries() throws Exception {
    Path clientCa = CLIENT_CA.writeCertificate(directory.resolve("client-ca.pem"));
    Path serverChain = SERVER.writeChain(directory.resolve("server.pem"));
    Path serverKey = SERVER.writeKey(directory.resolve("server.key"));
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              jwt:
                - {issuer: "%1$s", jwks-uri: "%3$s"}
                - {issuer: "%2$s", jwks-uri: "%3$s"}
              client-certificate:
                allow-common-names: true
            authorization:
              rules:
                - name: not-inner-y
                  action: deny
                  from: {request-principals: ["%2$s/y"]}
                - name: admin
                  action: allow
                  from: {principals: ["%4$s"]}
                  to: {paths: [/admin/*]}
                - name: batch
                  action: allow
                  from: {principals: ["cn:batch-job"]}
                  to: {paths: [/batch/*]}
                - name: users
                  action: allow
                  from: {request-principals: ["*"]}
                  to: {paths: [/orders/*]}
            """
                .formatted(OUTER, INNER, JWKS.jwksUri(), ADMIN));
    engine = Gatehouse.create(ConfigLoader.load(yaml));
    deliveries.add(Delivery.filterOverTls(yaml, SERVER, List.of(CLIENT_CA)));
    deliveries.add(Delivery.starterOverTls(yaml, serverChain, serverKey, clientCa));
    deliveries.add(
        Delivery.sidecarOverTls(
            yaml,
            Map.of(
                "tls.certificate", serverChain.toString(), "tls.private-key", serverKey.toString(), "tls.client-ca", clientCa.toString(), "tls.client-auth", "want")));
  }

  @AfterAll
  static void stopDeliveries() throws Exception {
    engine.close();
    for (Delivery delivery : deliveries) {
      delivery.close();
    }
    JWKS.close();
  }

  private static Answer allowed(String user, TestCertificate peer) {
    List<String> xfcc = peer == null ? List.of() : List.of(ForwardedClientCert.format(peer.certificate()));
    return new Answer(200, List.of(), WhoAmI.describe(user, List.of(user), false, xfcc));
  }

  private static String bearer(String issuer, String subject) {
    return "Authorization: Bearer " + TestTokens.sign(KEY, TestTokens.claims(issuer, subject, "any").build()) + "\r\n";
  }

  static Stream<Arguments> requests() {
    Answer refused = new Answer(401, List.of("Bearer realm=\"Restricted\""), "Unauthorized\n");
    Answer forbidden = new Answer(403, List.of(), "Forbidden\n");
    return Stream.of(
        Arguments.of("a SPIFFE ID names the peer", ADMIN_CERT, "/admin/x", "", allowed(ADMIN, ADMIN_CERT)),
        Arguments.of("a CN names the peer as cn:<CN>", BATCH_CERT, "/batch/run", "", allowed("cn:batch-job", BATCH_CERT)),
        Arguments.of("a CN is never a SPIFFE ID", SPIFFE_IN_CN, "/admin/x", "", refused),
        Arguments.of("a URI SAN the JDK cannot parse refuses, never falls back to the CN", HIDDEN_SAN, "/batch/run", "", refused),
        Arguments.of("a trust domain with a trailing dot refuses", TRAILING_DOT, "/batch/run", "", refused),
        Arguments.of("a SPIFFE ID without a workload path refuses", NO_WORKLOAD, "/batch/run", "", refused),
        Arguments.of("the inner issuer's y is denied", ADMIN_CERT, "/orders/1", bearer(INNER, "y"), forbidden),
        Arguments.of(
            "the outer issuer's x/y is not the inner issuer's y", ADMIN_CERT, "/orders/1", bearer(OUTER, "x/y"), allowed(OUTER + "/x%2Fy", ADMIN_CERT)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void everyDeliveryNamesTheCallerAlike(String name, TestCertificate peer, String path, String headers, Answer expected) throws Exception {
    SSLContext context = TestCertificate.clientContext(peer, SERVER_CA.certificate());
    for (Delivery delivery : deliveries) {
      Answer answer = MutualTlsConformanceTest.exchange(context, delivery.port(), "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers);

      assertThat(answer).as("%s through the %s", name, delivery).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void explainAnswersAsTheDeliveriesDo(String name, TestCertificate peer, String path, String headers, Answer expected) {
    HeadView request = HeadView.parse("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers, peer.chain());

    assertThat(engine.explain(request).status()).as(name).isEqualTo(expected.status());
  }
}
