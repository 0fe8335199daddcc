package dev.gatehouse.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 15, class 3: a rule must match a request the way the backend behind Gatehouse reads it. HEAD is served by the
 * GET handler, a method name is case-sensitive and an unregistered one is refused, a header is a list however it is
 * split over lines and commas, {@code /x/} is routed as {@code /x}, and an e-mail address has exactly one {@code @}.
 */
class RulesMatchAsBackendsReadTest {

  @TempDir Path directory;
  private Path htpasswd;

  private static final Identity BOB = new Identity("bob", Identity.BASIC, Set.of("dev"), Map.of());

  @BeforeEach
  void htpasswd() {
    htpasswd = Fixtures.copy("formats.htpasswd", directory);
  }

  private PolicyEngine rules(String yaml) {
    try {
      Path file = Files.writeString(directory.resolve("gatehouse.yaml"), "authentication:\n  basic:\n    htpasswd: " + htpasswd + "\nauthorization:\n" + yaml.indent(2));
      return PolicyEngine.compile(ConfigLoader.load(file).authorization());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean allowed(PolicyEngine engine, FakeRequest request, Identity identity) {
    Identities identities = identity == null ? Identities.ANONYMOUS : new Identities(Optional.empty(), Optional.of(identity));
    return engine.evaluate(request, request.path(), identities).allowed();
  }

  private static Identity withEmail(Object email) {
    return new Identity("https://issuer.example/u-1", Identity.JWT, Set.of(), Map.of(Identity.CLAIMS, Map.of("email", email)));
  }

  // --- methods

  @Test
  void denyOnGetCoversHead() {
    PolicyEngine engine = rules("rules:\n  - {action: deny, to: {methods: [GET], paths: [/admin/*]}}\n");

    assertThat(allowed(engine, FakeRequest.request("HEAD", "/admin/x"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.request("GET", "/admin/x"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.request("POST", "/admin/x"), BOB)).isTrue();
  }

  @Test
  void allowOnGetCoversHeadAndNotMethodsGetExcludesHeadToo() {
    PolicyEngine engine = rules("rules:\n  - {action: allow, to: {methods: [GET], paths: [/public/*]}}\n  - {action: deny, to: {not-methods: [GET]}, from: {request-principals: [bob]}}\n");

    assertThat(allowed(engine, FakeRequest.request("HEAD", "/public/x"), null)).isTrue();
    assertThat(allowed(engine, FakeRequest.request("HEAD", "/public/x"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.request("POST", "/public/x"), BOB)).isFalse();
  }

  @Test
  void ruleNamingHeadDoesNotCoverGet() {
    PolicyEngine engine = rules("rules:\n  - {action: deny, to: {methods: [HEAD]}}\n");

    assertThat(allowed(engine, FakeRequest.request("HEAD", "/"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.request("GET", "/"), BOB)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"FOO", "delete", "Delete", "get", "DELETE ", "PROPFIND", "MOVE", "BREW", "-"})
  void unregisteredMethodsPassNoDenyRuleBecauseTheyAreRefused(String method) {
    PolicyEngine engine = rules("rules:\n  - {action: deny, to: {methods: [DELETE]}}\n");

    assertThat(engine.acceptsMethod(method)).isFalse();
    assertThat(allowed(engine, FakeRequest.request(method, "/"), BOB)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"})
  void registeredMethodsAreAccepted(String method) {
    assertThat(rules("rules: []").acceptsMethod(method)).isTrue();
  }

  @Test
  void aMethodARuleNamesIsAccepted() {
    PolicyEngine engine = rules("rules:\n  - {action: allow, to: {methods: [PROPFIND, MKCOL]}}\n  - {action: deny, to: {not-methods: [REPORT]}, from: {request-principals: [nobody]}}\n");

    assertThat(engine.acceptsMethod("PROPFIND")).isTrue();
    assertThat(engine.acceptsMethod("MKCOL")).isTrue();
    assertThat(engine.acceptsMethod("REPORT")).isTrue();
    assertThat(engine.acceptsMethod("MOVE")).isFalse();
    assertThat(engine.acceptsMethod("propfind")).isFalse();
    assertThat(allowed(engine, FakeRequest.request("PROPFIND", "/"), BOB)).isTrue();
  }

  // --- header conditions

  @Test
  void denyOnAHeaderValueMatchesItInACommaJoinedList() {
    PolicyEngine engine = rules("rules:\n  - {action: deny, when: [{key: 'request.headers[X-Role]', values: [admin]}]}\n");

    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "guest,admin"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "guest, admin"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "guest ,\tadmin\t"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "guest").header("x-role", "admin"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "\"guest,admin\""), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "\"admin\""), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "guest"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/"), BOB)).isTrue();
  }

  @Test
  void allowOnAHeaderValueNeedsEveryElementAllowed() {
    PolicyEngine engine = rules("rules:\n  - {action: allow, when: [{key: 'request.headers[X-Tenant]', values: [blue, 'green-*']}]}\n");

    assertThat(allowed(engine, FakeRequest.get("/").header("X-Tenant", "blue"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Tenant", "blue, green-2"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Tenant", "blue,red"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Tenant", "blue").header("X-Tenant", "red"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Tenant", "red, blue"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Tenant", ", ,"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Tenant", "blue,,"), BOB)).isTrue();
  }

  @Test
  void allowWithNotValuesRefusesAListHoldingAnExcludedElement() {
    PolicyEngine engine = rules("rules:\n  - {action: allow, when: [{key: 'request.headers[X-Role]', not-values: [admin]}]}\n");

    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "guest"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "guest,admin"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "guest").header("X-Role", "admin"), BOB)).isFalse();
  }

  @Test
  void denyWithNotValuesFiresWhenAnyElementIsOutsideTheList() {
    PolicyEngine engine = rules("rules:\n  - {action: deny, when: [{key: 'request.headers[X-Role]', not-values: [admin]}]}\n");

    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "admin"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "admin, guest"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Role", "admin").header("X-Role", "guest"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/"), BOB)).isFalse();
  }

