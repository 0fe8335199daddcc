package dev.gatehouse.authn.assertion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.Base64URL;
import dev.gatehouse.Decision;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.AssertionConfig;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.SidecarAssertionConfig;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.testing.FakeClock;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.FakeTicker;
import dev.gatehouse.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both ends of the sidecar's assertion through the real engine: what the sidecar's engine signs into an allow decision,
 * and what the application's engine makes of it; hostile cases first.
 */
class SidecarAssertionTest {

  private static final String FRONTEND = "spiffe://cluster.local/ns/shop/sa/frontend";
  private static final Identity ALICE = new Identity("alice", Identity.BASIC, Set.of("ops", "dev"), Map.of());

  @TempDir Path directory;
  private final FakeClock clock = new FakeClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final FakeTicker ticker = new FakeTicker();
  private Path signingKey;
  private Path publicKey;

  @BeforeEach
  void keys() {
    signingKey = TestKeys.writePem(TestKeys.ed25519(), directory, "sidecar");
    publicKey = directory.resolve("sidecar.pub");
  }

  // --- hostile

  @Test
  void requestWithoutAssertionIsRefusedWith401EvenOnAnOpenPath() {
    try (Gatehouse app = app(verifier(publicKey), "{name: open, action: allow, to: {paths: ['/public/*']}}")) {
      FakeRequest forged = FakeRequest.get("/public/x").header("X-Forwarded-User", "admin").header("X-Remote-User", "admin");
      Decision decision = app.decide(forged);
      assertThat(decision).isInstanceOfSatisfying(Decision.Challenge.class, c -> assertThat(c.reason()).contains("did not come through the sidecar"));
    }
  }

