package dev.gatehouse.authn.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Identity;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.config.ClientCertificateConfig;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.testing.TestCertificate.Usage;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Certificates an attacker (or a careless CA) can present, each of which must refuse the client rather than name it as
 * something else: SPIFFE-looking CNs, URI SANs the JDK cannot parse, invalid SPIFFE IDs, CA certificates and
 * intermediates restricted to other usages.
 */
class HostileClientCertificateTest {

  private static final TestCertificate CA = TestCertificate.ca("client CA");

  private final ClientCertificateAuthenticator authenticator = ClientCertificateAuthenticator.create(Clock.systemUTC());

  private static TestCertificate.Builder client() {
    return TestCertificate.builder().commonName("admin").usage(Usage.CLIENT).issuedBy(CA);
  }

  private AuthenticationResult authenticate(TestCertificate certificate) {
    return authenticator.authenticate(FakeRequest.get("/").clientCertificates(certificate.chain()));
  }

  /** The JDK's own PKIX trust manager over one anchor, as the TLS handshake runs it. */
  private static X509TrustManager jdkTrust(X509Certificate anchor) throws Exception {
    KeyStore anchors = KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    anchors.setCertificateEntry("ca", anchor);
    PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
    parameters.setRevocationEnabled(false);
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(new CertPathTrustManagerParameters(parameters));
    return (X509TrustManager) factory.getTrustManagers()[0];
  }

  private static void assertRefused(AuthenticationResult result, String reason) {
    assertThat(result).isInstanceOfSatisfying(AuthenticationResult.Failure.class, failure -> assertThat(failure.reason()).contains(reason));
  }

  @Test
  void commonNameIdentityIsNamedDistinctlyFromASpiffeId() {
    assertThat(authenticate(client().commonName("batch-job").build()))
        .isInstanceOfSatisfying(
            AuthenticationResult.Success.class,
            success -> {
              assertThat(success.identity().name()).isEqualTo("cn:batch-job");
              assertThat(success.identity().attribute(Identity.COMMON_NAME)).hasValue("batch-job");
              assertThat(success.identity().attribute(Identity.SPIFFE_ID)).isEmpty();
            });
  }

  @Test
  void commonNameIsRefusedWhenCommonNamesAreNotAllowed() {
    ClientCertificateAuthenticator spiffeOnly = ClientCertificateAuthenticator.create(new ClientCertificateConfig(Map.of(), false));

    assertRefused(spiffeOnly.authenticate(FakeRequest.get("/").clientCertificates(client().build().chain())), "common names are not allowed");
    assertThat(spiffeOnly.authenticate(FakeRequest.get("/").clientCertificates(client().uri("spiffe://cluster.local/ns/a/sa/b").build().chain())))
        .isInstanceOf(AuthenticationResult.Success.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spiffe://cluster.local/ns/ops/sa/admin",
        "SPIFFE://cluster.local/ns/ops/sa/admin",
        " spiffe://cluster.local/ns/ops/sa/admin",
        "x spiffe://cluster.local/ns/ops/sa/admin",
        "x/ns/ops/sa/admin"
      })
  void commonNameThatLooksLikeAnotherKindOfNameIsRefused(String commonName) {
    assertThat(authenticate(client().commonName(commonName).build())).isInstanceOf(AuthenticationResult.Failure.class);
  }

  /** URI SANs the JDK's parser gives up on, so that getSubjectAlternativeNames() would have none. */
  static Stream<String> unparsableUris() {
    return Stream.of(
        "spiffe://cluster.local/ns/ops/sa/admin x",
        "spiffe://cluster.local/ns/ops/sa/ad min",
        "spiffe://cluster.local/ns/ops/sa/admin\u0000",
        "spiffe://cluster.local/ns/ops/sa/admin\r\nX: y",
        "spiffe://cluster.local/ns/ops/sa/admin\n",
        "spiffe://cluster.local\t/ns/ops/sa/admin",
        "spiffe://cluster.local./ns/ops/sa/admin",
        "spiffe://" + "a".repeat(300) + "/ns/ops/sa/admin",
        "spiffe://" + "a.".repeat(200) + "local/x",
        "spiffe://cluster.local/ns/ops/sa/%zz",
        "spiffe://[cluster.local]/x",
        "https://exa mple.org/not-spiffe");
  }

