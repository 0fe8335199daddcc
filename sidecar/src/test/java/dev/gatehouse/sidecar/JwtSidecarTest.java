package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sidecar with JWT: what the origin receives, and what the client is told. */
class JwtSidecarTest {

  private static final RSAKey KEY = TestTokens.rsa("k1");

  @TempDir Path directory;

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private JwksServer jwks;
  private Origin origin;
  private GatehouseSidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    jwks = JwksServer.start(KEY);
    origin = new Origin();
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              jwt:
                - issuer: %s
                  jwks-uri: %s
                  claims-to-headers: {email: X-Auth-Email}
            """
                .formatted(jwks.issuer(), jwks.jwksUri()));
    sidecar =
        GatehouseSidecar.start(
            ConfigLoader.load(Optional.of(yaml), Map.of("listen", "127.0.0.1:0", "upstream", origin.uri())), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() throws Exception {
    sidecar.close();
    origin.close();
    jwks.close();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request() {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.port() + "/orders"));
  }

  @Test
  void validTokenReachesTheOriginWithIdentityAndClaimHeadersButWithoutTheToken() throws Exception {
    String token = TestTokens.sign(KEY, TestTokens.claims(jwks.issuer(), "alice", "orders").claim("email", "alice@example.com").build());

    HttpResponse<String> response =
        send(request().header("Authorization", "Bearer " + token).header("X-Auth-Email", "forged@example.com").header("X_Auth_Email", "forged"));

    assertThat(response.statusCode()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.header("X-Forwarded-User")).containsExactly(jwks.issuer() + "/alice");
    assertThat(received.header("X-Forwarded-Email")).containsExactly("alice@example.com");
    assertThat(received.header("X-Auth-Email")).containsExactly("alice@example.com");
    assertThat(received.foldedNames()).doesNotContain("authorization").containsOnlyOnce("x-auth-email");
  }

  @Test
  void subjectWithTrailingWhitespaceIsRefusedRatherThanReachingTheOriginAsAnotherUser() throws Exception {
    // The origin's HTTP parser drops the trailing space: "<iss>/admin " would arrive as "<iss>/admin".
    String token = TestTokens.sign(KEY, TestTokens.claims(jwks.issuer(), "admin ", "orders").build());

    HttpResponse<String> response = send(request().header("Authorization", "Bearer " + token));

    assertThat(origin.received).isEmpty();
    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void subjectThatAHeaderCannotCarryIsRefusedRatherThanReachingTheOriginAsAnotherUser() throws Exception {
    // Header values go out as ISO-8859-1; Jetty writes a character beyond it as a space, which the origin then trims:
    // "<iss>/admin\u0100" would arrive as "<iss>/admin".
    String token = TestTokens.sign(KEY, TestTokens.claims(jwks.issuer(), "admin\u0100", "orders").build());

    HttpResponse<String> response = send(request().header("Authorization", "Bearer " + token));

    assertThat(origin.received).isEmpty();
    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void badTokenIsA401WithInvalidTokenAndNeverForwarded() throws Exception {
    String token = TestTokens.sign(TestTokens.rsa("k1"), TestTokens.claims(jwks.issuer(), "alice", "orders").build());

    HttpResponse<String> response = send(request().header("Authorization", "Bearer " + token));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer realm=\"Restricted\", error=\"invalid_token\", error_description=\"invalid signature\"");
    assertThat(response.body()).isEqualTo("Unauthorized\n");
    assertThat(origin.received).isEmpty();
  }

  @Test
  void missingTokenIsChallengedWithBearer() throws Exception {
    HttpResponse<String> response = send(request());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"Restricted\"");
  }
}
