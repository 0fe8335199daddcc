package dev.gatehouse.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.TestCertificate;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ForwardedClientCertTest {

  private static final TestCertificate CA = TestCertificate.ca("client CA");

  @Test
  void formatsEnvoyXfccWithHashSubjectUriAndDns() throws Exception {
    TestCertificate client =
        TestCertificate.builder()
            .subject("O=Shop, CN=frontend")
            .uri("spiffe://cluster.local/ns/shop/sa/frontend")
            .dns("frontend.shop.svc")
            .dns("frontend")
            .issuedBy(CA)
            .build();
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(client.certificate().getEncoded()));

    assertThat(ForwardedClientCert.format(client.certificate()))
        .isEqualTo(
            "Hash=" + hash + ";Subject=\"CN=frontend,O=Shop\";URI=spiffe://cluster.local/ns/shop/sa/frontend;DNS=frontend.shop.svc;DNS=frontend");
  }

  @Test
  void quotesAndEscapesWhatWouldBreakTheFormat() {
    TestCertificate client =
        TestCertificate.builder().subject("CN=a\\\"b\\;c\\,d").uri("https://example.org/a;b=c").issuedBy(CA).build();

    String xfcc = ForwardedClientCert.format(client.certificate());

    assertThat(xfcc).contains(";Subject=\"CN=a\\\\\\\"b\\\\;c\\\\,d\"").contains(";URI=\"https://example.org/a;b=c\"");
  }

  @Test
  void controlAndNonAsciiCharactersNeverReachTheHeader() {
    TestCertificate client = TestCertificate.builder().subject("CN=ev\\0D\\0Ail, O=Caf\u00e9").issuedBy(CA).build();

    String xfcc = ForwardedClientCert.format(client.certificate());

    assertThat(xfcc.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
    assertThat(xfcc).contains("Caf\\C3\\A9");
  }
}
