package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.RSAKey;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.testing.TestCertificate.Usage;
import dev.gatehouse.testing.TestTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decision table for a request's two identities: the mTLS peer ({@code principals}, {@code namespaces}) and the
 * request principal ({@code request-principals}), alone, together, invalid, and neither; and that {@code explain}
 * decides every row exactly as {@code decide} does.
 */
class TwoIdentitiesTest {

  private static final String BASIC = "Basic realm=\"Two\", charset=\"UTF-8\"";
  private static final String BEARER = "Bearer realm=\"Two\"";
  private static final String FRONTEND = "spiffe://cluster.local/ns/shop/sa/frontend";
  private static final String OPS = "spiffe://cluster.local/ns/ops/sa/runner";

  private static final RSAKey KEY = TestTokens.rsa("two-1");
  private static final TestCertificate CA = TestCertificate.ca("Two CA");
  private static final TestCertificate FRONTEND_CERT = client(FRONTEND);
  private static final TestCertificate OPS_CERT = client(OPS);
  private static final TestCertificate SERVER_ONLY_CERT =
      TestCertificate.builder().uri(FRONTEND).usage(Usage.SERVER).issuedBy(CA).build();

  @TempDir static Path directory;
  private static JwksServer jwks;
  private static Gatehouse gatehouse;

  private static TestCertificate client(String spiffeId) {
    return TestCertificate.builder().uri(spiffeId).usage(Usage.CLIENT).issuedBy(CA).build();
  }

