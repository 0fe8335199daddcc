package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.TestTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine with Basic and JWT enabled together, built from YAML as every delivery builds it. */
class JwtEngineTest {

  private static final RSAKey KEY = TestTokens.rsa("k1");
  private static final String BASIC = "Basic realm=\"Api\", charset=\"UTF-8\"";
  private static final String BEARER = "Bearer realm=\"Api\"";

  @TempDir Path directory;
  private JwksServer jwks;
  private Gatehouse gatehouse;

  @BeforeEach
  void start() throws IOException {
    jwks = JwksServer.start(KEY);
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              basic: {realm: Api, htpasswd: %s}
              jwt:
                - issuer: %s
                  jwks-uri: %s
                  audiences: [orders]
                  claims-to-headers: {email: X-Auth-Email}
            """
                .formatted(htpasswd, jwks.issuer(), jwks.jwksUri()));
    gatehouse = Gatehouse.create(ConfigLoader.load(yaml));
  }

  @AfterEach
  void stop() {
    gatehouse.close();
    jwks.close();
  }

  private String token() {
    return TestTokens.sign(KEY, TestTokens.claims(jwks.issuer(), "alice", "orders").claim("email", "alice@example.com").build());
  }

  @Test
  void missingCredentialsAreChallengedWithBothSchemes() {
    Decision.Refusal refusal = (Decision.Refusal) gatehouse.decide(FakeRequest.get("/"));

    assertThat(refusal.status()).isEqualTo(401);
    assertThat(refusal.challenges()).containsExactly(BASIC, BEARER);
  }

  @Test
  void badTokenIsA401WithInvalidTokenInTheBearerChallenge() {
    Instant past = Instant.now().minus(Duration.ofHours(1));
    String expired =
        TestTokens.sign(KEY, TestTokens.claims(jwks.issuer(), "alice", "orders").issueTime(Date.from(past)).expirationTime(Date.from(past.plusSeconds(60))).build());

    Decision.Refusal refusal = (Decision.Refusal) gatehouse.decide(FakeRequest.get("/").header("Authorization", "Bearer " + expired));

    assertThat(refusal.status()).isEqualTo(401);
    assertThat(refusal.challenges())
        .containsExactly(BASIC, BEARER + ", error=\"invalid_token\", error_description=\"token expired\"");
    assertThat(refusal.reason()).doesNotContain(expired).doesNotContain(expired.substring(0, 20));
  }

  @Test
  void badPasswordStillGetsThePlainChallenges() {
    Decision.Refusal refusal = (Decision.Refusal) gatehouse.decide(FakeRequest.get("/").basic("bcrypt-user", "wrong"));

    assertThat(refusal.challenges()).containsExactly(BASIC, BEARER);
  }

  @Test
  void validTokenIsAllowedWithIdentityAndClaimHeadersAndTheTokenRemoved() {
    Decision decision = gatehouse.decide(FakeRequest.get("/").header("Authorization", "Bearer " + token()));

    assertThat(decision).isInstanceOf(Decision.Allow.class);
    Decision.Allow allow = (Decision.Allow) decision;
    assertThat(allow.identity()).hasValueSatisfying(identity -> assertThat(identity.name()).isEqualTo(jwks.issuer() + "/alice"));
    assertThat(allow.headers())
        .containsEntry(IdentityHeaders.USER, jwks.issuer() + "/alice")
        .containsEntry(IdentityHeaders.EMAIL, "alice@example.com")
        .containsEntry("X-Auth-Email", "alice@example.com");
    assertThat(allow.requestHeaders().mustRemove("Authorization", List.of())).isTrue();
    assertThat(allow.requestHeaders().mustHide("authorization")).isTrue();
  }

  @Test
  void basicStillWorksBesideJwt() {
    Decision decision = gatehouse.decide(FakeRequest.get("/").basic("bcrypt-user", "bcrypt secret"));

    assertThat(decision).isInstanceOf(Decision.Allow.class);
    assertThat(((Decision.Allow) decision).requestHeaders().mustRemove("Authorization", List.of())).isFalse();
  }

  @Test
  void claimHeaderNamesAreProtectedFromClients() {
    Decision.Allow allow = (Decision.Allow) gatehouse.decide(FakeRequest.get("/").basic("bcrypt-user", "bcrypt secret"));

    assertThat(allow.requestHeaders().mustRemove("X-Auth-Email", List.of())).isTrue();
    assertThat(allow.requestHeaders().mustHide("x_auth_email")).isTrue();
  }
}
