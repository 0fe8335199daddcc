package dev.gatehouse.authn.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.Decision;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.Identity;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.config.JwtIssuerConfig;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.TestTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every token attack of issue 4, against a real JWKS server on 127.0.0.1. */
class JwtAuthenticatorTest {

  private static final RSAKey RSA = TestTokens.rsa("rsa-1");
  private static final com.nimbusds.jose.jwk.ECKey EC = TestTokens.ec("ec-1");
  private static final TestTokens.Ed25519Key ED = TestTokens.ed25519("ed-1");
  private static final String AUDIENCE = "orders";

  private final JwksServer jwks = JwksServer.start(RSA, EC, ED.jwk());
  private final List<JwtAuthenticator> authenticators = new ArrayList<>();

  @AfterEach
  void stop() {
    authenticators.forEach(JwtAuthenticator::close);
    jwks.close();
    tokensSent.clear();
  }

  private JwtIssuerConfig.Builder issuer() {
    return JwtIssuerConfig.builder(jwks.issuer()).jwksUri(jwks.jwksUri()).audiences(List.of(AUDIENCE));
  }

  private JwtAuthenticator authenticator(JwtIssuerConfig... configs) {
    return authenticator(JwksSources.DEFAULTS, Clock.systemUTC(), configs);
  }

  private JwtAuthenticator authenticator(JwksSources.Settings settings, Clock clock, JwtIssuerConfig... configs) {
    JwtAuthenticator authenticator = JwtAuthenticator.create(List.of(configs), settings, clock);
    authenticators.add(authenticator);
    return authenticator;
  }

  private JWTClaimsSet.Builder claims() {
    return TestTokens.claims(jwks.issuer(), "alice", AUDIENCE);
  }

  /** The reason of every failure goes to logs; none may quote any part of the token. */
  private static final List<String> tokensSent = new ArrayList<>();

  private static AuthenticationResult bearer(JwtAuthenticator authenticator, String token) {
    tokensSent.add(token);
    return authenticator.authenticate(FakeRequest.get("/").header("Authorization", "Bearer " + token));
  }

  private static void assertRejected(AuthenticationResult result, String description) {
    assertThat(result).isInstanceOf(AuthenticationResult.Failure.class);
    AuthenticationResult.Failure failure = (AuthenticationResult.Failure) result;
    for (String token : tokensSent) {
      for (String part : token.split("\\.")) {
        if (part.length() >= 8) {
          assertThat(failure.reason()).doesNotContain(part.substring(0, 8));
        }
      }
    }
    assertThat(failure.challenge())
        .hasValue("Bearer realm=\"Restricted\", error=\"invalid_token\", error_description=\"" + description + "\"");
  }

  /** What the engine decides with only this authenticator: the boundary every identity passes is the engine's. */
  private static Decision decide(JwtAuthenticator authenticator, String token) {
    tokensSent.add(token);
    Gatehouse engine = Gatehouse.builder().authenticator(authenticator).build();
    return engine.decide(FakeRequest.get("/").header("Authorization", "Bearer " + token));
  }

  private static Decision.Allow allowed(JwtAuthenticator authenticator, String token) {
    Decision decision = decide(authenticator, token);
    assertThat(decision).isInstanceOf(Decision.Allow.class);
    return (Decision.Allow) decision;
  }

  private static Identity identityOf(AuthenticationResult result) {
    assertThat(result).isInstanceOf(AuthenticationResult.Success.class);
    return ((AuthenticationResult.Success) result).identity();
  }

  @Test
  void validRs256TokenIsAccepted() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    String token = TestTokens.sign(RSA, claims().claim("groups", List.of("ops", "dev")).claim("email", "alice@example.com").build());

    Identity identity = identityOf(bearer(authenticator, token));