  @BeforeAll
  static void start() throws IOException {
    jwks = JwksServer.start(KEY);
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              basic: {realm: Two, htpasswd: %s}
              jwt:
                - issuer: %s
                  jwks-uri: %s
                  audiences: [orders]
                  from-headers: [{name: Authorization, prefix: "Bearer "}]
                  from-params: [access_token]
              client-certificate: {}
            authorization:
              rules:
                - name: health
                  action: allow
                  to: {paths: [/healthz]}
                - name: frontend-for-a-user
                  action: allow
                  from: {principals: ["%s"], request-principals: ["%s/*"]}
                  to: {paths: [/orders/*]}
                - name: only-the-shop-orders
                  action: deny
                  from: {not-namespaces: [shop]}
                  to: {paths: [/orders/*]}
                - name: ops-workloads
                  action: allow
                  from: {namespaces: [ops]}
                  to: {paths: [/ops/*]}
                - name: basic-admin
                  action: allow
                  from: {request-principals: [sha1-user]}
                  to: {paths: [/admin/*]}
                - name: bobs-reports
                  action: allow
                  from: {request-principals: ["*/bob"]}
                  to: {paths: [/reports]}
                - name: users-only-on-the-api
                  action: deny
                  from: {not-request-principals: ["*"]}
                  to: {paths: [/api/*]}
                - name: api
                  action: allow
                  to: {paths: [/api/*]}
            """
                .formatted(htpasswd, jwks.issuer(), jwks.jwksUri(), FRONTEND, jwks.issuer()));
    gatehouse = Gatehouse.create(ConfigLoader.load(yaml));
  }

  @AfterAll
  static void stop() {
    gatehouse.close();
    jwks.close();
  }

  private static String token(String subject) {
    return TestTokens.sign(KEY, TestTokens.claims(jwks.issuer(), subject, "orders").claim("groups", List.of("dev")).build());
  }

  /** One row: a request, the status, and (when allowed) who the app sees as user, and whether XFCC goes along. */
  record Row(String name, FakeRequest request, int status, @Nullable String user) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static FakeRequest mtls(String path, TestCertificate certificate) {
    return FakeRequest.get(path).secure(true).clientCertificates(certificate.chain());
  }

  private static FakeRequest bearer(FakeRequest request, String token) {
    return request.header("Authorization", "Bearer " + token);
  }

  static Stream<Arguments> rows() {
    String alice = jwks.issuer() + "/alice";
    return Stream.of(
            new Row("anonymous on a public path", FakeRequest.get("/healthz"), 200, null),
            new Row("anonymous on a protected path", FakeRequest.get("/orders/1"), 401, null),
            new Row("mTLS alone where a user is also needed: 401, a token would help", mtls("/orders/1", FRONTEND_CERT), 401, null),
            new Row("mTLS and JWT together", bearer(mtls("/orders/1", FRONTEND_CERT), token("alice")), 200, alice),
            new Row("JWT alone where the frontend peer is needed: 403, no token would help", bearer(FakeRequest.get("/orders/1"), token("alice")), 403, null),
            new Row("mTLS of another workload with a JWT: denied by namespace", bearer(mtls("/orders/1", OPS_CERT), token("alice")), 403, null),
            new Row("mTLS alone, rule on the peer's namespace", mtls("/ops/deploy", OPS_CERT), 200, OPS),
            new Row("mTLS alone, another namespace, no user rule applies: 403", mtls("/ops/deploy", FRONTEND_CERT), 403, null),
            new Row("Basic alone, request-principals names the user", FakeRequest.get("/admin/x").basic("sha1-user", "sha1 secret"), 200, "sha1-user"),
            new Row("Basic alone, another user", FakeRequest.get("/admin/x").basic("bcrypt-user", "bcrypt secret"), 403, null),
            new Row("mTLS and Basic, the user does not match iss/*", mtls("/orders/1", FRONTEND_CERT).basic("sha1-user", "sha1 secret"), 403, null),
            new Row("request-principals suffix wildcard matches", bearer(FakeRequest.get("/reports"), token("bob")), 200, jwks.issuer() + "/bob"),
            new Row("request-principals suffix wildcard does not match", bearer(FakeRequest.get("/reports"), token("alice")), 403, null),
            new Row("not-request-principals deny, peer without a user: 401", mtls("/api/x", FRONTEND_CERT), 401, null),
            new Row("not-request-principals deny lifted by a user", bearer(mtls("/api/x", FRONTEND_CERT), token("alice")), 200, alice),
            new Row("invalid JWT beside a valid certificate", bearer(mtls("/healthz", FRONTEND_CERT), token("alice") + "x"), 401, null),
            new Row("valid JWT beside a certificate without clientAuth", bearer(mtls("/orders/1", SERVER_ONLY_CERT), token("alice")), 401, null),
            new Row("wrong Basic password beside a valid certificate", mtls("/healthz", FRONTEND_CERT).basic("sha1-user", "nope"), 401, null),
            new Row(
                "Basic and JWT both valid: two request principals are ambiguous",
                FakeRequest.get("/admin/x").basic("sha1-user", "sha1 secret").query("access_token=" + token("alice")),
                401,
                null))
        .map(row -> Arguments.of(row));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void peerAndRequestPrincipalAreDecidedTogether(Row row) {
    Decision decision = gatehouse.decide(row.request());

    int status = decision instanceof Decision.Refusal refusal ? refusal.status() : 200;
    assertThat(status).as(row.name()).isEqualTo(row.status());
    if (decision instanceof Decision.Allow allow) {
      assertThat(Optional.ofNullable(allow.headers().get(IdentityHeaders.USER))).as(row.name()).isEqualTo(Optional.ofNullable(row.user()));
      boolean hasCertificate = !row.request().clientCertificates().isEmpty();
      assertThat(allow.headers().containsKey(IdentityHeaders.CLIENT_CERT)).as(row.name()).isEqualTo(hasCertificate);
      assertThat(allow.identities().peer().isPresent()).as(row.name()).isEqualTo(hasCertificate);
    }
    if (status == 401) {
      assertThat(((Decision.Refusal) decision).challenges()).as(row.name()).hasSize(2).anyMatch(challenge -> challenge.startsWith("Bearer"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void explainDecidesEveryRowAsDecideDoes(Row row) {
    Explanation explanation = gatehouse.explain(row.request());

    assertThat(explanation.decision()).isEqualTo(gatehouse.decide(row.request()));
    assertThat(explanation.status()).isEqualTo(row.status());
    assertThat(explanation.trace()).first().extracting(Explanation.Step::stage).isEqualTo("path");
  }

  @Test
  void bothIdentitiesReachTheDecisionAndTheUserIsTheRequestPrincipal() {
    Decision.Allow allow = (Decision.Allow) gatehouse.decide(bearer(mtls("/orders/1", FRONTEND_CERT), token("alice")));

    assertThat(allow.identities().peer()).map(Identity::name).contains(FRONTEND);
    assertThat(allow.identities().peer().orElseThrow().attribute(Identity.SPIFFE_NAMESPACE)).contains("shop");
    assertThat(allow.identities().requestPrincipal()).map(Identity::name).contains(jwks.issuer() + "/alice");
    assertThat(allow.identity()).map(Identity::name).contains(jwks.issuer() + "/alice");
    assertThat(allow.headers()).containsEntry(IdentityHeaders.GROUPS, "dev");
  }

  @Test
  void explainNamesTheRuleAndEachAuthenticatorsFinding() {
    Explanation explanation = gatehouse.explain(bearer(mtls("/orders/1", FRONTEND_CERT), token("alice")));

    assertThat(explanation.rule()).contains("frontend-for-a-user");
    assertThat(explanation.path()).contains("/orders/1");
    assertThat(explanation.trace())
        .extracting(Explanation.Step::outcome)
        .contains("peer " + FRONTEND, "request principal " + jwks.issuer() + "/alice", "allowed by rule frontend-for-a-user");
  }

  @Test
  void principalsWithoutClientCertificateAuthenticationFailAtStartNamingTheKey() throws IOException {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Path yaml =
        Files.writeString(
            directory.resolve("old.yaml"),
            "authentication:\n  basic: {htpasswd: " + htpasswd + "}\nauthorization:\n  rules:\n"
                + "    - {action: allow, to: {paths: [/x]}}\n    - {action: allow, from: {principals: [admin, alice]}}\n");

    assertThatThrownBy(() -> ConfigLoader.load(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessage("authorization.rules[1].from.principals[0]: principals match the mTLS peer; use request-principals for Basic users and JWT subjects");
  }

  @Test
  void notPrincipalsNamingAJwtSubjectFailAtStartEvenWithClientCertificates() throws IOException {
    Path yaml =
        Files.writeString(
            directory.resolve("jwt.yaml"),
            "authentication:\n  client-certificate: {}\n  jwt:\n    - {issuer: " + jwks.issuer() + ", jwks-uri: " + jwks.jwksUri() + "}\n"
                + "authorization:\n  rules:\n    - {action: deny, from: {not-principals: [\"" + FRONTEND + "\", \"" + jwks.issuer() + "/alice\"]}}\n");

    assertThatThrownBy(() -> ConfigLoader.load(yaml))
        .hasMessage("authorization.rules[0].from.not-principals[1]: principals match the mTLS peer; use request-principals for Basic users and JWT subjects");
  }

  @Test
  void engineAssembledInCodeRefusesPeerRulesWithoutAPeerAuthenticator() throws IOException {
    Path yaml =
        Files.writeString(
            directory.resolve("rules.yaml"),
            "authentication:\n  client-certificate: {}\nauthorization:\n  rules:\n    - {action: allow, from: {principals: [\"" + FRONTEND + "\"]}}\n");
    Gatehouse.Builder builder =
        Gatehouse.builder()
            .authenticator(dev.gatehouse.authn.Authenticator.assuming(Identity.Kind.REQUEST_PRINCIPAL, Optional.of(Identity.of("alice", "test"))))
            .authorization(ConfigLoader.load(yaml).authorization());

    assertThatThrownBy(builder::build).isInstanceOf(ConfigException.class).hasMessageContaining("authorization.rules[0].from.principals[0]");
  }
}
