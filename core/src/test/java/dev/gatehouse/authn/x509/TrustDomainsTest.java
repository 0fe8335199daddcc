package dev.gatehouse.authn.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.testing.TestCertificate.Usage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each trust domain's CAs mint identities in that domain only, as Envoy's SPIFFE validator requires. */
class TrustDomainsTest {

  private static final TestCertificate CLUSTER_CA = TestCertificate.ca("cluster.local CA");
  private static final TestCertificate PARTNER_CA = TestCertificate.ca("partner.example CA");

  @TempDir Path directory;
  private Gatehouse gatehouse;

  @BeforeEach
  void start() {
    gatehouse = Gatehouse.create(config(Map.of("cluster.local", CLUSTER_CA, "partner.example", PARTNER_CA)));
  }

  @AfterEach
  void stop() {
    gatehouse.close();
  }

  private GatehouseConfig config(Map<String, TestCertificate> domains) {
    // A tree, not dotted overrides: a dotted key would split the trust domain's name.
    Map<String, Object> trustDomains = new java.util.LinkedHashMap<>();
    domains.forEach((domain, ca) -> trustDomains.put(domain, ca.writeCertificate(directory.resolve(domain + ".pem")).toString()));
    return ConfigLoader.fromTree(Map.of("authentication", Map.of("client-certificate", Map.of("trust-domains", trustDomains))));
  }

  private Decision decide(TestCertificate client) {
    return gatehouse.decide(FakeRequest.get("/").secure(true).clientCertificates(client.chain()));
  }

  private static TestCertificate client(String spiffeId, TestCertificate issuer) {
    return TestCertificate.builder().uri(spiffeId).usage(Usage.CLIENT).issuedBy(issuer).build();
  }

  @Test
  void certificateFromItsOwnDomainsCaIsAllowed() {
    assertThat(decide(client("spiffe://cluster.local/ns/shop/sa/frontend", CLUSTER_CA))).isInstanceOf(Decision.Allow.class);
    assertThat(decide(client("spiffe://partner.example/billing", PARTNER_CA))).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void partnerCaMintingAClusterIdentityIsRefusedWith401() {
    Decision decision = decide(client("spiffe://cluster.local/ns/ops/sa/admin", PARTNER_CA));

    assertThat(decision)
        .isInstanceOfSatisfying(Decision.Challenge.class, challenge -> assertThat(challenge.reason()).contains("does not chain to a CA of trust domain cluster.local"));
  }

  @Test
  void certificateThroughAnIntermediateOfItsDomainIsAllowedAndOfAnotherRefused() {
    TestCertificate clusterIntermediate = TestCertificate.builder().commonName("cluster issuing CA").ca().issuedBy(CLUSTER_CA).build();
    TestCertificate partnerIntermediate = TestCertificate.builder().commonName("partner issuing CA").ca().issuedBy(PARTNER_CA).build();

    assertThat(decide(client("spiffe://cluster.local/ns/shop/sa/web", clusterIntermediate))).isInstanceOf(Decision.Allow.class);
    assertThat(decide(client("spiffe://cluster.local/ns/shop/sa/web", partnerIntermediate))).isInstanceOf(Decision.Challenge.class);
  }

  @Test
  void certificateWithoutSpiffeIdIsRefusedUnderTrustDomains() {
    TestCertificate cn = TestCertificate.builder().commonName("admin").usage(Usage.CLIENT).issuedBy(CLUSTER_CA).build();

    assertThat(decide(cn)).isInstanceOfSatisfying(Decision.Challenge.class, challenge -> assertThat(challenge.reason()).contains("no SPIFFE ID"));
  }

  @Test
  void spiffeIdOfAnUnconfiguredTrustDomainIsRefused() {
    assertThat(decide(client("spiffe://elsewhere.example/x", CLUSTER_CA)))
        .isInstanceOfSatisfying(Decision.Challenge.class, challenge -> assertThat(challenge.reason()).contains("is not one of [cluster.local, partner.example]"));
  }

  @Test
  void badTrustDomainConfigurationFailsAtStartNamingTheKey() {
    assertThatThrownBy(() -> ConfigLoader.fromTree(Map.of("authentication", Map.of("client-certificate", Map.of("trust-domains", Map.of("Cluster.Local", "x.pem"))))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("authentication.client-certificate.trust-domains.Cluster.Local: not a SPIFFE trust domain");
    assertThatThrownBy(() -> ConfigLoader.fromTree(Map.of("authentication", Map.of("client-certificate", Map.of("trust-domains", Map.of("cluster.local", directory.resolve("none.pem").toString()))))))
        .hasMessageStartingWith("authentication.client-certificate.trust-domains.cluster.local: no such file");
    Path notPem = TestCertificate.write(directory.resolve("not.pem"), "hello\n");
    GatehouseConfig config = ConfigLoader.fromTree(Map.of("authentication", Map.of("client-certificate", Map.of("trust-domains", Map.of("cluster.local", notPem.toString())))));
    assertThatThrownBy(() -> Gatehouse.create(config)).isInstanceOf(ConfigException.class).hasMessageStartingWith("authentication.client-certificate.trust-domains.cluster.local:");
  }

  @Test
  void sidecarTlsTrustsEveryDomainsCaWhenNoClientCaIsGiven() {
    TestCertificate server = TestCertificate.builder().localhostServer().issuedBy(CLUSTER_CA).build();
    Map<String, Object> tls =
        Map.of(
            "certificate", server.writeChain(directory.resolve("server.pem")).toString(),
            "private-key", server.writeKey(directory.resolve("server.key")).toString());
    Map<String, Object> trustDomains =
        Map.of(
            "cluster.local", CLUSTER_CA.writeCertificate(directory.resolve("c.pem")).toString(),
            "partner.example", PARTNER_CA.writeCertificate(directory.resolve("p.pem")).toString());

    GatehouseConfig config =
        ConfigLoader.fromTree(Map.of("tls", tls, "authentication", Map.of("client-certificate", Map.of("trust-domains", trustDomains))));

    assertThat(config.tls().orElseThrow().clientAuth()).isEqualTo(dev.gatehouse.config.TlsConfig.ClientAuth.NEED);
    assertThat(config.tls().orElseThrow().clientCaFiles()).hasSize(2);
    try (dev.gatehouse.tls.ServerTls serverTls = dev.gatehouse.tls.ServerTls.create(config.tls().orElseThrow(), java.time.Duration.ZERO)) {
      javax.net.ssl.X509ExtendedTrustManager trust = serverTls.trustManager().orElseThrow();
      assertThat(trust.getAcceptedIssuers()).containsExactlyInAnyOrder(CLUSTER_CA.certificate(), PARTNER_CA.certificate());
      TestCertificate stranger = client("spiffe://cluster.local/x", TestCertificate.ca("stranger CA"));
      assertThatThrownBy(() -> trust.checkClientTrusted(stranger.chain().toArray(java.security.cert.X509Certificate[]::new), "UNKNOWN"))
          .isInstanceOf(java.security.cert.CertificateException.class);
    }
  }
}
