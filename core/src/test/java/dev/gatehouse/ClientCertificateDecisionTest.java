package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.http.ForwardedClientCert;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.testing.TestCertificate.Usage;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine with {@code authentication.client-certificate}: identity, XFCC and the 401 cases. */
class ClientCertificateDecisionTest {

  private static final TestCertificate CA = TestCertificate.ca("client CA");

  private final Gatehouse gatehouse =
      Gatehouse.create(ConfigLoader.fromTree(Map.of("authentication", Map.of("client-certificate", Map.of()))));

  @AfterEach
  void close() {
    gatehouse.close();
  }

  @Test
  void spiffeClientIsAllowedWithUserAndXfccHeaders() {
    TestCertificate client =
        TestCertificate.builder().uri("spiffe://cluster.local/ns/shop/sa/frontend").usage(Usage.CLIENT).issuedBy(CA).build();

    Decision decision = gatehouse.decide(FakeRequest.get("/orders").clientCertificates(client.chain()));

    assertThat(decision).isInstanceOfSatisfying(Decision.Allow.class, allow -> {
      assertThat(allow.identity()).hasValueSatisfying(identity -> assertThat(identity.name()).isEqualTo("spiffe://cluster.local/ns/shop/sa/frontend"));
      assertThat(allow.headers())
          .containsEntry(IdentityHeaders.USER, "spiffe://cluster.local/ns/shop/sa/frontend")
          .containsEntry(IdentityHeaders.CLIENT_CERT, ForwardedClientCert.format(client.certificate()));
    });
  }

  @Test
  void requestWithoutCertificateIsAnonymousAndChallengedWithoutWwwAuthenticate() {
    Decision decision = gatehouse.decide(FakeRequest.get("/").header(IdentityHeaders.CLIENT_CERT, "Hash=forged;URI=spiffe://cluster.local/ns/ops/sa/admin"));

    assertThat(decision).isInstanceOfSatisfying(Decision.Challenge.class, challenge -> assertThat(challenge.challenges()).isEmpty());
  }

  @Test
  void invalidSpiffeCertificateIsRefusedWith401() {
    TestCertificate client = TestCertificate.builder().commonName("admin").uri("spiffe://cluster.local/ns/a/sa/b/").issuedBy(CA).build();

    Decision decision = gatehouse.decide(FakeRequest.get("/public").clientCertificates(client.chain()));

    assertThat(decision).isInstanceOfSatisfying(Decision.Challenge.class, challenge -> assertThat(challenge.reason()).contains("invalid SPIFFE ID"));
  }
}