  @Test
  void assertionIsSingleUseOnTheSamePathAndAnyOther() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(publicKey))) {
      String assertion = assertionFor(sidecar, FakeRequest.get("/orders"));
      assertThat(app.decide(FakeRequest.get("/orders").header(IdentityHeaders.ASSERTION, assertion))).isInstanceOf(Decision.Allow.class);
      assertThat(reason(app.decide(FakeRequest.get("/orders").header(IdentityHeaders.ASSERTION, assertion)))).contains("replay");
      assertThat(app.decide(FakeRequest.get("/admin").header(IdentityHeaders.ASSERTION, assertion))).isInstanceOf(Decision.Challenge.class);
    }
  }

  @Test
  void assertionForGetIsRefusedForPost() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(publicKey))) {
      String assertion = assertionFor(sidecar, FakeRequest.get("/orders"));
      assertThat(reason(app.decide(FakeRequest.request("POST", "/orders").header(IdentityHeaders.ASSERTION, assertion)))).contains("for method 'GET'");
      assertThat(app.decide(FakeRequest.get("/orders").header(IdentityHeaders.ASSERTION, assertion)))
          .as("a refusal elsewhere does not use the assertion up")
          .isInstanceOf(Decision.Allow.class);
    }
  }

  @Test
  void expiredAndFutureAssertionsAreRefused() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(publicKey))) {
      String assertion = assertionFor(sidecar, FakeRequest.get("/orders"));
      clock.advance(Duration.ofSeconds(10 + 5));
      assertThat(reason(app.decide(FakeRequest.get("/orders").header(IdentityHeaders.ASSERTION, assertion)))).contains("expired");
      clock.advance(Duration.ofSeconds(-30));
      assertThat(reason(app.decide(FakeRequest.get("/orders").header(IdentityHeaders.ASSERTION, assertion)))).contains("future");
    }
  }

  @Test
  void assertionWithinTheSkewIsAccepted() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(publicKey))) {
      String assertion = assertionFor(sidecar, FakeRequest.get("/orders"));
      clock.advance(Duration.ofSeconds(14));
      assertThat(app.decide(FakeRequest.get("/orders").header(IdentityHeaders.ASSERTION, assertion))).isInstanceOf(Decision.Allow.class);
    }
  }

  @Test
  void lifetimeOverTheMaximumIsRefused() {
    AssertionConfig longLived = new AssertionConfig(Optional.of(signingKey), Optional.empty(), Optional.empty(), "sidecar", "orders-app", Duration.ofMinutes(2));
    try (Gatehouse sidecar = sidecar(SidecarAssertion.signer(longLived, clock), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(publicKey))) {
      String assertion = assertionFor(sidecar, FakeRequest.get("/orders"));
      assertThat(reason(app.decide(FakeRequest.get("/orders").header(IdentityHeaders.ASSERTION, assertion)))).contains("lifetime 120 s");
    }
  }

  @Test
  void assertionSignedByAnotherKeyIsRefused() {
    Path otherKey = TestKeys.writePem(TestKeys.ed25519(), directory, "other");
    try (Gatehouse sidecar = sidecar(signer(otherKey), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(publicKey))) {
      String assertion = assertionFor(sidecar, FakeRequest.get("/orders"));
      assertThat(reason(app.decide(FakeRequest.get("/orders").header(IdentityHeaders.ASSERTION, assertion)))).contains("signature does not verify");
    }
  }

  @Test
  void wrongIssuerAndAudienceAreRefused() {
    AssertionConfig otherIssuer = new AssertionConfig(Optional.of(signingKey), Optional.empty(), Optional.empty(), "another-sidecar", "orders-app", Duration.ofSeconds(10));
    AssertionConfig otherAudience = new AssertionConfig(Optional.of(signingKey), Optional.empty(), Optional.empty(), "sidecar", "billing-app", Duration.ofSeconds(10));
    try (Gatehouse a = sidecar(SidecarAssertion.signer(otherIssuer, clock), Optional.of(ALICE), Optional.empty());
        Gatehouse b = sidecar(SidecarAssertion.signer(otherAudience, clock), Optional.of(ALICE), Optional.empty());
        Gatehouse app = app(verifier(publicKey))) {
      assertThat(reason(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, assertionFor(a, FakeRequest.get("/x")))))).contains("iss");
      assertThat(reason(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, assertionFor(b, FakeRequest.get("/x")))))).contains("aud");
    }
  }

  /** The target the container received must be the one the sidecar forwarded, byte for byte. */
  static Stream<String[]> otherTargets() {
    return Stream.of(
        new String[] {"/a/b", null, "/a/./b", null},
        new String[] {"/a/b", null, "/a/x/../b", null},
        new String[] {"/a/b", null, "/a/%62", null},
        new String[] {"/a/~", null, "/a/%7E", null},
        new String[] {"/a/b", null, "/a/b/", null},
        new String[] {"/a/b", "q=1", "/a/b", "q=2"},
        new String[] {"/a/b", "q=1", "/a/b", null},
        new String[] {"/a/b", null, "/a/b", "admin=true"},
        new String[] {"/a/b", "q=%41", "/a/b", "q=A"});
  }

  @ParameterizedTest
  @MethodSource("otherTargets")
  void assertionForAnotherTargetIsRefused(String signedPath, String signedQuery, String path, String query) {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(publicKey))) {
      FakeRequest signed = FakeRequest.get(signedPath);
      if (signedQuery != null) {
        signed.query(signedQuery);
      }
      String assertion = assertionFor(sidecar, signed);
      FakeRequest received = FakeRequest.get(path).header(IdentityHeaders.ASSERTION, assertion);
      if (query != null) {
        received.query(query);
      }
      assertThat(app.decide(received)).isInstanceOf(Decision.Refusal.class);
    }
  }

  @Test
  void htuIsTheCanonicalPathTheSidecarForwardsWithTheRawQuery() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(publicKey))) {
      String assertion = assertionFor(sidecar, FakeRequest.get("//a/./b/%7e").query("x=%20&y"));
      assertThat(claims(assertion)).contains("\"htu\":\"/a/b/~?x=%20&y\"");
      assertThat(app.decide(FakeRequest.get("/a/b/~").query("x=%20&y").header(IdentityHeaders.ASSERTION, assertion))).isInstanceOf(Decision.Allow.class);
    }
  }

  @Test
  void forgedHeadersCannotBeatTheAssertion() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(publicKey))) {
      String tampered = tamper(assertionFor(sidecar, FakeRequest.get("/x")), "\"sub\":\"alice\"", "\"sub\":\"admin\"");
      assertThat(reason(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, tampered)))).contains("signature does not verify");
      String valid = assertionFor(sidecar, FakeRequest.get("/x"));
      assertThat(reason(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, valid).header(IdentityHeaders.ASSERTION, valid)))).contains("more than one");
    }
  }

  @Test
  void algorithmConfusionAndUntypedTokensAreRefused() throws Exception {
    try (Gatehouse app = app(verifier(publicKey))) {
      String payload = Base64URL.encode("{\"iss\":\"sidecar\",\"aud\":\"orders-app\",\"htm\":\"GET\",\"htu\":\"/x\",\"jti\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"iat\":1,\"exp\":2}").toString();
      String none = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"gatehouse-assertion+jwt\"}") + "." + payload + ".";
      assertThat(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, none))).isInstanceOf(Decision.Challenge.class);
      // HS256 keyed with the public key's bytes: the key fixes EdDSA, so no HMAC is ever computed with it.
      String header = Base64URL.encode("{\"alg\":\"HS256\",\"typ\":\"gatehouse-assertion+jwt\"}").toString();
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(Files.readAllBytes(publicKey), "HmacSHA256"));
      String hs = header + "." + payload + "." + Base64URL.encode(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));
      assertThat(reason(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, hs)))).contains("no verification key");
    }
    // An IdP's JWT signed with the same key (a key shared by mistake) lacks the typ and is refused.
    AssertionConfig config = new AssertionConfig(Optional.of(signingKey), Optional.empty(), Optional.empty(), "sidecar", "orders-app", Duration.ofSeconds(10));
    String assertion = SidecarAssertion.signer(config, clock).sign(Identities.ANONYMOUS, "GET", "/x");
    String untyped = tamperHeader(assertion, "\"typ\":\"gatehouse-assertion+jwt\"", "\"typ\":\"JWT\"");
    try (Gatehouse app = app(verifier(publicKey))) {
      assertThat(reason(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, untyped)))).contains("typ");
      assertThat(reason(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, "a.b")))).contains("malformed");
      assertThat(reason(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, "x".repeat(9000))))).contains("longer");
    }
  }

  /** Ed25519 malleability: S + L verifies under a careless check, but RFC 8032 asks for S below L. */
  @Test
  void nonCanonicalEd25519SignatureIsRefused() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(publicKey))) {
      String[] parts = assertionFor(sidecar, FakeRequest.get("/x")).split("\\.");
      byte[] signature = Base64URL.from(parts[2]).decode();
      java.math.BigInteger order = java.math.BigInteger.TWO.pow(252).add(new java.math.BigInteger("27742317777372353535851937790883648493"));
      byte[] s = java.util.Arrays.copyOfRange(signature, 32, 64);
      byte[] bigEndian = new byte[33];
      for (int i = 0; i < 32; i++) {
        bigEndian[32 - i] = s[i];
      }
      byte[] sum = new java.math.BigInteger(bigEndian).add(order).toByteArray();
      byte[] littleEndian = new byte[32];
      for (int i = 0; i < 32 && i < sum.length; i++) {
        littleEndian[i] = sum[sum.length - 1 - i];
      }
      System.arraycopy(littleEndian, 0, signature, 32, 32);
      String malleated = parts[0] + "." + parts[1] + "." + Base64URL.encode(signature);
      assertThat(reason(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, malleated)))).contains("signature does not verify");
    }
  }

  @Test
  void fullReplayCacheRefusesWhatItCanNoLongerVouchFor() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.of(ALICE), Optional.empty());
        Gatehouse app = Gatehouse.builder().authenticator(SidecarAssertion.authenticator(verifier(publicKey), clock, ticker, 2)).build()) {
      List<String> assertions = Stream.generate(() -> assertionFor(sidecar, FakeRequest.get("/x"))).limit(4).toList();
      assertThat(assertions.stream().map(a -> app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, a))))
          .as("the cache forgets some of them, and then refuses rather than risk a replay")
          .anyMatch(Decision.Challenge.class::isInstance);
      for (String assertion : assertions) {
        assertThat(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, assertion))).as("no replay gets through").isInstanceOf(Decision.Challenge.class);
      }
      clock.advance(Duration.ofSeconds(16));
      ticker.advance(Duration.ofSeconds(16));
      assertThat(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, assertionFor(sidecar, FakeRequest.get("/x")))))
          .as("a fresh assertion once the forgotten ones have expired")
          .isInstanceOf(Decision.Allow.class);
    }
  }

  // --- what it carries

  @Test
  void userOnTopOfPeerArrivesAsBothIdentities() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.of(ALICE), Optional.of(Identity.peer(FRONTEND))); Gatehouse app = app(verifier(publicKey))) {
      String assertion = assertionFor(sidecar, FakeRequest.get("/orders"));
      assertThat(claims(assertion))
          .contains("\"sub\":\"alice\"", "\"peer\":\"" + FRONTEND + "\"", "\"groups\":[\"dev\",\"ops\"]", "\"amr\":[\"basic\",\"client_certificate\"]", "\"htm\":\"GET\"");
      Decision.Allow allow = (Decision.Allow) app.decide(FakeRequest.get("/orders").header(IdentityHeaders.ASSERTION, assertion));
      assertThat(allow.identities().requestPrincipal()).contains(ALICE);
      assertThat(allow.identities().peer()).contains(Identity.peer(FRONTEND));
      assertThat(allow.identities().peer().get().attribute(Identity.SPIFFE_NAMESPACE)).contains("shop");
      assertThat(allow.headers()).containsEntry(IdentityHeaders.USER, "alice").containsEntry(IdentityHeaders.GROUPS, "dev,ops").doesNotContainKey(IdentityHeaders.ASSERTION);
    }
  }

  @Test
  void peerAloneStaysThePeer() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.empty(), Optional.of(Identity.peer(FRONTEND)));
        Gatehouse app = app(verifier(publicKey), "{name: shop, action: allow, from: {namespaces: [shop]}}")) {
      String assertion = assertionFor(sidecar, FakeRequest.get("/orders"));
      assertThat(claims(assertion)).contains("\"sub\":\"" + FRONTEND + "\"", "\"amr\":[\"client_certificate\"]");
      Decision.Allow allow = (Decision.Allow) app.decide(FakeRequest.get("/orders").header(IdentityHeaders.ASSERTION, assertion));
      assertThat(allow.identities().requestPrincipal()).isEmpty();
      assertThat(allow.identities().peer().map(Identity::name)).contains(FRONTEND);
    }
  }

  @Test
  void anonymousRequestARuleAllowedCarriesAnAssertionWithoutSub() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.empty(), Optional.empty(), "{name: open, action: allow, to: {paths: ['/public/*']}}");
        Gatehouse app = app(verifier(publicKey), "{name: open, action: allow, to: {paths: ['/public/*']}}")) {
      String assertion = assertionFor(sidecar, FakeRequest.get("/public/x"));
      assertThat(claims(assertion)).doesNotContain("\"sub\"", "\"amr\"", "\"peer\"");
      assertThat(app.decide(FakeRequest.get("/public/x").header(IdentityHeaders.ASSERTION, assertion)))
          .isInstanceOfSatisfying(Decision.Allow.class, allow -> assertThat(allow.identities().isAnonymous()).isTrue());
    }
  }

  @Test
  void clientSentAssertionIsAlwaysRemovedAndSetOnlyByTheEngine() {
    try (Gatehouse sidecar = sidecar(signer(signingKey), Optional.of(ALICE), Optional.empty())) {
      Decision.Allow allow = (Decision.Allow) sidecar.decide(FakeRequest.get("/x").header("x_gatehouse_assertion", "forged"));
      assertThat(allow.requestHeaders().mustRemove("X-Gatehouse-Assertion", List.of())).isTrue();
      assertThat(allow.requestHeaders().mustRemove("x_gatehouse.assertion", List.of())).isTrue();
      assertThat(allow.requestHeaders().mustHide("x-gatehouse-assertion")).isTrue();
      assertThat(allow.headers().get(IdentityHeaders.ASSERTION)).isNotEqualTo("forged").contains(".");
    }
    assertThat(IdentityHeaders.defaults().isCallerIdentityHeader("X-Gatehouse-Assertion")).isTrue();
  }

  @ParameterizedTest
  @MethodSource("algorithms")
  void everyAlgorithmRoundTrips(String algorithm) throws Exception {
    AssertionConfig signing;
    SidecarAssertionConfig verifying;
    if (algorithm.equals("HS256")) {
      Path secret = TestKeys.write(directory.resolve("secret"), "s".repeat(40) + "\n");
      signing = new AssertionConfig(Optional.empty(), Optional.of(secret), Optional.of("k1"), "sidecar", "orders-app", Duration.ofSeconds(10));
      verifying = new SidecarAssertionConfig(Optional.empty(), Optional.of(secret), "sidecar", "orders-app", Duration.ofSeconds(5), Duration.ofSeconds(60));
    } else {
      KeyPair pair = algorithm.equals("ES256") ? TestKeys.p256() : TestKeys.ed25519();
      Path key = TestKeys.writePem(pair, directory, algorithm);
      // Rotation: the JWKS holds the old key and the new, chosen by kid.
      Path jwks = TestKeys.writeJwks(directory.resolve(algorithm + ".jwks"), List.of(TestKeys.publicJwk(TestKeys.ed25519(), "old"), TestKeys.publicJwk(pair, "new")));
      signing = new AssertionConfig(Optional.of(key), Optional.empty(), Optional.of("new"), "sidecar", "orders-app", Duration.ofSeconds(10));
      verifying = verifier(jwks);
    }
    try (Gatehouse sidecar = sidecar(SidecarAssertion.signer(signing, clock), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifying)) {
      String assertion = assertionFor(sidecar, FakeRequest.get("/x"));
      assertThat(new String(Base64URL.from(assertion.split("\\.")[0]).decode(), StandardCharsets.UTF_8)).contains("\"alg\":\"" + (algorithm.equals("Ed25519") ? "EdDSA" : algorithm) + "\"");
      assertThat(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, assertion))).isInstanceOf(Decision.Allow.class);
    }
  }

  static Stream<String> algorithms() {
    return Stream.of("Ed25519", "ES256", "HS256");
  }

  /** The keys people make with OpenSSL: SEC1 P-256 (its curve inside) and PKCS#8 Ed25519, with their public halves. */
  @ParameterizedTest
  @MethodSource("opensslKeys")
  void opensslKeysWork(String generate) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(new java.io.File("/usr/bin/openssl").canExecute(), "openssl is not installed");
    Path key = directory.resolve("openssl.key");
    Path pub = directory.resolve("openssl.pub");
    assertThat(new ProcessBuilder("sh", "-c", generate + " -out " + key + " && openssl pkey -in " + key + " -pubout -out " + pub).inheritIO().start().waitFor()).isZero();
    try (Gatehouse sidecar = sidecar(signer(key), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(pub))) {
      assertThat(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, assertionFor(sidecar, FakeRequest.get("/x"))))).isInstanceOf(Decision.Allow.class);
    }
  }

  static Stream<String> opensslKeys() {
    return Stream.of("openssl ecparam -name prime256v1 -genkey -noout", "openssl genpkey -algorithm ed25519");
  }

  @Test
  void unknownKidIsRefused() {
    Path jwks = TestKeys.writeJwks(directory.resolve("one.jwks"), List.of(TestKeys.publicJwk(TestKeys.ed25519(), "a"), TestKeys.publicJwk(TestKeys.ed25519(), "b")));
    AssertionConfig config = new AssertionConfig(Optional.of(signingKey), Optional.empty(), Optional.of("c"), "sidecar", "orders-app", Duration.ofSeconds(10));
    try (Gatehouse sidecar = sidecar(SidecarAssertion.signer(config, clock), Optional.of(ALICE), Optional.empty()); Gatehouse app = app(verifier(jwks))) {
      assertThat(reason(app.decide(FakeRequest.get("/x").header(IdentityHeaders.ASSERTION, assertionFor(sidecar, FakeRequest.get("/x")))))).contains("kid 'c'");
    }
  }

  // --- configuration

  @Test
  void keyFilesAreCheckedAtStartNamingTheKey() throws Exception {
    Path privateJwks = directory.resolve("private.jwks");
    KeyPair pair = TestKeys.ed25519();
    Files.writeString(privateJwks, new com.nimbusds.jose.jwk.JWKSet(new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, (java.security.interfaces.ECPublicKey) TestKeys.p256().getPublic())
        .privateKey((java.security.interfaces.ECPrivateKey) TestKeys.p256().getPrivate()).keyID("k").build()).toString(false));
    assertThatThrownBy(() -> SidecarAssertion.authenticator(verifier(privateJwks)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("authentication.sidecar-assertion.verification-key: ")
        .hasMessageContaining("private key");
    assertThatThrownBy(() -> SidecarAssertion.authenticator(verifier(signingKey))).hasMessageContaining("PEM public key");
    Path short_ = TestKeys.write(directory.resolve("short"), "too-short-a-secret");
    assertThatThrownBy(() -> SidecarAssertion.signer(new AssertionConfig(Optional.empty(), Optional.of(short_), Optional.empty(), "s", "a", Duration.ofSeconds(1))))
        .hasMessageStartingWith("assertion.hmac-secret-file: ")
        .hasMessageContaining("at least 32 bytes")
        .hasMessageNotContaining("too-short");
    Path rsa = TestKeys.write(directory.resolve("rsa.key"), TestKeys.pem(java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate()));
    assertThatThrownBy(() -> SidecarAssertion.signer(new AssertionConfig(Optional.of(rsa), Optional.empty(), Optional.empty(), "s", "a", Duration.ofSeconds(1))))
        .hasMessageStartingWith("assertion.signing-key: ")
        .hasMessageContaining("Ed25519 or EC P-256");
    assertThat(pair).isNotNull();
  }

  @Test
  void configurationNamesTheKey() throws Exception {
    assertThatThrownBy(() -> load("assertion: {issuer: s, audience: a}\nauthentication: {basic: {htpasswd: " + publicKey + "}}"))
        .hasMessage("assertion.signing-key: missing; set signing-key (a PEM Ed25519 or P-256 key) or hmac-secret-file");
    assertThatThrownBy(() -> load("assertion: {signing-key: " + signingKey + ", issuer: s, audience: a, lifetime: 10m}\nauthentication: {basic: {htpasswd: " + publicKey + "}}"))
        .hasMessage("assertion.lifetime: must be more than 0 and at most 5m");
    assertThatThrownBy(() -> load("authentication: {basic: {htpasswd: " + publicKey + "}, sidecar-assertion: {verification-key: " + publicKey + ", issuer: s, audience: a}}"))
        .hasMessageStartingWith("authentication.sidecar-assertion: configure no other authentication method");
    assertThatThrownBy(() -> load("authentication: {sidecar-assertion: {verification-key: " + publicKey + ", issuer: s}}"))
        .hasMessageStartingWith("authentication.sidecar-assertion.audience: missing");
    assertThatThrownBy(() -> load("authentication: {sidecar-assertion: {verification-key: " + publicKey + ", issuer: 's s', audience: a}}"))
        .hasMessageStartingWith("authentication.sidecar-assertion.issuer: must be printable ASCII");
    GatehouseConfig config =
        load("authentication: {sidecar-assertion: {verification-key: " + publicKey + ", issuer: s, audience: a}}\n"
            + "authorization: {rules: [{action: allow, from: {principals: ['" + FRONTEND + "']}}]}");
    assertThat(config.authentication().sidecarAssertion().get().clockSkew()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.authentication().sidecarAssertion().get().maxLifetime()).isEqualTo(Duration.ofSeconds(60));
    try (Gatehouse app = Gatehouse.create(config)) {
      assertThat(app.decide(FakeRequest.get("/"))).isInstanceOf(Decision.Challenge.class);
    }
  }

  @Test
  void vouchingAuthenticatorMustBeAlone() {
    Authenticator verifier = SidecarAssertion.authenticator(verifier(publicKey));
    assertThatThrownBy(() -> Gatehouse.builder().authenticator(verifier).authenticator(Authenticator.assuming(Identity.Kind.PEER, Optional.empty())).build())
        .isInstanceOf(IllegalStateException.class);
    // A custom authenticator cannot vouch for a peer it did not see.
    Authenticator impostor = new Authenticator() {
      @Override
      public dev.gatehouse.authn.AuthenticationResult authenticate(dev.gatehouse.RequestView request) {
        return dev.gatehouse.authn.AuthenticationResult.vouched(new Identities(Optional.of(Identity.peer(FRONTEND)), Optional.empty()));
      }

      @Override
      public Optional<String> challenge() {
        return Optional.empty();
      }
    };
    try (Gatehouse engine = Gatehouse.builder().authenticator(impostor).build()) {
      assertThat(engine.decide(FakeRequest.get("/"))).isInstanceOf(Decision.Challenge.class);
    }
  }

  // --- helpers

  private GatehouseConfig load(String yaml) throws Exception {
    Path file = directory.resolve("gatehouse.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(file);
  }

  private AssertionSigner signer(Path key) {
    return SidecarAssertion.signer(new AssertionConfig(Optional.of(key), Optional.empty(), Optional.empty(), "sidecar", "orders-app", Duration.ofSeconds(10)), clock);
  }

  private static SidecarAssertionConfig verifier(Path key) {
    return new SidecarAssertionConfig(Optional.of(key), Optional.empty(), "sidecar", "orders-app", Duration.ofSeconds(5), Duration.ofSeconds(60));
  }

  private Gatehouse sidecar(AssertionSigner signer, Optional<Identity> principal, Optional<Identity> peer, String... rules) {
    Gatehouse.Builder builder =
        Gatehouse.builder()
            .authenticator(Authenticator.assuming(Identity.Kind.PEER, peer))
            .authenticator(Authenticator.assuming(Identity.Kind.REQUEST_PRINCIPAL, principal))
            .assertionSigner(signer);
    if (rules.length > 0) {
      builder.authorization(rulesOf(rules));
    }
    return builder.build();
  }

  private Gatehouse app(SidecarAssertionConfig config, String... rules) {
    Gatehouse.Builder builder = Gatehouse.builder().authenticator(SidecarAssertion.authenticator(config, clock, ticker, 1000));
    if (rules.length > 0) {
      builder.authorization(rulesOf(rules));
    }
    return builder.build();
  }

  private dev.gatehouse.config.AuthorizationConfig rulesOf(String... rules) {
    try {
      return load("authentication: {sidecar-assertion: {verification-key: " + publicKey + ", issuer: s, audience: a}}\nauthorization: {rules: [" + String.join(",", rules) + "]}")
          .authorization();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String assertionFor(Gatehouse sidecar, FakeRequest request) {
    Decision decision = sidecar.decide(request);
    assertThat(decision).isInstanceOf(Decision.Allow.class);
    return ((Decision.Allow) decision).headers().get(IdentityHeaders.ASSERTION);
  }

  private static String reason(Decision decision) {
    assertThat(decision).isInstanceOf(Decision.Challenge.class);
    return ((Decision.Challenge) decision).reason();
  }

  private static String claims(String assertion) {
    return new String(Base64URL.from(assertion.split("\\.")[1]).decode(), StandardCharsets.UTF_8);
  }

  private static String tamper(String assertion, String from, String to) {
    String[] parts = assertion.split("\\.");
    return parts[0] + "." + Base64URL.encode(claims(assertion).replace(from, to)) + "." + parts[2];
  }

  private static String tamperHeader(String assertion, String from, String to) {
    String[] parts = assertion.split("\\.");
    String header = new String(Base64URL.from(parts[0]).decode(), StandardCharsets.UTF_8);
    return Base64URL.encode(header.replace(from, to)) + "." + parts[1] + "." + parts[2];
  }
}
