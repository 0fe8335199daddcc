package dev.gatehouse.authn.x509;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.Identity;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.testing.TestCertificate.Usage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ClientCertificateAuthenticatorTest {

  private static final TestCertificate CA = TestCertificate.ca("client CA");

  private final ClientCertificateAuthenticator authenticator = ClientCertificateAuthenticator.create(Clock.systemUTC());

  private static TestCertificate.Builder client() {
    return TestCertificate.builder().commonName("alice").usage(Usage.CLIENT).issuedBy(CA);
  }

  private AuthenticationResult authenticate(TestCertificate certificate) {
    return authenticator.authenticate(FakeRequest.get("/").clientCertificates(certificate.chain()));
  }

  @Test
  void noCertificateIsNoCredentials() {
    assertThat(authenticator.authenticate(FakeRequest.get("/"))).isEqualTo(AuthenticationResult.none());
    assertThat(authenticator.challenge()).isEmpty();
  }

  @Test
  void spiffeIdNamesTheCaller() {
    AuthenticationResult result = authenticate(client().uri("spiffe://cluster.local/ns/shop/sa/frontend").dns("frontend.shop.svc").build());

    assertThat(result).isInstanceOfSatisfying(AuthenticationResult.Success.class, success -> {
      Identity identity = success.identity();
      assertThat(identity.name()).isEqualTo("spiffe://cluster.local/ns/shop/sa/frontend");
      assertThat(identity.authenticationMethod()).isEqualTo(Identity.CLIENT_CERTIFICATE);
      assertThat(identity.attribute(Identity.SPIFFE_ID)).hasValue("spiffe://cluster.local/ns/shop/sa/frontend");
      assertThat(identity.attribute(Identity.SPIFFE_TRUST_DOMAIN)).hasValue("cluster.local");
      assertThat(identity.attribute(Identity.SPIFFE_NAMESPACE)).hasValue("shop");
      assertThat(identity.attribute(Identity.SPIFFE_SERVICE_ACCOUNT)).hasValue("frontend");
    });
  }

  @Test
  void subjectCommonNameNamesTheCallerWithoutSpiffeId() {
    AuthenticationResult result = authenticate(client().subject("O=Example, OU=Ops, CN=batch-job").uri("https://example.org/not-spiffe").build());

    assertThat(result).isInstanceOfSatisfying(AuthenticationResult.Success.class, success -> {
      assertThat(success.identity().name()).isEqualTo("cn:batch-job");
      assertThat(success.identity().attributes()).containsOnlyKeys(Identity.COMMON_NAME);
    });
  }

  @Test
  void certificateWithTwoUriSansOneSpiffeIsRefused() {
    AuthenticationResult result = authenticate(client().uri("spiffe://cluster.local/ns/a/sa/b").uri("spiffe://cluster.local/ns/ops/sa/admin").build());

    assertThat(result).isInstanceOfSatisfying(AuthenticationResult.Failure.class, failure -> assertThat(failure.reason()).contains("exactly one"));
  }

  @Test
  void spiffeIdNextToAnotherUriIsRefused() {
    assertThat(authenticate(client().uri("https://example.org").uri("spiffe://cluster.local/ns/a/sa/b").build()))
        .isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void malformedSpiffeIdIsRefusedNotNamedByCn() {
    AuthenticationResult result = authenticate(client().commonName("admin").uri("spiffe://cluster.local/ns/../sa/admin").build());

    assertThat(result).isInstanceOfSatisfying(AuthenticationResult.Failure.class, failure -> assertThat(failure.reason()).contains("invalid SPIFFE ID"));
  }

  @Test
  void upperCaseSchemeIsStillTreatedAsSpiffeAndRefused() {
    assertThat(authenticate(client().uri("SPIFFE://cluster.local/ns/a/sa/b").build())).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void certificateWhoseUsageExcludesClientAuthIsRefused() {
    assertThat(authenticate(client().usage(Usage.SERVER).build()))
        .isInstanceOfSatisfying(AuthenticationResult.Failure.class, failure -> assertThat(failure.reason()).contains("without clientAuth"));
    assertThat(authenticate(client().usage(Usage.NONE).build())).isInstanceOf(AuthenticationResult.Success.class);
    assertThat(authenticate(client().usage(Usage.SERVER_AND_CLIENT).build())).isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void certificateWithoutNameIsRefused() {
    assertThat(authenticate(client().subject("O=Example").build()))
        .isInstanceOfSatisfying(AuthenticationResult.Failure.class, failure -> assertThat(failure.reason()).contains("neither a SPIFFE ID nor a subject CN"));
  }

  @Test
  void certificateWithTwoCommonNamesIsRefused() {
    assertThat(authenticate(client().subject("CN=alice, CN=admin").build())).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void commonNameWithControlCharactersIsRefused() {
    TestCertificate certificate = client().subject("CN=alice\\0D\\0AX-Forwarded-User: admin").build();
    assertThat(certificate.certificate().getSubjectX500Principal().getName()).contains("alice");

    assertThat(decide(certificate)).isInstanceOf(Decision.Challenge.class);
  }

  @Test
  void commonNameWithSurroundingWhitespaceIsRefused() {
    // X-Forwarded-User: "admin " reaches the upstream as "admin": HTTP drops whitespace around a field value (RFC 9110
    // 5.5), while the rules here matched "admin " and so granted nothing that "admin" has.
    TestCertificate trailing = client().subject("CN=admin\\20").build();
    TestCertificate leading = client().subject("CN=\\20admin").build();
    assertThat(trailing.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=admin\\ ");
    assertThat(leading.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=\\ admin");

    assertThat(decide(trailing)).isInstanceOf(Decision.Challenge.class);
    assertThat(decide(leading)).isInstanceOf(Decision.Challenge.class);
  }

  @Test
  void commonNameAHeaderCannotCarryIsRefused() {
    // Header values go out as ISO-8859-1: the sidecar's Jetty writes "admin\u0100" as "admin ", read upstream as admin.
    assertThat(decide(client().commonName("admin\u0100").build())).isInstanceOf(Decision.Challenge.class);
    assertThat(decide(client().commonName("J\u00fcrgen").build())).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void commonNameThatLooksLikeASpiffeIdIsRefused() {
    // A principals rule on spiffe://cluster.local/ns/ops/sa/admin must not match a certificate that merely says so in its CN.
    assertThat(authenticate(client().commonName("spiffe://cluster.local/ns/ops/sa/admin").build()))
        .isInstanceOfSatisfying(AuthenticationResult.Failure.class, failure -> assertThat(failure.reason()).contains("looks like a SPIFFE ID"));
  }

  @Test
  void clientCertificateNamesThePeer() {
    assertThat(authenticator.kind()).isEqualTo(Identity.Kind.PEER);
  }

  /** What the engine decides with only this authenticator: whether a name can be a header value is the engine's boundary. */
  private Decision decide(TestCertificate certificate) {
    return Gatehouse.builder().authenticator(authenticator).build().decide(FakeRequest.get("/").clientCertificates(certificate.chain()));
  }

  @Test
  void certificateExpiredDuringALongConnectionIsRefused() {
    TestCertificate certificate = client().validity(Instant.now().minus(Duration.ofHours(2)), Instant.now().plus(Duration.ofMinutes(10))).build();
    ClientCertificateAuthenticator later = ClientCertificateAuthenticator.create(Clock.fixed(Instant.now().plus(Duration.ofHours(1)), ZoneOffset.UTC));

    assertThat(later.authenticate(FakeRequest.get("/").clientCertificates(certificate.chain())))
        .isInstanceOfSatisfying(AuthenticationResult.Failure.class, failure -> assertThat(failure.reason()).contains("expired"));
  }
}
