package dev.gatehouse.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.Decision;
import dev.gatehouse.Explanation;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.TestTokens;
import dev.gatehouse.testing.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One YAML file, one table of requests, three deliveries: filter, starter and sidecar must give the same status, the
 * same challenge, and the app must see the same identity. A failure here means a decision leaked out of core into an
 * adapter.
 */
class ConformanceTest {

  private static final String CHALLENGE = "Basic realm=\"Conformance\", charset=\"UTF-8\"";
  private static final String BEARER = "Bearer realm=\"Conformance\"";

  /** A real JWKS endpoint for the JWT rows; every delivery fetches the same keys from it. */
  private static final RSAKey KEY = TestTokens.rsa("conformance-1");
  private static final JwksServer JWKS = JwksServer.start(KEY);

  /** Rules that leave the authentication rows' answers as they are and give the authorization rows theirs. */
  private static final String AUTHORIZATION =
      """
      headers:
        pass-from-client: [X-Forwarded-Prefix]
      authorization:
        rules:
          - name: public
            action: allow
            to: {methods: [GET], paths: [/public/*]}
          - name: authenticated
            action: allow
            from: {request-principals: ["*"]}
          - name: admin-area
            action: deny
            from: {not-request-principals: [sha1-user]}
            to: {paths: [/admin/*]}
          - name: no-deletes
            action: deny
            to: {methods: [DELETE]}
      """;

  @TempDir static Path directory;
  private static final List<Delivery> deliveries = new ArrayList<>();
  /** The engine the deliveries embed, asked directly: what {@code check} and {@code explain} answer. */
  private static Gatehouse engine;

  /** What a client sees: status, challenges, body. */
  record Answer(int status, List<String> challenges, String body) {
    static Answer challenged() {
      return new Answer(401, List.of(CHALLENGE, BEARER), "Unauthorized\n");
    }

    static Answer invalidToken(String description) {
      return new Answer(
          401, List.of(CHALLENGE, BEARER + ", error=\"invalid_token\", error_description=\"" + description + "\""), "Unauthorized\n");
    }

    static Answer allowed(String user) {
      return new Answer(200, List.of(), WhoAmI.describe(user, List.of(user)));
    }
  }