  @Test
  void headerConditionsReadEverySpellingABackendFoldsIntoTheName() {
    PolicyEngine deny = rules("rules:\n  - {action: deny, when: [{key: 'request.headers[X-Role]', values: [admin]}]}\n");
    assertThat(allowed(deny, FakeRequest.get("/").header("X_Role", "admin"), BOB)).isFalse();
    assertThat(allowed(deny, FakeRequest.get("/").header("x.role", "admin"), BOB)).isFalse();
    assertThat(allowed(deny, FakeRequest.get("/").header("X-Role", "guest").header("X_ROLE", "admin"), BOB)).isFalse();
    assertThat(allowed(deny, FakeRequest.get("/").header("XRole", "admin"), BOB)).isTrue();

    PolicyEngine allow = rules("rules:\n  - {action: allow, when: [{key: 'request.headers[X-Tenant]', values: [blue]}]}\n");
    assertThat(allowed(allow, FakeRequest.get("/").header("X-Tenant", "blue").header("X_Tenant", "red"), BOB)).isFalse();
    assertThat(allowed(allow, FakeRequest.get("/").header("X_Tenant", "blue"), BOB)).isTrue();
  }

  @Test
  void spellingsCoverEverySeparatorUpToThreeAndTheUniformOnesBeyond() {
    assertThat(CompiledRule.Condition.spellings("X-A-B")).hasSize(9).contains("X_A.B", "X.A_B");
    assertThat(CompiledRule.Condition.spellings("A-B-C-D-E")).containsExactly("A-B-C-D-E", "A_B_C_D_E", "A.B.C.D.E");
  }

  @Test
  void headerValuePatternWithACommaIsRefusedAtLoad() {
    assertThatThrownBy(() -> rules("rules:\n  - {action: deny, when: [{key: 'request.headers[X-Role]', values: ['guest,admin']}]}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("authorization.rules[0].when[0].values[0]: a header value is matched element by element, split at commas, so a pattern with a comma can never match, found guest,admin");
  }

  // --- trailing slash

  @ParameterizedTest(name = "deny {0} covers {1}")
  @CsvSource({
    "/admin, /admin/",
    "/admin, /admin",
    "/admin/*, /admin/",
    "/admin/*, /admin/x/",
    "'*.json', /report.json/",
    "'*/secret', /a/secret/",
    "/api/{*}/orders, /api/v1/orders/",
    "/{**}/secret, /a/b/secret/",
    "/files/{**}, /files/",
  })
  void denyCoversThePathWithATrailingSlash(String pattern, String path) {
    PolicyEngine engine = rules("rules:\n  - action: deny\n    to: {paths: ['" + pattern + "']}\n");

    assertThat(allowed(engine, FakeRequest.get(path), BOB)).isFalse();
  }

  @Test
  void allowOnAnExactPathStaysExactButItsNotPathsExcludeTheSlashedForm() {
    PolicyEngine engine = rules("rules:\n  - {action: allow, to: {paths: [/public]}}\n  - {action: allow, from: {request-principals: [bob]}, to: {not-paths: [/admin]}}\n");

    assertThat(allowed(engine, FakeRequest.get("/public"), null)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/public/"), null)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/admin/"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/admin"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/other/"), BOB)).isTrue();
  }

