package dev.gatehouse.authn.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.gatehouse.Identity;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.JwtIssuerConfig;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.TestTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tokens and key sources an attacker shapes: claims of the wrong type, {@code crit} headers, base64url that decodes to
 * the same bytes in another spelling, redirects and link-local addresses for key material, and subjects that would
 * make two issuers' principals collide.
 */
class HostileJwtTest {

  private static final RSAKey RSA = TestTokens.rsa("rsa-1");
  private static final String AUDIENCE = "orders";

  private final JwksServer jwks = JwksServer.start(RSA);
  private final List<JwtAuthenticator> authenticators = new ArrayList<>();

  @AfterEach
  void stop() {
    authenticators.forEach(JwtAuthenticator::close);
    jwks.close();
  }

  private JwtAuthenticator authenticator(JwtIssuerConfig... configs) {
    JwtAuthenticator authenticator = JwtAuthenticator.create(List.of(configs), JwksSources.DEFAULTS, Clock.systemUTC());
    authenticators.add(authenticator);
    return authenticator;
  }

  private JwtAuthenticator authenticator() {
    return authenticator(JwtIssuerConfig.builder(jwks.issuer()).jwksUri(jwks.jwksUri()).audiences(List.of(AUDIENCE)).build());
  }

  private static AuthenticationResult bearer(JwtAuthenticator authenticator, String token) {
    return authenticator.authenticate(FakeRequest.get("/").header("Authorization", "Bearer " + token));
  }

  private String payload(String subjectJson) {
    long exp = Instant.now().getEpochSecond() + 300;
    return "{\"iss\":\"" + jwks.issuer() + "\",\"sub\":" + subjectJson + ",\"aud\":\"" + AUDIENCE + "\",\"exp\":" + exp + "}";
  }