  @BeforeAll
  static void startDeliveries() throws Exception {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            "authentication:\n  basic:\n    realm: Conformance\n    htpasswd: "
                + htpasswd
                // The table repeats failed logins on purpose (and explain and decide each count one); the failure
                // budget has its own rows in HostileRequestsConformanceTest.
                + "\n    failure-budget: {peer-burst: 0, user-burst: 0}"
                + "\n  jwt:\n    - issuer: "
                + JWKS.issuer()
                + "\n      jwks-uri: "
                + JWKS.jwksUri()
                + "\n      audiences: [conformance]\n      max-token-size: 4096"
                + "\n      from-headers: [{name: Authorization, prefix: \"Bearer \"}]\n      from-params: [access_token]\n"
                + AUTHORIZATION);
    engine = Gatehouse.create(ConfigLoader.load(yaml));
    deliveries.add(Delivery.filter(yaml));
    deliveries.add(Delivery.starter(yaml));
    deliveries.add(Delivery.sidecar(yaml));
  }

  @AfterAll
  static void stopDeliveries() throws Exception {
    engine.close();
    for (Delivery delivery : deliveries) {
      delivery.close();
    }
    JWKS.close();
  }

  static Stream<Arguments> requests() {
    // The unpadded row only tests something if the credentials need padding.
    assertThat(base64("sha256-user:sha256 secret")).endsWith("=");
    return Stream.of(
        row("no credentials", "", Answer.challenged()),
        row("wrong password", auth(basic("bcrypt-user", "bcrypt secreT")), Answer.challenged()),
        row("unknown user", auth(basic("mallory", "bcrypt secret")), Answer.challenged()),
        row("empty password", auth(basic("bcrypt-user", "")), Answer.challenged()),
        row("bcrypt $2y$", auth(basic("bcrypt-user", "bcrypt secret")), Answer.allowed("bcrypt-user")),
        row("bcrypt $2a$", auth(basic("bcrypt-2a-user", "bcrypt-2a secret")), Answer.allowed("bcrypt-2a-user")),
        row("bcrypt $2b$", auth(basic("bcrypt-2b-user", "bcrypt-2b secret")), Answer.allowed("bcrypt-2b-user")),
        row("apr1", auth(basic("apr1-user", "apr1 secret")), Answer.allowed("apr1-user")),
        row("{SHA}", auth(basic("sha1-user", "sha1 secret")), Answer.allowed("sha1-user")),
        row("{SSHA}", auth(basic("ssha-user", "ssha secret")), Answer.allowed("ssha-user")),
        row("SHA-256 crypt", auth(basic("sha256-user", "sha256 secret")), Answer.allowed("sha256-user")),
        row("SHA-512 crypt", auth(basic("sha512-user", "sha512 secret")), Answer.allowed("sha512-user")),
        row("SHA-512 crypt with rounds", auth(basic("sha512-rounds-user", "sha512 rounds secret")), Answer.allowed("sha512-rounds-user")),
        row("UTF-8 password with colons", auth(basic("unicode-user", "pässwörd:with:colons ✓")), Answer.allowed("unicode-user")),
        row("UTF-8 user name", auth(basic("jürgen", "jürgen secret")), Answer.allowed("jürgen")),
        row("lower-case scheme", "Authorization: basic " + base64("sha1-user:sha1 secret") + "\r\n", Answer.allowed("sha1-user")),
        row("scheme alone", "Authorization: Basic\r\n", Answer.challenged()),
        row("bad base64", "Authorization: Basic !!!!\r\n", Answer.challenged()),
        row("no colon", auth("Basic " + base64("bcrypt-user")), Answer.challenged()),
        row("unpadded base64", auth("Basic " + base64("sha256-user:sha256 secret").replace("=", "")), Answer.challenged()),
        row("non-canonical base64", auth("Basic YR=="), Answer.challenged()),
        row("empty user", auth(basic("", "sha1 secret")), Answer.challenged()),
        row("invalid UTF-8", auth("Basic " + Base64.getEncoder().encodeToString(new byte[] {'a', (byte) 0xff, ':', 'b'})), Answer.challenged()),
        row("two Authorization headers", auth(basic("sha1-user", "sha1 secret")) + auth(basic("mallory", "x")), Answer.challenged()),
        row("unsigned bearer token", "Authorization: Bearer eyJhbGciOiJub25lIn0.e30.\r\n", Answer.invalidToken("malformed token")),
        row("other scheme", "Authorization: Digest username=\"a\"\r\n", Answer.challenged()),
        row("forged X-Forwarded-User alone", "X-Forwarded-User: admin\r\n", Answer.challenged()),
        row(
            "forged X-Forwarded-User in every spelling beside valid credentials",
            auth(basic("sha1-user", "sha1 secret")) + "X-Forwarded-User: admin\r\nx_forwarded_user: admin\r\nX.Forwarded.User: admin\r\nX-FORWARDED-USER: admin\r\n",
            Answer.allowed("sha1-user")),
        row("JWT: valid RS256", bearer(token(claims())), Answer.allowed(JWKS.issuer() + "/alice")),
        row("JWT: lower-case scheme", "Authorization: bearer " + token(claims()) + "\r\n", Answer.allowed(JWKS.issuer() + "/alice")),
        row(
            "JWT: forged X-Forwarded-User beside a valid token",
            bearer(token(claims())) + "X-Forwarded-User: admin\r\nx_forwarded_user: admin\r\n",
            Answer.allowed(JWKS.issuer() + "/alice")),
        row("JWT: expired", bearer(token(claims().issueTime(past(600)).expirationTime(past(300)))), Answer.invalidToken("token expired")),
        row("JWT: not yet valid", bearer(token(claims().notBeforeTime(Date.from(Instant.now().plusSeconds(600))))), Answer.invalidToken("token not yet valid")),
        row("JWT: wrong audience", bearer(token(claims().audience("payroll"))), Answer.invalidToken("audience not accepted")),
        row("JWT: unknown issuer", bearer(token(claims().issuer("https://evil.example"))), Answer.invalidToken("unknown issuer")),
        row("JWT: tampered payload", bearer(tampered()), Answer.invalidToken("invalid signature")),
        row("JWT: HS256 signed with the RSA public key", bearer(hmacWithPublicKey()), Answer.invalidToken("no matching key or algorithm")),
        row("JWT: alg NONE", bearer(TestTokens.raw("{\"alg\":\"NONE\"}", claims().build().toString(), new byte[0])), Answer.invalidToken("malformed token")),
        // Under the containers' 8 KiB header limit, over the configured max-token-size.
        row("JWT: oversize", bearer(token(claims().claim("padding", "x".repeat(5 * 1024)))), Answer.invalidToken("token too large")),
        rowWithQuery("JWT: token in the configured query parameter", "q=1&access_token=" + token(claims()), Answer.allowed(JWKS.issuer() + "/alice")),
        rowWithQuery("JWT: expired token in the query parameter", "access_token=" + token(claims().issueTime(past(600)).expirationTime(past(300))), Answer.invalidToken("token expired")),
        rowWithQuery("JWT: token in a query parameter nobody reads", "id_token=" + token(claims()), Answer.challenged()),
        row("JWT: token in a cookie nobody reads", "Cookie: access_token=" + token(claims()) + "\r\n", Answer.challenged()),
        row("JWT: Basic and Bearer headers together", auth(basic("sha1-user", "sha1 secret")) + bearer(token(claims())), Answer.challenged()),
        row(
            "routing and trust headers never reach the app",
            auth(basic("sha1-user", "sha1 secret"))
                + "X-Original-URL: /admin\r\nX_Original_URL: /admin\r\nX-Rewrite-URL: /admin\r\nX-Original-URI: /admin\r\n"
                + "X-Forwarded-Uri: /admin\r\nClient-Cert: :AAAA:\r\nX-SSL-Client-Verify: SUCCESS\r\nX-Client-Cert-Chain: x\r\n"
                + "X-Remote-Group: admins\r\nX-Remote-Extra-Scopes: all\r\nX-Auth-Request-Redirect: /admin\r\nX-Pomerium-Jwt-Assertion: x\r\n",
            Answer.allowed("sha1-user")),
        row(
            "framing names in a folded spelling never reach the app",
            auth(basic("sha1-user", "sha1 secret")) + "Transfer_Encoding: chunked\r\nTransfer.Encoding: chunked\r\nContent.Length: 5\r\nKeep_Alive: 5\r\n",
            Answer.allowed("sha1-user")),
        row(
            "a routing header the configuration passes reaches the app",
            auth(basic("sha1-user", "sha1 secret")) + "X-Forwarded-Prefix: /shop\r\nX-Original-URL: /admin\r\n",
            new Answer(200, List.of(), WhoAmI.describe("sha1-user", List.of("sha1-user"), false, List.of(), List.of("X-Forwarded-Prefix: /shop")))));
  }

  private static JWTClaimsSet.Builder claims() {
    return TestTokens.claims(JWKS.issuer(), "alice", "conformance");
  }

  private static String token(JWTClaimsSet.Builder claims) {
    return TestTokens.sign(KEY, claims.build());
  }

  private static Date past(long seconds) {
    return Date.from(Instant.now().minusSeconds(seconds));
  }

  private static String tampered() {
    String[] parts = token(claims()).split("\\.");
    String payload = TestTokens.payloadOf(String.join(".", parts)).replace("\"alice\"", "\"admin\"");
    return parts[0] + "." + Base64URL.encode(payload) + "." + parts[2];
  }

  private static String hmacWithPublicKey() {
    try {
      return TestTokens.signHmac(KEY.toRSAPublicKey().getEncoded(), JWSAlgorithm.HS256, KEY.getKeyID(), claims().build());
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String bearer(String token) {
    return "Authorization: Bearer " + token + "\r\n";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void everyDeliveryGivesTheSameAnswer(String name, String query, String headers, Answer expected) throws IOException {
    for (Delivery delivery : deliveries) {
      RawHttp.Response response = RawHttp.exchange(delivery.port(), "GET /conformance?" + query + " HTTP/1.1\r\nHost: app.test\r\n" + headers);

      assertThat(answer(response)).as("%s through the %s", name, delivery).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void explainAnswersEveryRowAsTheDeliveriesDo(String name, String query, String headers, Answer expected) {
    HeadView request = HeadView.parse("GET /conformance?" + query + " HTTP/1.1\r\nHost: app.test\r\n" + headers, List.of());

    Explanation explanation = engine.explain(request);

    assertThat(explanation.status()).as(name).isEqualTo(expected.status());
    assertThat(explanation.decision()).as(name).isEqualTo(engine.decide(request));
    if (explanation.decision() instanceof Decision.Refusal refusal) {
      assertThat(refusal.challenges()).as(name).isEqualTo(expected.challenges());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("authorizationRequests")
  void explainAuthorizesEveryRowAsTheDeliveriesDo(String name, String requestLine, String headers, Answer expected) {
    HeadView request = HeadView.parse(requestLine + " HTTP/1.1\r\nHost: app.test\r\n" + headers, List.of());

    Explanation explanation = engine.explain(request);

    assertThat(explanation.status()).as(name).isEqualTo(expected.status());
    assertThat(explanation.decision()).as(name).isEqualTo(engine.decide(request));
  }

  static Stream<Arguments> authorizationRequests() {
    String user = auth(basic("bcrypt-user", "bcrypt secret"));
    String admin = auth(basic("sha1-user", "sha1 secret"));
    Answer forbidden = new Answer(403, List.of(), "Forbidden\n");
    return Stream.of(
        Arguments.of("anonymous on a public path", "GET /public/x", "", new Answer(200, List.of(), WhoAmI.describe("null", List.of()))),
        Arguments.of(
            "anonymous on a public path with a forged identity header",
            "GET /public/x",
            "X-Forwarded-User: sha1-user\r\n",
            new Answer(200, List.of(), WhoAmI.describe("null", List.of()))),
        Arguments.of("anonymous in the admin area", "GET /admin/x", "", Answer.challenged()),
        Arguments.of("user in the admin area", "GET /admin/x", user, forbidden),
        Arguments.of("admin in the admin area", "GET /admin/x", admin, Answer.allowed("sha1-user")),
        Arguments.of("user climbing into the admin area", "GET /public/../admin/x", user, forbidden),
        Arguments.of("anonymous climbing into the admin area", "GET /public/../admin/x", "", Answer.challenged()),
        Arguments.of("user with an encoded letter", "GET /%61dmin/x", user, forbidden),
        Arguments.of("user with another case", "GET /ADMIN/x", user, Answer.allowed("bcrypt-user")),
        Arguments.of("admin deleting", "DELETE /x", admin, forbidden),
        Arguments.of("anonymous deleting", "DELETE /x", "", Answer.challenged()),
        Arguments.of("anonymous elsewhere", "GET /x", "", Answer.challenged()),
        Arguments.of("wrong password on a public path", "GET /public/x", auth(basic("bcrypt-user", "nope")), Answer.challenged()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("authorizationRequests")
  void everyDeliveryAuthorizesTheSame(String name, String requestLine, String headers, Answer expected) throws IOException {
    for (Delivery delivery : deliveries) {
      RawHttp.Response response = RawHttp.exchange(delivery.port(), requestLine + " HTTP/1.1\r\nHost: app.test\r\n" + headers);

      assertThat(answer(response)).as("%s through the %s", name, delivery).isEqualTo(expected);
    }
  }

  private static Answer answer(RawHttp.Response response) {
    List<String> challenges = new ArrayList<>();
    for (String line : response.head().split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("WWW-Authenticate")) {
        challenges.add(line.substring(colon + 1).strip());
      }
    }
    return new Answer(response.status(), challenges, response.body());
  }

  private static Arguments row(String name, String headers, Answer expected) {
    return Arguments.of(name, "q=1", headers, expected);
  }

  private static Arguments rowWithQuery(String name, String query, Answer expected) {
    return Arguments.of(name, query, "", expected);
  }

  private static String auth(String value) {
    return "Authorization: " + value + "\r\n";
  }

  private static String basic(String user, String password) {
    return RawHttp.basic(user, password);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