  @ParameterizedTest
  @MethodSource("unparsableUris")
  void uriSanTheJdkCannotParseRefusesTheCertificateInsteadOfFallingBackToTheCn(String uri) {
    TestCertificate certificate = client().rawUri(uri.getBytes(StandardCharsets.ISO_8859_1)).build();

    assertThat(authenticate(certificate)).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void uriSanWithBytesOutsideAsciiIsRefused() {
    byte[] bytes = "spiffe://cluster.local/ns/ops/sa/admin\u00e9".getBytes(StandardCharsets.ISO_8859_1);

    assertRefused(authenticate(client().rawUri(bytes).build()), "URI SAN");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spiffe://cluster.local",
        "spiffe://cluster.local/",
        "spiffe://Cluster.local/ns/a/sa/b",
        "spiffe://cluster.local:443/ns/a/sa/b",
        "spiffe://u@cluster.local/ns/a/sa/b",
        "spiffe://cluster.local/ns/a/sa/b?x=1",
        "spiffe://cluster.local/ns/a/sa/b#f",
        "spiffe://cluster.local/ns/a/sa/b/",
        "spiffe://cluster.local/ns//sa/b",
        "spiffe://cluster.local/ns/./sa/b",
        "spiffe://cluster.local/ns/a/sa/..",
        "spiffe://cluster.local/ns/a%2Fb/sa/c",
        "spiffe://.cluster.local/ns/a/sa/b",
        "spiffe://cluster..local/ns/a/sa/b",
        "spiffe:cluster.local/ns/a/sa/b",
        "spiffe:/cluster.local/ns/a/sa/b"
      })
  void invalidSpiffeIdRefusesTheCertificate(String uri) {
    assertRefused(authenticate(client().uri(uri).build()), "SPIFFE");
  }

  @Test
  void spiffeIdLongerThan2048BytesIsRefused() {
    String uri = "spiffe://cluster.local/" + "a".repeat(2048);

    assertRefused(authenticate(client().uri(uri).build()), "SPIFFE");
  }

  @Test
  void secondSpiffeUriSanIsRefusedWhicheverComesFirst() {
    assertRefused(authenticate(client().uri("spiffe://cluster.local/ns/a/sa/b").uri("spiffe://cluster.local/ns/a/sa/b").build()), "exactly one");
    assertRefused(authenticate(client().uri("spiffe://cluster.local/ns/a/sa/b").uri("https://example.org/x").build()), "exactly one");
  }

  @Test
  void caCertificatePresentedAsTheClientIsRefused() {
    TestCertificate intermediate = TestCertificate.builder().commonName("admin").ca().issuedBy(CA).build();

    assertRefused(authenticate(intermediate), "is a CA certificate");
  }

  @Test
  void leafThatMaySignCertificatesIsRefused() {
    TestCertificate signer = client().keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign).build();

    assertRefused(authenticate(signer), "is a CA certificate");
  }

  @Test
  void leafUnderAnIntermediateWhoseUsageExcludesClientAuthIsRefused() {
    TestCertificate serversOnly = TestCertificate.builder().commonName("servers CA").ca().usage(Usage.SERVER).issuedBy(CA).build();
    TestCertificate clients = TestCertificate.builder().commonName("clients CA").ca().usage(Usage.CLIENT).issuedBy(CA).build();

    assertRefused(authenticate(client().issuedBy(serversOnly).build()), "without clientAuth");
    assertThat(authenticate(client().issuedBy(clients).build())).isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void uriNameConstraintIsNotBypassedByASanTheJdkCannotParse() throws Exception {
    // Constraints on an intermediate: the JDK applies none from a trust anchor's own certificate.
    TestCertificate constrained = TestCertificate.builder().commonName("cluster CA").ca().permittedUri("cluster.local").issuedBy(CA).build();
    TestCertificate outside = client().uri("spiffe://evil.example/ns/ops/sa/admin").issuedBy(constrained).build();
    TestCertificate hidden = client().rawUri("spiffe://evil.example/ns/ops/sa/admin ".getBytes(StandardCharsets.US_ASCII)).issuedBy(constrained).build();
    X509TrustManager trust = jdkTrust(CA.certificate());
    TestCertificate inside = client().uri("spiffe://cluster.local/ns/ops/sa/admin").issuedBy(constrained).build();
    trust.checkClientTrusted(inside.chain().toArray(X509Certificate[]::new), "EC");

    // The JDK enforces the constraint on a SAN it can read...
    assertThatThrownBy(() -> trust.checkClientTrusted(outside.chain().toArray(X509Certificate[]::new), "EC")).isInstanceOf(CertificateException.class);
    // ...but a SAN it cannot read is no SAN to it, and the chain passes the handshake: the identity must not.
    trust.checkClientTrusted(hidden.chain().toArray(X509Certificate[]::new), "EC");
    assertThat(hidden.certificate().getSubjectAlternativeNames()).isNull();
    assertThat(authenticate(inside)).isInstanceOf(AuthenticationResult.Success.class);
    assertThat(authenticate(hidden)).isInstanceOf(AuthenticationResult.Failure.class);
  }
}