  /** Signs exactly these base64url texts, as an issuer (or its compromised signer) that encodes oddly would. */
  private static String signEncoded(String header, String payload) {
    try {
      String input = header + "." + payload;
      Base64URL signature = new RSASSASigner(RSA).sign(new JWSHeader(JWSAlgorithm.RS256), input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + signature;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sign(String headerJson, String payloadJson) {
    return signEncoded(Base64URL.encode(headerJson).toString(), Base64URL.encode(payloadJson).toString());
  }

  private static final String HEADER = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}";

  @Test
  void theHonestTokenOfTheseTestsIsAccepted() {
    assertThat(bearer(authenticator(), sign(HEADER, payload("\"alice\"")))).isInstanceOf(AuthenticationResult.Success.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"42", "4.2", "true", "null", "{\"a\":\"b\"}", "[\"alice\"]", "[]", "\"\""})
  void subjectThatIsNotANonEmptyStringIsRefused(String subject) {
    assertThat(bearer(authenticator(), sign(HEADER, payload(subject)))).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void duplicateMembersInTheHeaderOrPayloadAreRefused() {
    String twoSubjects = payload("\"alice\"").replace("\"sub\":\"alice\"", "\"sub\":\"alice\",\"sub\":\"admin\"");
    String twoAlgorithms = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"alg\":\"none\"}";

    assertThat(bearer(authenticator(), sign(HEADER, twoSubjects))).isInstanceOf(AuthenticationResult.Failure.class);
    assertThat(bearer(authenticator(), sign(twoAlgorithms, payload("\"alice\"")))).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"crit\":[]",
        "\"crit\":[\"exp\"],\"exp\":1",
        "\"crit\":[\"kid\"]",
        "\"crit\":[\"alg\"]",
        "\"crit\":[\"https://example.com/x\"],\"https://example.com/x\":true",
        "\"crit\":[\"b64\"],\"b64\":true",
        "\"crit\":\"exp\"",
        "\"crit\":null",
        "\"crit\":{}"
      })
  void anyCritHeaderIsRefused(String crit) {
    String header = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"," + crit + "}";

    assertThat(bearer(authenticator(), sign(header, payload("\"alice\"")))).isInstanceOf(AuthenticationResult.Failure.class);
  }

  /** The same text with the last character's unused low bits set: it decodes to the same bytes. */
  private static String nonCanonical(String part) {
    int unusedBits = part.length() % 4 == 2 ? 4 : part.length() % 4 == 3 ? 2 : 0;
    assertThat(unusedBits).as("a part whose last character has unused bits").isPositive();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int value = alphabet.indexOf(part.charAt(part.length() - 1));
    String changed = part.substring(0, part.length() - 1) + alphabet.charAt(value | 1);
    assertThat(new Base64URL(changed).decode()).isEqualTo(new Base64URL(part).decode());
    return changed;
  }

  /** A JSON text padded with spaces until its base64url form leaves unused bits in the last character. */
  private static String withUnusedBits(String json) {
    String text = json;
    while (Base64URL.encode(text).toString().length() % 4 == 0) {
      text = text.substring(0, text.length() - 1) + " }";
    }
    return text;
  }

  @Test
  void signatureWithNonCanonicalTrailingBitsIsRefused() {
    String token = sign(HEADER, payload("\"alice\""));
    List<String> parts = TestTokens.parts(token);
    String altered = parts.get(0) + "." + parts.get(1) + "." + nonCanonical(parts.get(2));

    assertThat(bearer(authenticator(), altered)).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void headerOrPayloadWithNonCanonicalTrailingBitsIsRefusedEvenWhenSignedSo() {
    String header = Base64URL.encode(withUnusedBits(HEADER)).toString();
    String payload = Base64URL.encode(withUnusedBits(payload("\"alice\""))).toString();
    JwtAuthenticator authenticator = authenticator();

    assertThat(bearer(authenticator, signEncoded(header, payload))).isInstanceOf(AuthenticationResult.Success.class);
    assertThat(bearer(authenticator, signEncoded(nonCanonical(header), payload))).isInstanceOf(AuthenticationResult.Failure.class);
    assertThat(bearer(authenticator, signEncoded(header, nonCanonical(payload)))).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"=", "==", "+", "/", "%3D", "\\"})
  void base64WithPaddingOrAnotherAlphabetIsRefused(String extra) {
    List<String> parts = TestTokens.parts(sign(HEADER, payload("\"alice\"")));

    assertThat(bearer(authenticator(), parts.get(0) + "." + parts.get(1) + "." + parts.get(2) + extra)).isInstanceOf(AuthenticationResult.Failure.class);
    assertThat(bearer(authenticator(), parts.get(0) + extra + "." + parts.get(1) + "." + parts.get(2))).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void jwksFetchNeverFollowsARedirect() {
    JwtAuthenticator authenticator =
        authenticator(JwtIssuerConfig.builder(jwks.issuer()).jwksUri(jwks.redirectingJwksUri()).audiences(List.of(AUDIENCE)).build());

    assertThat(bearer(authenticator, sign(HEADER, payload("\"alice\"")))).isInstanceOf(AuthenticationResult.Failure.class);
    assertThat(jwks.fetches()).isZero();
  }

  @Test
  void discoveryNeverFollowsARedirect() {
    JwtAuthenticator authenticator = authenticator(JwtIssuerConfig.builder(jwks.issuer() + "/moved").discovery(true).build());

    assertThat(bearer(authenticator, sign(HEADER, payload("\"alice\"").replace(jwks.issuer(), jwks.issuer() + "/moved"))))
        .isInstanceOf(AuthenticationResult.Failure.class);
    assertThat(jwks.fetches()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://169.254.169.254/latest/meta-data/jwks",
        "https://169.254.0.1/jwks.json",
        "https://169.254.255.255/jwks.json",
        "https://[fe80::1]/jwks.json",
        "https://[febf::1]/jwks.json",
        "https://[fd00:ec2::254]/jwks.json",
        "https://[::ffff:169.254.169.254]/jwks.json",
        "https://[::169.254.169.254]/jwks.json",
        "https://[64:ff9b::169.254.169.254]/jwks.json",
        "https://[2002:a9fe:a9fe::1]/jwks.json"
      })
  void jwksUriOnALinkLocalOrMetadataAddressIsRefusedAtLoad(String uri) {
    assertThatThrownBy(() -> authenticator(JwtIssuerConfig.builder("https://issuer.example").jwksUri(URI.create(uri)).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwks-uri")
        .hasMessageContaining("link-local")
        .hasMessageNotContaining("\n");
  }

  @Test
  void discoveryOnALinkLocalIssuerIsRefusedAtLoad() {
    assertThatThrownBy(() -> authenticator(JwtIssuerConfig.builder("https://169.254.169.254").discovery(true).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("issuer")
        .hasMessageContaining("link-local");
  }

  @Test
  void jwksUriThatADiscoveryDocumentPointsAtALinkLocalHostIsNeverFetched() throws Exception {
    com.sun.net.httpserver.HttpServer idp = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 4);
    String issuer = "http://127.0.0.1:" + idp.getAddress().getPort();
    idp.createContext("/.well-known/openid-configuration", exchange -> {
      byte[] body = ("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"https://169.254.169.254/latest/jwks.json\"}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    idp.start();
    try {
      JwtAuthenticator authenticator = authenticator(JwtIssuerConfig.builder(issuer).discovery(true).build());

      assertThat(bearer(authenticator, sign(HEADER, payload("\"alice\"").replace(jwks.issuer(), issuer)))).isInstanceOf(AuthenticationResult.Failure.class);
      // Refused before connecting, not timed out trying: the reason names the address.
      assertThat(authenticator.sources()).singleElement().satisfies(status -> assertThat(status.lastError()).hasValueSatisfying(error -> assertThat(error).contains("link-local")));
    } finally {
      idp.stop(0);
    }
  }

  @Test
  void principalsOfAnIssuerAndAnIssuerUnderItsUrlNeverCollide() {
    String outer = "https://a.example";
    String inner = "https://a.example/x";
    JwtAuthenticator authenticator =
        authenticator(JwtIssuerConfig.builder(outer).jwksUri(jwks.jwksUri()).build(), JwtIssuerConfig.builder(inner).jwksUri(jwks.jwksUri()).build());
    long exp = Instant.now().getEpochSecond() + 300;

    Identity fromOuter = identity(bearer(authenticator, sign(HEADER, "{\"iss\":\"" + outer + "\",\"sub\":\"x/y\",\"exp\":" + exp + "}")));
    Identity fromInner = identity(bearer(authenticator, sign(HEADER, "{\"iss\":\"" + inner + "\",\"sub\":\"y\",\"exp\":" + exp + "}")));
    Identity percent = identity(bearer(authenticator, sign(HEADER, "{\"iss\":\"" + outer + "\",\"sub\":\"x%2Fy\",\"exp\":" + exp + "}")));

    assertThat(fromOuter.name()).isEqualTo("https://a.example/x%2Fy");
    assertThat(fromInner.name()).isEqualTo("https://a.example/x/y");
    assertThat(percent.name()).isEqualTo("https://a.example/x%252Fy");
    assertThat(fromOuter.attribute("sub")).hasValue("x/y");
  }

  private static Identity identity(AuthenticationResult result) {
    assertThat(result).isInstanceOf(AuthenticationResult.Success.class);
    return ((AuthenticationResult.Success) result).identity();
  }
}