    assertThat(identity.name()).isEqualTo(jwks.issuer() + "/alice");
    assertThat(identity.authenticationMethod()).isEqualTo(Identity.JWT);
    assertThat(identity.groups()).containsExactlyInAnyOrder("ops", "dev");
    assertThat(identity.attribute("sub")).hasValue("alice");
    assertThat(identity.attribute("iss")).hasValue(jwks.issuer());
    assertThat(identity.attribute(Identity.EMAIL)).hasValue("alice@example.com");
    @SuppressWarnings("unchecked")
    Map<String, Object> claims = (Map<String, Object>) identity.attributes().get(Identity.CLAIMS);
    assertThat(claims).containsEntry("aud", AUDIENCE).containsEntry("groups", List.of("ops", "dev"));
  }

  @Test
  void validEs256TokenIsAccepted() {
    JwtAuthenticator authenticator = authenticator(issuer().build());

    assertThat(identityOf(bearer(authenticator, TestTokens.sign(EC, claims().build()))).name()).isEqualTo(jwks.issuer() + "/alice");
  }

  @Test
  void validEdDsaTokenIsAccepted() {
    JwtAuthenticator authenticator = authenticator(issuer().build());

    assertThat(identityOf(bearer(authenticator, TestTokens.sign(ED, claims().build()))).name()).isEqualTo(jwks.issuer() + "/alice");
  }

  @Test
  void edDsaTokenSignedByAnotherKeyWithTheSameKidIsRejected() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    TestTokens.Ed25519Key impostor = TestTokens.ed25519("ed-1");

    assertRejected(bearer(authenticator, TestTokens.sign(impostor, claims().build())), "invalid signature");
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void algNoneInAnyCasingIsRejectedWith401(String alg) {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    String payload = claims().build().toString();

    AuthenticationResult unsigned = bearer(authenticator, TestTokens.raw("{\"alg\":\"" + alg + "\"}", payload, new byte[0]));
    AuthenticationResult withKid = bearer(authenticator, TestTokens.raw("{\"alg\":\"" + alg + "\",\"kid\":\"rsa-1\"}", payload, new byte[] {1, 2, 3}));

    assertThat(unsigned).isInstanceOf(AuthenticationResult.Failure.class);
    assertThat(withKid).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void hs256SignedWithTheRsaPublicKeyIsRejectedWith401() throws Exception {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    JWTClaimsSet claims = claims().build();
    byte[] der = RSA.toRSAPublicKey().getEncoded();
    byte[] pem = ("-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der) + "\n-----END PUBLIC KEY-----\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] jwkJson = RSA.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);

    for (byte[] secret : List.of(der, pem, jwkJson)) {
      assertRejected(bearer(authenticator, TestTokens.signHmac(secret, JWSAlgorithm.HS256, "rsa-1", claims)), "no matching key or algorithm");
    }
  }

  @Test
  void expiredTokenIsRejectedWith401() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    Instant past = Instant.now().minus(Duration.ofMinutes(10));
    JWTClaimsSet expired = claims().issueTime(Date.from(past)).expirationTime(Date.from(past.plus(Duration.ofMinutes(5)))).build();

    assertRejected(bearer(authenticator, TestTokens.sign(RSA, expired)), "token expired");
  }

  @Test
  void tokenWithoutExpIsRejectedWith401() {
    JwtAuthenticator authenticator = authenticator(issuer().build());

    assertRejected(bearer(authenticator, TestTokens.sign(RSA, claims().expirationTime(null).build())), "required claim missing");
  }

  @Test
  void notYetValidTokenIsRejectedWith401() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    JWTClaimsSet future = claims().notBeforeTime(Date.from(Instant.now().plus(Duration.ofMinutes(3)))).build();

    assertRejected(bearer(authenticator, TestTokens.sign(RSA, future)), "token not yet valid");
  }

  @Test
  void tokenIssuedInTheFutureIsRejectedWith401() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    JWTClaimsSet future = claims().issueTime(Date.from(Instant.now().plus(Duration.ofMinutes(3)))).build();

    assertRejected(bearer(authenticator, TestTokens.sign(RSA, future)), "token issued in the future");
  }

  @Test
  void wrongIssuerIsRejectedWith401() {
    JwtAuthenticator authenticator = authenticator(issuer().build());

    assertRejected(bearer(authenticator, TestTokens.sign(RSA, claims().issuer("https://evil.example").build())), "unknown issuer");
    assertRejected(bearer(authenticator, TestTokens.sign(RSA, claims().issuer(jwks.issuer() + "/").build())), "unknown issuer");
    assertRejected(bearer(authenticator, TestTokens.sign(RSA, claims().issuer(null).build())), "unknown issuer");
  }

  @Test
  void wrongAudienceIsRejectedWith401() {
    JwtAuthenticator authenticator = authenticator(issuer().build());

    assertRejected(bearer(authenticator, TestTokens.sign(RSA, claims().audience("billing").build())), "audience not accepted");
    assertRejected(bearer(authenticator, TestTokens.sign(RSA, claims().audience((String) null).build())), "audience not accepted");
    assertThat(bearer(authenticator, TestTokens.sign(RSA, claims().audience(List.of("billing", AUDIENCE)).build())))
        .isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void unknownCritHeaderIsRejectedWith401() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").criticalParams(Set.of("https://example.com/must-understand")).customParam("https://example.com/must-understand", true).build();

    assertRejected(bearer(authenticator, TestTokens.sign(RSA, header, claims().build())), "critical header not understood");
  }

  @Test
  void embeddedJwkHeaderWithTheAttackersKeyIsRejectedWith401() throws Exception {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    RSAKey attacker = TestTokens.rsa("rsa-1");
    try (JwksServer attackerServer = JwksServer.start(attacker)) {
      JWSHeader ownKid = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker").jwk(attacker.toPublicJWK()).build();
      JWSHeader victimKid =
          new JWSHeader.Builder(JWSAlgorithm.RS256)
              .keyID("rsa-1")
              .jwk(attacker.toPublicJWK())
              .jwkURL(attackerServer.jwksUri())
              .x509CertURL(attackerServer.jwksUri())
              .build();

      assertRejected(bearer(authenticator, TestTokens.sign(attacker, ownKid, claims().build())), "no matching key or algorithm");
      assertRejected(bearer(authenticator, TestTokens.sign(attacker, victimKid, claims().build())), "invalid signature");
      assertThat(attackerServer.fetches()).as("jku is never followed").isZero();
    }
  }

  @Test
  void tamperedPayloadIsRejectedWith401() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    List<String> parts = TestTokens.parts(TestTokens.sign(RSA, claims().build()));
    String admin = com.nimbusds.jose.util.Base64URL.encode(TestTokens.payloadOf(String.join(".", parts)).replace("\"alice\"", "\"admin\"")).toString();

    assertRejected(bearer(authenticator, parts.get(0) + "." + admin + "." + parts.get(2)), "invalid signature");
  }

  @Test
  void es256SignatureOfZerosIsRejectedWith401() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    String payload = claims().build().toString();

    assertRejected(bearer(authenticator, TestTokens.raw("{\"alg\":\"ES256\",\"kid\":\"ec-1\"}", payload, new byte[64])), "invalid signature");
    assertThat(bearer(authenticator, TestTokens.raw("{\"alg\":\"ES256\",\"kid\":\"ec-1\"}", payload, new byte[0]))).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void keyRotatedAtTheServerIsPickedUpWithoutRestart() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    assertThat(bearer(authenticator, TestTokens.sign(RSA, claims().build()))).isInstanceOf(AuthenticationResult.Success.class);
    RSAKey rotated = TestTokens.rsa("rsa-2");
    jwks.keys(rotated, EC, ED.jwk());

    assertThat(bearer(authenticator, TestTokens.sign(rotated, claims().build()))).isInstanceOf(AuthenticationResult.Success.class);
    assertThat(jwks.fetches()).isEqualTo(2);
  }

  @Test
  void floodOfRandomKidsCausesAtMostTheRateLimitedNumberOfFetches() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    assertThat(jwks.fetches()).as("keys fetched at start").isEqualTo(1);
    RSAKey attacker = TestTokens.rsa("unused");

    for (int i = 0; i < 200; i++) {
      JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(UUID.randomUUID().toString()).build();
      assertThat(bearer(authenticator, TestTokens.sign(attacker, header, claims().build()))).isInstanceOf(AuthenticationResult.Failure.class);
    }

    // Nimbus's rate limiter allows two fetches per 30 s interval, the start-up fetch included.
    assertThat(jwks.fetches()).isLessThanOrEqualTo(2);
    assertThat(bearer(authenticator, TestTokens.sign(RSA, claims().build()))).isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void tokensSignedByCachedKeysStillPassWhileTheJwksServerIsDown() throws Exception {
    // A 1.5 s cache, so the outage outlasts it; the only test here that waits.
    JwksSources.Settings shortCache =
        new JwksSources.Settings(Duration.ofMillis(1500), Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofHours(1), Duration.ofMillis(250), 65536);
    JwtAuthenticator authenticator = authenticator(shortCache, Clock.systemUTC(), issuer().build());
    assertThat(bearer(authenticator, TestTokens.sign(RSA, claims().build()))).isInstanceOf(AuthenticationResult.Success.class);
    assertThat(authenticator.sources()).singleElement().satisfies(status -> {
      assertThat(status.kind()).isEqualTo("jwks");
      assertThat(status.name()).isEqualTo(jwks.issuer());
      assertThat(status.healthy()).isTrue();
      assertThat(status.successes()).isPositive();
    });

    jwks.close();
    Thread.sleep(2000);

    assertThat(bearer(authenticator, TestTokens.sign(RSA, claims().build()))).as("a token not seen before").isInstanceOf(AuthenticationResult.Success.class);
    assertThat(bearer(authenticator, TestTokens.sign(ED, claims().build()))).isInstanceOf(AuthenticationResult.Success.class);
    // Served from keys older than their cache allows: still accepted, but the source says so.
    assertThat(authenticator.sources()).singleElement().satisfies(status -> {
      assertThat(status.healthy()).isFalse();
      assertThat(status.failures()).isPositive();
      assertThat(status.lastError()).isPresent();
    });
  }

  @Test
  void oversizeTokenIsRejectedBeforeParsing() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    String big = TestTokens.sign(RSA, claims().claim("padding", "x".repeat(17 * 1024)).build());
    String garbage = "!".repeat(17 * 1024);

    assertRejected(bearer(authenticator, big), "token too large");
    assertRejected(bearer(authenticator, garbage), "token too large");
    assertRejected(bearer(authenticator, "not-a-token"), "malformed token");
  }

  @Test
  void tokenInACookieIsAcceptedOnlyWhenConfigured() {
    String token = TestTokens.sign(RSA, claims().build());
    FakeRequest withCookie = FakeRequest.get("/").header("Cookie", "theme=dark; access_token=" + token);
    JwtAuthenticator headersOnly = authenticator(issuer().build());
    JwksServer other = JwksServer.start(RSA);
    try {
      JwtAuthenticator cookies =
          authenticator(JwtIssuerConfig.builder(jwks.issuer()).jwksUri(jwks.jwksUri()).fromHeaders(List.of()).fromCookies(List.of("access_token")).build());

      assertThat(headersOnly.authenticate(withCookie)).isEqualTo(AuthenticationResult.none());
      assertThat(identityOf(cookies.authenticate(withCookie)).name()).isEqualTo(jwks.issuer() + "/alice");
      assertThat(cookies.authenticate(FakeRequest.get("/").header("Authorization", "Bearer " + token)))
          .as("no header configured").isEqualTo(AuthenticationResult.none());
    } finally {
      other.close();
    }
  }

  @Test
  void tokenInAQueryParameterIsAcceptedOnlyWhenConfigured() {
    String token = TestTokens.sign(RSA, claims().build());
    FakeRequest withParam = FakeRequest.get("/orders").query("page=2&access_token=" + token + "&x=%zz");
    JwtAuthenticator headersOnly = authenticator(issuer().build());
    JwtAuthenticator params = authenticator(JwtIssuerConfig.builder(jwks.issuer()).jwksUri(jwks.jwksUri()).fromParams(List.of("access_token")).build());

    assertThat(headersOnly.authenticate(withParam)).isEqualTo(AuthenticationResult.none());
    AuthenticationResult.Success success = (AuthenticationResult.Success) params.authenticate(withParam);
    assertThat(success.identity().name()).isEqualTo(jwks.issuer() + "/alice");
    assertThat(success.removeHeaders()).isEmpty();
    assertRejected(params.authenticate(FakeRequest.get("/").query("access_token=" + token + "&access_token=" + TestTokens.sign(RSA, claims().build()))), "malformed request");
    assertRejected(params.authenticate(FakeRequest.get("/").query("access_token=%E0%A4%A")), "malformed request");
  }

  @Test
  void tokenInAnotherIssuersLocationIsRejected() {
    JwksServer second = JwksServer.start(RSA);
    try {
      JwtAuthenticator authenticator =
          authenticator(
              issuer().build(),
              JwtIssuerConfig.builder(second.issuer()).jwksUri(second.jwksUri()).fromCookies(List.of("session")).build());
      String firstIssuersToken = TestTokens.sign(RSA, claims().build());

      assertRejected(authenticator.authenticate(FakeRequest.get("/").header("Cookie", "session=" + firstIssuersToken)), "token in the wrong place");
      assertThat(identityOf(authenticator.authenticate(FakeRequest.get("/").header("Cookie", "session=" + TestTokens.sign(RSA, TestTokens.claims(second.issuer(), "bob", "x").build())))).name())
          .isEqualTo(second.issuer() + "/bob");
    } finally {
      second.close();
    }
  }

  @Test
  void twoDifferentTokensInOneRequestAreRejected() {
    JwtAuthenticator authenticator =
        authenticator(issuer().fromHeaders(List.of(JwtIssuerConfig.DEFAULT_HEADER)).fromCookies(List.of("access_token")).build());
    String first = TestTokens.sign(RSA, claims().build());
    String second = TestTokens.sign(RSA, claims().build());

    assertRejected(
        authenticator.authenticate(FakeRequest.get("/").header("Authorization", "Bearer " + first).header("Cookie", "access_token=" + second)),
        "malformed request");
    assertRejected(
        authenticator.authenticate(FakeRequest.get("/").header("Authorization", "Bearer " + first).header("Authorization", "Bearer " + first)),
        "malformed request");
    assertRejected(authenticator.authenticate(FakeRequest.get("/").header("Authorization", "Bearer")), "malformed request");
  }

  @Test
  void otherAuthorizationSchemesAreLeftToOtherAuthenticators() {
    JwtAuthenticator authenticator = authenticator(issuer().build());

    assertThat(authenticator.authenticate(FakeRequest.get("/").basic("alice", "secret"))).isEqualTo(AuthenticationResult.none());
    assertThat(authenticator.authenticate(FakeRequest.get("/"))).isEqualTo(AuthenticationResult.none());
    assertThat(identityOf(authenticator.authenticate(FakeRequest.get("/").header("Authorization", "bEaReR " + TestTokens.sign(RSA, claims().build())))).name())
        .isEqualTo(jwks.issuer() + "/alice");
  }

  @Test
  void verifiedTokenIsCachedAndACachedSuccessIsRejectedAfterExp() {
    MutableClock clock = new MutableClock(Instant.now());
    JwtAuthenticator authenticator = authenticator(JwksSources.DEFAULTS, clock, issuer().clockSkew(Duration.ofSeconds(30)).build());
    String token = TestTokens.sign(RSA, claims().expirationTime(Date.from(clock.instant().plusSeconds(120))).build());

    assertThat(bearer(authenticator, token)).isInstanceOf(AuthenticationResult.Success.class);
    assertThat(authenticator.cachedTokens()).isEqualTo(1);
    assertThat(bearer(authenticator, token)).isInstanceOf(AuthenticationResult.Success.class);

    clock.advance(Duration.ofSeconds(120 + 29));
    assertThat(bearer(authenticator, token)).as("within the skew").isInstanceOf(AuthenticationResult.Success.class);
    clock.advance(Duration.ofSeconds(2));
    assertRejected(bearer(authenticator, token), "token expired");
  }

  @Test
  void groupsComeFromNestedClaimsAndSpaceSeparatedScopes() {
    JwtAuthenticator keycloak = authenticator(issuer().groupsClaim("realm_access.roles").build());
    JWTClaimsSet keycloakClaims = claims().claim("realm_access", Map.of("roles", List.of("admin", "user"))).build();
    assertThat(identityOf(bearer(keycloak, TestTokens.sign(RSA, keycloakClaims))).groups()).containsExactlyInAnyOrder("admin", "user");
    keycloak.close();

    JwtAuthenticator scopes = authenticator(issuer().groupsClaim("scope").build());
    assertThat(identityOf(bearer(scopes, TestTokens.sign(RSA, claims().claim("scope", "read:orders  write:orders").build()))).groups())
        .containsExactlyInAnyOrder("read:orders", "write:orders");
  }

  @Test
  void claimValuesThatCouldForgeHeadersNeverReachThem() {
    JwtAuthenticator authenticator = authenticator(issuer().build());
    JWTClaimsSet sneaky =
        claims()
            .claim("email", "a@example.com\r\nX-Forwarded-User: admin")
            .claim("groups", List.of("dev", "ops,admin", "x\ny"))
            .build();

    Decision.Allow allow = allowed(authenticator, TestTokens.sign(RSA, sneaky));

    assertThat(allow.identity().orElseThrow().groups()).containsExactly("dev");
    assertThat(allow.identity().orElseThrow().attribute(Identity.EMAIL)).isEmpty();
    assertThat(allow.headers()).doesNotContainKey(IdentityHeaders.EMAIL).containsEntry(IdentityHeaders.GROUPS, "dev");
    assertThat(decide(authenticator, TestTokens.sign(RSA, claims().subject("alice\r\nX-Forwarded-User: admin").build())))
        .isInstanceOf(Decision.Challenge.class);
  }

  @Test
  void subjectOrEmailWithSurroundingWhitespaceNeverReachesAHeader() {
    // HTTP drops whitespace around a field value (RFC 9110 5.5): X-Forwarded-User "<iss>/admin " reaches the upstream
    // as "<iss>/admin", and X-Forwarded-Email " admin@example.com" as "admin@example.com".
    JwtAuthenticator authenticator = authenticator(issuer().build());

    assertThat(decide(authenticator, TestTokens.sign(RSA, claims().subject("admin ").build()))).isInstanceOf(Decision.Challenge.class);
    assertThat(decide(authenticator, TestTokens.sign(RSA, claims().subject("admin\t").build()))).isInstanceOf(Decision.Challenge.class);
    Decision.Allow allow = allowed(authenticator, TestTokens.sign(RSA, claims().claim("email", " admin@example.com").build()));
    assertThat(allow.identity().orElseThrow().attribute(Identity.EMAIL)).isEmpty();
    assertThat(allow.headers()).doesNotContainKey(IdentityHeaders.EMAIL);
  }

  @Test
  void groupWithSurroundingWhitespaceIsDroppedSinceItWouldReadAsAnotherGroupUpstream() {
    // X-Forwarded-Groups is a comma-separated list, and whitespace around its elements is not part of them (RFC 9110
    // 5.6.1): "dev, admin" is read upstream as dev and admin, although no rule here ever saw a group "admin".
    JwtAuthenticator authenticator = authenticator(issuer().build());
    JWTClaimsSet claims = claims().claim("groups", List.of("dev", " admin", "ops\t")).build();

    assertThat(allowed(authenticator, TestTokens.sign(RSA, claims)).identity().orElseThrow().groups()).containsExactly("dev");
  }

  @Test
  void claimValuesAHeaderCannotCarryNeverReachOne() {
    // Header values go out as ISO-8859-1: the sidecar's Jetty writes "admin\u0100" as "admin ", read upstream as admin.
    JwtAuthenticator authenticator = authenticator(issuer().claimsToHeaders(Map.of("tenant", "X-Tenant")).build());
    JWTClaimsSet claims =
        claims().claim("email", "admin@example.com\u0100").claim("groups", List.of("dev", "admin\u0100")).claim("tenant", "acme\u0100").build();

    Decision.Allow allow = allowed(authenticator, TestTokens.sign(RSA, claims));

    assertThat(allow.identity().orElseThrow().groups()).containsExactly("dev");
    assertThat(allow.identity().orElseThrow().attribute(Identity.EMAIL)).isEmpty();
    assertThat(allow.headers()).containsOnlyKeys(IdentityHeaders.USER, IdentityHeaders.GROUPS);
    assertThat(decide(authenticator, TestTokens.sign(RSA, claims().subject("admin\u0100").build()))).isInstanceOf(Decision.Challenge.class);
    assertThat(allowed(authenticator, TestTokens.sign(RSA, claims().subject("J\u00fcrgen").build())).identity().orElseThrow().name())
        .endsWith("/J\u00fcrgen");
  }

  @Test
  void claimsToHeadersAndTheNotForwardedTokenAreInTheSuccess() {
    JwtAuthenticator authenticator =
        authenticator(issuer().claimsToHeaders(Map.of("email", "X-Auth-Email", "tenant.id", "X-Tenant", "evil", "X-Evil")).build());
    String token = TestTokens.sign(RSA, claims().claim("email", "a@example.com").claim("tenant", Map.of("id", 42)).claim("evil", "a\r\nX-Forwarded-User: admin").build());

    AuthenticationResult.Success success = (AuthenticationResult.Success) bearer(authenticator, token);

    assertThat(success.headers()).containsEntry("X-Auth-Email", "a@example.com").containsEntry("X-Tenant", "42");
    assertThat(success.removeHeaders()).containsExactly("Authorization");
    assertThat(authenticator.identityHeaderNames()).containsExactlyInAnyOrder("X-Auth-Email", "X-Tenant", "X-Evil");
    // The engine's boundary drops the value that would forge a header line.
    assertThat(allowed(authenticator, token).headers()).containsEntry("X-Auth-Email", "a@example.com").containsEntry("X-Tenant", "42").doesNotContainKey("X-Evil");

    JwtAuthenticator forwarding = authenticator(issuer().forwardToken(true).build());
    assertThat(((AuthenticationResult.Success) bearer(forwarding, token)).removeHeaders()).isEmpty();
  }

  @Test
  void claimHeaderValuesThatWouldReadDifferentlyUpstreamAreNotSent() {
    // HTTP drops whitespace around a field value, and a list joined with commas cannot tell ["a,b"] from ["a", "b"].
    JwtAuthenticator authenticator = authenticator(issuer().claimsToHeaders(Map.of("tenant", "X-Tenant", "teams", "X-Teams", "roles", "X-Roles")).build());
    String token =
        TestTokens.sign(RSA, claims().claim("tenant", "acme ").claim("teams", List.of("blue", "red,admin")).claim("roles", List.of("reader", " admin")).build());

    assertThat(allowed(authenticator, token).headers()).doesNotContainKeys("X-Tenant", "X-Teams", "X-Roles");
  }

  @Test
  void discoveryFindsTheJwksThroughTheIssuersOpenIdConfiguration() {
    JwtAuthenticator authenticator = authenticator(JwtIssuerConfig.builder(jwks.issuer()).discovery(true).build());

    assertThat(identityOf(bearer(authenticator, TestTokens.sign(EC, claims().build()))).name()).isEqualTo(jwks.issuer() + "/alice");
  }

  @Test
  void jwksFileIsAKeySourceToo(@TempDir Path directory) throws Exception {
    Path file = Files.writeString(directory.resolve("jwks.json"), new com.nimbusds.jose.jwk.JWKSet(List.of(RSA.toPublicJWK())).toString());
    JwtAuthenticator authenticator = authenticator(JwtIssuerConfig.builder("https://files.example").jwksFile(file).build());

    assertThat(identityOf(bearer(authenticator, TestTokens.sign(RSA, TestTokens.claims("https://files.example", "svc", "x").build()))).name())
        .isEqualTo("https://files.example/svc");
  }

  @Test
  void issuerNeedNotBeAUrl(@TempDir Path directory) throws Exception {
    Path file = Files.writeString(directory.resolve("jwks.json"), new com.nimbusds.jose.jwk.JWKSet(List.of(EC.toPublicJWK())).toString());
    JwtAuthenticator authenticator = authenticator(JwtIssuerConfig.builder("internal issuer #1").jwksFile(file).build());

    assertThat(identityOf(bearer(authenticator, TestTokens.sign(EC, TestTokens.claims("internal issuer #1", "svc", "x").build()))).name())
        .isEqualTo("internal issuer #1/svc");
  }

  @Test
  void hmacIssuerAcceptsOnlyItsOwnSecret() {
    String secret = "a shared secret of at least thirty-two bytes";
    JwtAuthenticator authenticator = authenticator(JwtIssuerConfig.builder("https://hmac.example").hmacSecret(secret).build());
    JWTClaimsSet claims = TestTokens.claims("https://hmac.example", "svc", "x").build();

    assertThat(bearer(authenticator, TestTokens.signHmac(secret.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256, "k", claims)))
        .isInstanceOf(AuthenticationResult.Success.class);
    byte[] wrong = Arrays.copyOf("another secret, also thirty-two bytes long".getBytes(StandardCharsets.UTF_8), 48);
    assertRejected(bearer(authenticator, TestTokens.signHmac(wrong, JWSAlgorithm.HS256, "k", claims)), "invalid signature");
  }

  @Test
  void algorithmsOutsideTheIssuersListAreRejected() {
    JwtAuthenticator rsaOnly = authenticator(issuer().algorithms(List.of("RS256")).build());

    assertRejected(bearer(rsaOnly, TestTokens.sign(EC, claims().build())), "no matching key or algorithm");
    assertRejected(bearer(rsaOnly, TestTokens.sign(ED, claims().build())), "no matching key or algorithm");
  }

  @Test
  void jwksServerDownAtStartDoesNotPreventStartingAndRefusesTokens() {
    jwks.close();
    JwtAuthenticator authenticator = authenticator(issuer().build());

    assertRejected(bearer(authenticator, TestTokens.sign(RSA, claims().build())), "signing keys unavailable");
  }

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
