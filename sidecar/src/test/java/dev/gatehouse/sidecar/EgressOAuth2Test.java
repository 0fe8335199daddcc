package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.config.EgressConfig;
import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.config.EgressRoute;
import dev.gatehouse.config.EgressTlsConfig;
import dev.gatehouse.config.OAuth2ClientConfig;
import dev.gatehouse.testing.FakeClock;
import dev.gatehouse.testing.TestCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * OAuth2 client credentials on an egress route, against a real token endpoint on loopback: one token request for many
 * concurrent calls, refresh ahead and at expiry, the cached token while the endpoint is down and 503 after, and no
 * secret or token in any log line or error body.
 */
class EgressOAuth2Test {

  static final String SECRET = "s3cr3t-client-secret-value";

  @TempDir Path dir;
  final TestCertificate partnerCa = TestCertificate.ca("Partner CA");
  final TestCertificate remoteCertificate =
      TestCertificate.builder().commonName("orders").dns("orders.partner.example").usage(TestCertificate.Usage.SERVER).issuedBy(partnerCa).build();
  final FakeClock clock = new FakeClock(Instant.parse("2026-12-01T12:00:00Z"));
  final HttpClient app = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  RemoteHttps remote;
  TokenServer tokens;
  EgressServer egress;
  Path secretFile;

  @BeforeEach
  void setUp() throws Exception {
    remote = new RemoteHttps(remoteCertificate, null);
    tokens = new TokenServer("shop", SECRET);
    secretFile = Files.writeString(dir.resolve("client-secret"), SECRET + "\n");
  }

  @AfterEach
  void tearDown() {
    if (egress != null) {
      egress.stop(Duration.ofSeconds(1));
    }
    remote.close();
    tokens.close();
  }

  OAuth2ClientConfig secretClient() {
    return new OAuth2ClientConfig(
        URI.create(tokens.tokenUri()), "shop", Optional.of(secretFile), Optional.empty(), Optional.empty(), List.of("orders.read", "orders.write"), Optional.of("orders"),
        OAuth2ClientConfig.AudienceParameter.AUDIENCE);
  }

  void start(OAuth2ClientConfig client) throws Exception {
    Path ca = partnerCa.writeCertificate(dir.resolve("ca.pem"));
    EgressRoute route =
        new EgressRoute(
            "orders", "/orders/", URI.create("https://127.0.0.1:" + remote.port() + "/api/"), List.of(),
            Optional.of(new EgressTlsConfig(Optional.of(ca), Optional.of("orders.partner.example"), List.of(), Optional.empty(), Optional.empty())),
            Optional.of(client));
    EgressConfig config = new EgressConfig(EgressConfig.parseListen("listen", "127.0.0.1:0"), List.of(route));
    egress = new EgressServer(EgressRoutes.create(config, Duration.ZERO, clock), config.listen(), Duration.ofSeconds(5), LimitsConfig.DEFAULT_HEADER_TIMEOUT, EgressServer::logExchange);
    egress.start();
  }

  HttpResponse<String> call() throws Exception {
    return app.send(request(), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest request() {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + egress.port() + "/orders/v1/items")).header("Authorization", "Basic YXBwOmFwcA==").build();
  }

  String remoteAuthorization() throws InterruptedException {
    return remote.received.poll(5, TimeUnit.SECONDS).header("Authorization");
  }

