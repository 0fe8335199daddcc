package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DESIGN.md's decision semantics end to end through the engine: path first, then credentials, then rules. */
class GatehouseAuthorizationTest {

  private static final String CHALLENGE = "Basic realm=\"Restricted\", charset=\"UTF-8\"";

  @TempDir Path directory;
  private Gatehouse gatehouse;

  @BeforeEach
  void start() throws IOException {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              basic: {htpasswd: %s}
            authorization:
              rules:
                - name: public-health
                  action: allow
                  to: {methods: [GET], paths: [/healthz, /public/*]}
                - name: admins
                  action: allow
                  from: {request-principals: [sha1-user]}
                - name: readers
                  action: allow
                  from: {request-principals: [bcrypt-user]}
                  to: {methods: [GET]}
                - name: no-admin-area
                  action: deny
                  from: {not-request-principals: [sha1-user]}
                  to: {paths: [/admin/*]}
            """
                .formatted(htpasswd));
    gatehouse = Gatehouse.create(ConfigLoader.load(yaml));
  }

  @AfterEach
  void stop() {
    gatehouse.close();
  }

  @Test
  void anonymousRequestRefusedByARuleIsChallengedWith401() {
    Decision decision = gatehouse.decide(FakeRequest.get("/admin/x"));

    assertThat(decision).isInstanceOf(Decision.Challenge.class);
    assertThat(((Decision.Refusal) decision).challenges()).containsExactly(CHALLENGE);
    assertThat(((Decision.Refusal) decision).reason()).isEqualTo("denied by rule no-admin-area");
  }

  @Test
  void authenticatedRequestRefusedByADenyRuleIs403() {
    Decision decision = gatehouse.decide(FakeRequest.get("/admin/x").basic("bcrypt-user", "bcrypt secret"));

    assertThat(decision).isEqualTo(new Decision.Deny("denied by rule no-admin-area"));
  }

  @Test
  void authenticatedRequestMatchingNoAllowRuleIs403AndAnonymousOne401() {
    assertThat(gatehouse.decide(FakeRequest.request("POST", "/orders").basic("bcrypt-user", "bcrypt secret")))
        .isEqualTo(new Decision.Deny("no allow rule matched"));
    assertThat(gatehouse.decide(FakeRequest.request("POST", "/orders"))).isInstanceOf(Decision.Challenge.class);
  }

  @Test
  void publicPathIsOpenToAnonymousCallers() {
    Decision decision = gatehouse.decide(FakeRequest.get("/public/../healthz"));

    assertThat(decision).isInstanceOfSatisfying(Decision.Allow.class, allow -> {
      assertThat(allow.identities()).isEqualTo(Identities.ANONYMOUS);
      assertThat(allow.headers()).isEmpty();
      assertThat(allow.path()).contains("/healthz");
    });
  }

  @Test
  void invalidCredentialsAre401EvenOnAPublicPath() {
    Decision decision = gatehouse.decide(FakeRequest.get("/healthz").basic("bcrypt-user", "wrong"));

    assertThat(decision).isInstanceOf(Decision.Challenge.class);
  }

  @Test
  void allowCarriesTheCanonicalPathTheRulesSaw() {
    Decision decision = gatehouse.decide(FakeRequest.get("//admin/./x/%2e%2e/y").basic("sha1-user", "sha1 secret"));

    assertThat(decision).isInstanceOf(Decision.Allow.class);
    assertThat(((Decision.Allow) decision).path()).contains("/admin/y");
  }

  @Test
  void dotSegmentsCannotLeaveTheProtectedArea() {
    Decision decision = gatehouse.decide(FakeRequest.get("/public/../admin/x").basic("bcrypt-user", "bcrypt secret"));

    assertThat(decision).isEqualTo(new Decision.Deny("denied by rule no-admin-area"));
  }

  @Test
  void hostilePathIs400BeforeCredentialsAreLookedAt() {
    Decision decision = gatehouse.decide(FakeRequest.get("/public/..;/admin").basic("bcrypt-user", "wrong"));

    assertThat(decision).isEqualTo(new Decision.Reject("; (path parameter) in the path"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"FOO", "get", "Get", "delete", "PROPFIND", "MOVE"})
  void unregisteredMethodIs400BeforeCredentialsAreLookedAt(String method) {
    Decision decision = gatehouse.decide(FakeRequest.request(method, "/healthz").basic("bcrypt-user", "wrong"));

    assertThat(decision).isEqualTo(new Decision.Reject("method not accepted: not registered and named by no rule"));
    assertThat(gatehouse.explain(FakeRequest.request(method, "/healthz")).status()).isEqualTo(400);
  }

  @Test
  void headIsAnsweredAsGetIs() {
    assertThat(gatehouse.decide(FakeRequest.request("HEAD", "/healthz"))).isInstanceOf(Decision.Allow.class);
    assertThat(gatehouse.decide(FakeRequest.request("HEAD", "/orders").basic("bcrypt-user", "bcrypt secret"))).isInstanceOf(Decision.Allow.class);
    assertThat(gatehouse.decide(FakeRequest.request("HEAD", "/admin/x").basic("bcrypt-user", "bcrypt secret")))
        .isEqualTo(new Decision.Deny("denied by rule no-admin-area"));
  }

  @Test
  void containerDispatchingAnotherPathIs400() {
    Decision decision = gatehouse.decide(FakeRequest.get("/public/x").dispatchPath("/admin/x").basic("sha1-user", "sha1 secret"));

    assertThat(decision).isInstanceOf(Decision.Reject.class);
  }

  @Test
  void containerDispatchingTheDecodedCanonicalPathIsFine() {
    Decision decision = gatehouse.decide(FakeRequest.get("/public/caf%c3%a9").dispatchPath("/public/café"));

    assertThat(decision).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void auditLineEscapesAttackerControlledValuesAndHoldsNoCredentials() {
    String line =
        AuditLog.line(
            Instant.parse("2026-11-23T18:00:00Z"),
            "deny",
            403,
            "GET",
            "/a\"b\\c\n{\"x\":1}\u2028é",
            Identity.of("eve\r\n\"", "basic"),
            Optional.of("no-admin-area"),
            "denied by rule no-admin-area");

    assertThat(line)
        .isEqualTo(
            "{\"time\":\"2026-11-23T18:00:00Z\",\"decision\":\"deny\",\"status\":403,\"method\":\"GET\","
                + "\"path\":\"/a\\\"b\\\\c\\u000a{\\\"x\\\":1}\\u2028\\u00e9\",\"principal\":\"eve\\u000d\\u000a\\\"\","
                + "\"rule\":\"no-admin-area\",\"reason\":\"denied by rule no-admin-area\"}");
    assertThat(line).doesNotContain("\n", "\r");
  }

  /** slf4j-simple writes to whatever System.err is at the time of the call, so the audit output can be captured. */
  private static String captureStandardError(Runnable action) {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void everyDenyWritesOneAuditLineWithoutCredentials() {
    String output = captureStandardError(() -> gatehouse.decide(FakeRequest.request("DELETE", "/admin/%2e/x").basic("bcrypt-user", "bcrypt secret")));

    assertThat(output.lines().filter(line -> line.contains("gatehouse.audit"))).hasSize(1);
    assertThat(output)
        .contains("\"decision\":\"deny\",\"status\":403,\"method\":\"DELETE\",\"path\":\"/admin/x\",\"principal\":\"bcrypt-user\",\"rule\":\"no-admin-area\"")
        .doesNotContain("bcrypt secret", "Basic ");
  }

  @Test
  void allowsAreAuditedOnlyWhenAsked() throws IOException {
    assertThat(captureStandardError(() -> gatehouse.decide(FakeRequest.get("/healthz")))).doesNotContain("gatehouse.audit");

    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    try (Gatehouse all =
        Gatehouse.create(
            ConfigLoader.fromTree(
                Map.of("authentication", Map.of("basic", Map.of("htpasswd", htpasswd.toString())), "authorization", Map.of("audit", "all"))))) {
      assertThat(captureStandardError(() -> all.decide(FakeRequest.get("/x").basic("sha1-user", "sha1 secret"))))
          .contains("\"decision\":\"allow\",\"status\":200", "\"principal\":\"sha1-user\"");
    }
    try (Gatehouse none =
        Gatehouse.create(
            ConfigLoader.fromTree(
                Map.of("authentication", Map.of("basic", Map.of("htpasswd", htpasswd.toString())), "authorization", Map.of("audit", "none"))))) {
      assertThat(captureStandardError(() -> none.decide(FakeRequest.get("/x")))).doesNotContain("gatehouse.audit");
    }
  }

  @Test
  void auditLineForAnonymousRequestWithoutRuleHasNulls() {
    String line = AuditLog.line(Instant.EPOCH, "deny", 401, "GET", "/x", null, Optional.empty(), "anonymous");

    assertThat(line).contains("\"principal\":null,\"rule\":null,");
  }

  @Test
  void auditLineCarriesAValidRequestIdAndNeverAnInvalidOne() throws IOException {
    java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    try (Gatehouse audited =
        Gatehouse.builder()
            .config(ConfigLoader.fromTree(Map.of("authentication", Map.of("basic", Map.of("htpasswd", htpasswd.toString())))))
            .auditSink(lines::add)
            .build()) {
      audited.decide(FakeRequest.get("/x").header("X-Request-Id", "req-42"));
      audited.decide(FakeRequest.get("/x").header("X-Request-Id", "has space\",\"forged\":\"1"));
      audited.decide(FakeRequest.get("/x"));
    }

    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("{\"time\":").contains(",\"request_id\":\"req-42\",\"decision\":\"deny\",");
    assertThat(lines.get(1)).doesNotContain("request_id", "forged");
    assertThat(lines.get(2)).doesNotContain("request_id");
  }
}