  @Test
  void denyWithNotPathsStillDeniesTheSlashedFormOfAnExemptPath() {
    // Exempting /healthz must not exempt /healthz/: the exemption is the narrow side of a deny.
    PolicyEngine engine = rules("rules:\n  - {action: deny, to: {not-paths: [/healthz]}}\n");

    assertThat(allowed(engine, FakeRequest.get("/healthz"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/healthz/"), BOB)).isFalse();
  }

  // --- e-mail conditions

  @ParameterizedTest(name = "{0} is not an address at good.example")
  @ValueSource(strings = {"a@evil@good.example", "@good.example", "a@", "good.example", "a@b@", "a@evil.example", "a@good.example.evil", "a@sub.good.example"})
  void emailConditionComparesAddressesNotStrings(String email) {
    PolicyEngine engine = rules("rules:\n  - {action: allow, when: [{key: claims.email, values: ['*@good.example']}]}\n");

    assertThat(allowed(engine, FakeRequest.get("/"), withEmail(email))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a@good.example", "a@GOOD.Example", "A.B+tag@good.example"})
  void emailDomainIsComparedCaseInsensitively(String email) {
    PolicyEngine engine = rules("rules:\n  - {action: allow, when: [{key: claims.email, values: ['*@Good.Example', alice@good.example]}]}\n");

    assertThat(allowed(engine, FakeRequest.get("/"), withEmail(email))).isTrue();
  }

  @Test
  void emailLocalPartStaysCaseSensitive() {
    PolicyEngine engine = rules("rules:\n  - {action: allow, when: [{key: claims.email, values: [alice@good.example]}]}\n");

    assertThat(allowed(engine, FakeRequest.get("/"), withEmail("alice@GOOD.example"))).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/"), withEmail("Alice@good.example"))).isFalse();
  }

  @Test
  void malformedEmailFiresADenyAndPassesNoAllowExclusion() {
    PolicyEngine deny = rules("rules:\n  - {action: deny, when: [{key: claims.email, not-values: ['*@good.example']}]}\n");
    assertThat(allowed(deny, FakeRequest.get("/"), withEmail("a@evil@good.example"))).isFalse();
    assertThat(allowed(deny, FakeRequest.get("/"), withEmail("a@good.example"))).isTrue();

    PolicyEngine allow = rules("rules:\n  - {action: allow, when: [{key: claims.email, not-values: ['*@evil.example']}]}\n");
    assertThat(allowed(allow, FakeRequest.get("/"), withEmail("a@good@evil.example"))).isFalse();
    assertThat(allowed(allow, FakeRequest.get("/"), withEmail("a@good.example"))).isTrue();
  }

  @ParameterizedTest(name = "deny on evil.example catches {0}")
  @ValueSource(strings = {"a@evil.example", "a@EVIL.example", "a@evil.example.", "a@evil.example ", " a@evil.example", "a@evil.example\t", "a@evil.example\u200b", "a@good@evil.example", "\"a@good\"@evil.example"})
  void denyOnADomainCatchesEverySpellingOfIt(String email) {
    PolicyEngine engine = rules("rules:\n  - {action: deny, when: [{key: claims.email, values: ['*@evil.example']}]}\n");

    assertThat(allowed(engine, FakeRequest.get("/"), withEmail(email))).isFalse();
  }

  @Test
  void emailPatternWithTwoAtSignsIsRefusedAtLoad() {
    assertThatThrownBy(() -> rules("rules:\n  - {action: allow, when: [{key: claims.email, values: ['*@evil@good.example']}]}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("authorization.rules[0].when[0].values[0]: an e-mail address has exactly one @, so this can never match, found *@evil@good.example");
  }
}