  @Test
  void hundredConcurrentCallsCauseOneTokenRequestAndTheAppsAuthorizationIsReplaced() throws Exception {
    tokens.delayMillis = 500;
    start(secretClient());

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      calls.add(app.sendAsync(request(), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      assertThat(call.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    assertThat(tokens.requests.get()).isEqualTo(1);
    assertThat(remote.received).hasSize(100).allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer token-1"));
    assertThat(tokens.forms.get(0))
        .containsEntry("grant_type", "client_credentials")
        .containsEntry("scope", "orders.read orders.write")
        .containsEntry("audience", "orders")
        .doesNotContainKey("client_secret");
    assertThat(tokens.authorizations.get(0)).isEqualTo("Basic " + Base64.getEncoder().encodeToString(("shop:" + SECRET).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void tokenIsRefreshedAheadInTheBackgroundAndNeverUsedPastExpiry() throws Exception {
    tokens.expiresIn = 120; // used for 90 s, refreshed ahead after 67.5 s
    start(secretClient());
    assertThat(call().statusCode()).isEqualTo(200);
    assertThat(remoteAuthorization()).isEqualTo("Bearer token-1");

    clock.advance(Duration.ofSeconds(60));
    assertThat(call().statusCode()).isEqualTo(200);
    assertThat(remoteAuthorization()).isEqualTo("Bearer token-1");
    assertThat(tokens.requests.get()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(10)); // 70 s: due for a refresh, still usable
    assertThat(call().statusCode()).isEqualTo(200);
    assertThat(remoteAuthorization()).isEqualTo("Bearer token-1");
    waitFor(() -> tokens.requests.get() == 2);
    Thread.sleep(100);
    assertThat(call().statusCode()).isEqualTo(200);
    assertThat(remoteAuthorization()).isEqualTo("Bearer token-2");

    // Past token-2's usable time (70 + 90 s) without a call in between: the next call waits for a new token.
    clock.advance(Duration.ofSeconds(91));
    assertThat(call().statusCode()).isEqualTo(200);
    assertThat(remoteAuthorization()).isEqualTo("Bearer token-3");
    assertThat(tokens.requests.get()).isEqualTo(3);
  }

  @Test
  void endpointDownMeansTheCachedTokenUntilItExpiresThen503() throws Exception {
    tokens.expiresIn = 120;
    start(secretClient());
    assertThat(call().statusCode()).isEqualTo(200);
    assertThat(remoteAuthorization()).isEqualTo("Bearer token-1");
    tokens.down = true;

    clock.advance(Duration.ofSeconds(70)); // refresh due: it fails, token-1 is still used
    assertThat(call().statusCode()).isEqualTo(200);
    assertThat(remoteAuthorization()).isEqualTo("Bearer token-1");
    waitFor(() -> tokens.requests.get() == 2);
    clock.advance(Duration.ofSeconds(19)); // 89 s
    assertThat(call().statusCode()).isEqualTo(200);
    assertThat(remoteAuthorization()).isEqualTo("Bearer token-1");

    clock.advance(Duration.ofSeconds(2)); // 91 s: token-1 is no longer used
    HttpResponse<String> refused = call();
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).isEqualTo("Service Unavailable: no access token for this route\n");
    assertThat(remote.received.poll(200, TimeUnit.MILLISECONDS)).isNull();

    tokens.down = false;
    clock.advance(Duration.ofSeconds(2)); // past the retry interval
    assertThat(call().statusCode()).isEqualTo(200);
    assertThat(remoteAuthorization()).isEqualTo("Bearer token-2");
  }

  @Test
  void secretsAndTokensNeverAppearInLogsOrErrorBodies() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.gatehouse");
    Level before = logger.getLevel();
    CapturedLog captured = new CapturedLog();
    captured.start();
    logger.addAppender(captured);
    logger.setLevel(Level.DEBUG);
    try {
      tokens.expiresIn = 120;
      start(secretClient());
      assertThat(call().statusCode()).isEqualTo(200);
      Files.writeString(secretFile, "wrong-secret-value"); // the endpoint answers 401 and echoes the header it got
      clock.advance(Duration.ofSeconds(70));
      assertThat(call().statusCode()).isEqualTo(200);
      waitFor(() -> tokens.requests.get() == 2);
      clock.advance(Duration.ofSeconds(30));
      HttpResponse<String> refused = call();
      assertThat(refused.statusCode()).isEqualTo(503);
      for (String secret : List.of(SECRET, "wrong-secret-value", "token-1", "YXBwOmFwcA", Base64.getEncoder().encodeToString(("shop:" + SECRET).getBytes(StandardCharsets.UTF_8)))) {
        assertThat(refused.body()).doesNotContain(secret);
        assertThat(captured.list).allSatisfy(event -> assertThat(event.getFormattedMessage()).doesNotContain(secret));
      }
      assertThat(captured.list).anySatisfy(event -> assertThat(event.getFormattedMessage()).contains("token endpoint answered 401: invalid_client"));
    } finally {
      logger.detachAppender(captured);
      logger.setLevel(before);
    }
  }

  @Test
  void privateKeyJwtSendsASignedClientAssertionInsteadOfASecret() throws Exception {
    TestCertificate key = TestCertificate.builder().commonName("shop").keyType(TestCertificate.KeyType.RSA).build();
    Path keyFile = key.writeKey(dir.resolve("client-assertion.pem"));
    OAuth2ClientConfig client =
        new OAuth2ClientConfig(
            URI.create(tokens.tokenUri()), "shop", Optional.empty(), Optional.of(keyFile), Optional.of("key-1"), List.of(), Optional.of("https://orders.partner.example"),
            OAuth2ClientConfig.AudienceParameter.RESOURCE);
    start(client);

    assertThat(call().statusCode()).isEqualTo(200);

    var form = tokens.forms.get(0);
    assertThat(form).containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer").containsEntry("client_id", "shop")
        .containsEntry("resource", "https://orders.partner.example").doesNotContainKey("audience").doesNotContainKey("scope");
    assertThat(tokens.authorizations.get(0)).isEqualTo("null");
    SignedJWT assertion = SignedJWT.parse(form.get("client_assertion"));
    assertThat(assertion.verify(new RSASSAVerifier((RSAPublicKey) key.certificate().getPublicKey()))).isTrue();
    assertThat(assertion.getHeader().getKeyID()).isEqualTo("key-1");
    assertThat(assertion.getJWTClaimsSet().getIssuer()).isEqualTo("shop");
    assertThat(assertion.getJWTClaimsSet().getSubject()).isEqualTo("shop");
    assertThat(assertion.getJWTClaimsSet().getAudience()).containsExactly(tokens.tokenUri());
    assertThat(assertion.getJWTClaimsSet().getJWTID()).isNotBlank();
  }

  /** Every event, formatted, safe to read while other threads log. */
  static final class CapturedLog extends AppenderBase<ILoggingEvent> {
    final List<ILoggingEvent> list = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      list.add(event);
    }
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(10);
    }
  }
}
