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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The decision table: every field, every wildcard form, every negation, and the allow/deny ordering. */
class PolicyEngineTest {

  @TempDir Path directory;
  private Path htpasswd;

  private static final Identity ALICE = new Identity("alice", Identity.BASIC, Set.of("ops", "dev"), Map.of());
  private static final Identity BOB = new Identity("bob", Identity.BASIC, Set.of("dev"), Map.of());
  private static final Identity FRONTEND =
      new Identity(
          "spiffe://cluster.local/ns/shop/sa/frontend",
          Identity.CLIENT_CERTIFICATE,
          Set.of(),
          Map.of(Identity.SPIFFE_NAMESPACE, "shop", Identity.SPIFFE_ID, "spiffe://cluster.local/ns/shop/sa/frontend"));
  private static final Identity JWT_USER =
      new Identity(
          "https://issuer.example/u-1",
          Identity.JWT,
          Set.of(),
          Map.of(Identity.CLAIMS, Map.of("realm_access", Map.of("roles", List.of("reader", "auditor")), "tier", "gold", "level", 3)));

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

  /** A client-certificate identity is the peer; any other is the request principal. */
  static Identities identities(Identity identity) {
    if (identity == null) {
      return Identities.ANONYMOUS;
    }
    return identity.authenticationMethod().equals(Identity.CLIENT_CERTIFICATE)
        ? new Identities(Optional.of(identity), Optional.empty())
        : new Identities(Optional.empty(), Optional.of(identity));
  }

  private static boolean allowed(PolicyEngine engine, FakeRequest request, Identity identity) {
    return engine.evaluate(request, request.path(), identities(identity)).allowed();
  }

  @Test
  void withoutAllowRulesAuthenticatedRequestsAreAllowedAndAnonymousOnesNot() {
    PolicyEngine engine = rules("rules: []");

    assertThat(engine.evaluate(FakeRequest.get("/x"), "/x", identities(BOB))).isEqualTo(new PolicyResult(true, Optional.empty(), "authenticated; no allow rules configured"));
    assertThat(allowed(engine, FakeRequest.get("/x"), null)).isFalse();
  }

  @Test
  void denyBeatsAllowWhateverTheOrder() {
    PolicyEngine engine = rules("""
        rules:
          - {name: everyone, action: allow}
          - {name: no-admin, action: deny, to: {paths: [/admin/*]}}
        """);

    PolicyResult result = engine.evaluate(FakeRequest.get("/admin/x"), "/admin/x", identities(ALICE));
    assertThat(result.allowed()).isFalse();
    assertThat(result.rule()).contains("no-admin");
    assertThat(engine.evaluate(FakeRequest.get("/public"), "/public", identities(ALICE)).rule()).contains("everyone");
  }

  @Test
  void whenAllowRulesExistTheRequestMustMatchOne() {
    PolicyEngine engine = rules("""
        rules:
          - action: allow
            from: {request-principals: [alice]}
        """);

    assertThat(engine.evaluate(FakeRequest.get("/"), "/", identities(ALICE)).rule()).contains("rules[0]");
    PolicyResult bob = engine.evaluate(FakeRequest.get("/"), "/", identities(BOB));
    assertThat(bob).isEqualTo(new PolicyResult(false, Optional.empty(), "no allow rule matched"));
  }

  @Test
  void allowRuleWithoutFromLetsAnonymousRequestsThrough() {
    PolicyEngine engine = rules("""
        rules:
          - name: public-health
            action: allow
            to: {methods: [GET], paths: [/healthz, /public/*]}
        """);

    assertThat(allowed(engine, FakeRequest.get("/healthz"), null)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/public/a/b"), null)).isTrue();
    assertThat(allowed(engine, FakeRequest.request("POST", "/healthz"), null)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/private"), ALICE)).isFalse();
  }

  @Test
  void firstMatchingDenyRuleIsNamed() {
    PolicyEngine engine = rules("""
        rules:
          - {name: first, action: deny, to: {methods: [DELETE]}}
          - {name: second, action: deny, to: {methods: [DELETE, PUT]}}
        """);

    assertThat(engine.evaluate(FakeRequest.request("DELETE", "/"), "/", identities(ALICE)).rule()).contains("first");
    assertThat(engine.evaluate(FakeRequest.request("PUT", "/"), "/", identities(ALICE)).rule()).contains("second");
  }

  @ParameterizedTest(name = "request-principals {0} vs {1}: {2}")
  @CsvSource({
    "alice, alice, true",
    "alice, bob, false",
    "'*', bob, true",
    "'*', , false",
    "'al*', alice, true",
    "'al*', bob, false",
    "'*ice', alice, true",
    "'spiffe://cluster.local/ns/shop/sa/*', spiffe://cluster.local/ns/shop/sa/frontend, true",
    "'spiffe://cluster.local/ns/shop/sa/*', spiffe://cluster.local/ns/other/sa/frontend, false",
  })
  void principals(String pattern, String user, boolean expected) {
    PolicyEngine engine = rules("rules:\n  - action: allow\n    from: {request-principals: ['" + pattern + "']}\n");
    Identity identity = user == null ? null : Identity.of(user, "test");

    assertThat(allowed(engine, FakeRequest.get("/"), identity)).isEqualTo(expected);
  }

  @Test
  void rulesRememberedPerCallerKeepFileOrderAcrossExactWildcardAndNegatedRules() {
    // More rules than the engine scans without remembering candidates per caller, so that path is the one tested.
    PolicyEngine engine = rules("""
        rules:
          - {name: filler-1, action: deny, from: {request-principals: [nobody-1]}}
          - {name: filler-2, action: deny, from: {request-principals: ['nobody-2*']}}
          - {name: not-frank, action: deny, from: {not-request-principals: [alice, bob, carol, dave, frank]}, to: {paths: [/f]}}
          - {name: filler-3, action: allow, from: {request-principals: ['*-nobody']}}
          - {name: ops-only, action: deny, from: {not-groups: [ops]}, to: {paths: [/ops]}}
          - {name: wild-first, action: deny, from: {request-principals: ['b*']}, to: {paths: [/w]}}
          - {name: bob-exact, action: deny, from: {request-principals: [bob, carol]}}
          - {name: anyone, action: deny, to: {paths: [/any]}}
          - {name: alice-allowed, action: allow, from: {request-principals: [alice]}}
          - {name: everyone-public, action: allow, to: {paths: [/public]}}
        """);

    assertThat(engine.evaluate(FakeRequest.get("/w"), "/w", identities(BOB)).rule()).contains("wild-first");
    assertThat(engine.evaluate(FakeRequest.get("/any"), "/any", identities(BOB)).rule()).contains("bob-exact");
    assertThat(engine.evaluate(FakeRequest.get("/any"), "/any", identities(ALICE)).rule()).contains("anyone");
    assertThat(engine.evaluate(FakeRequest.get("/x"), "/x", identities(ALICE)).rule()).contains("alice-allowed");
    assertThat(engine.evaluate(FakeRequest.get("/public"), "/public", Identities.ANONYMOUS).rule()).contains("everyone-public");
    assertThat(engine.evaluate(FakeRequest.get("/x"), "/x", identities(Identity.of("dave", "test"))).allowed()).isFalse();
    assertThat(engine.evaluate(FakeRequest.get("/public"), "/public", identities(Identity.of("carol", "test"))).rule()).contains("bob-exact");
    assertThat(engine.evaluate(FakeRequest.get("/f"), "/f", identities(Identity.of("erin", "test"))).rule()).contains("not-frank");
    assertThat(engine.evaluate(FakeRequest.get("/f"), "/f", Identities.ANONYMOUS).rule()).contains("not-frank");
    assertThat(engine.evaluate(FakeRequest.get("/f"), "/f", identities(ALICE)).allowed()).isTrue();
    // One name with other groups (a newer token, say) is another caller.
    assertThat(engine.evaluate(FakeRequest.get("/ops"), "/ops", identities(new Identity("gina", "test", Set.of("ops"), Map.of()))).rule()).isEmpty();
    assertThat(engine.evaluate(FakeRequest.get("/ops"), "/ops", identities(new Identity("gina", "test", Set.of("dev"), Map.of()))).rule()).contains("ops-only");
    // Asked again, from the remembered candidates: the same answers.
    assertThat(engine.evaluate(FakeRequest.get("/w"), "/w", identities(BOB)).rule()).contains("wild-first");
    assertThat(engine.evaluate(FakeRequest.get("/any"), "/any", identities(BOB)).rule()).contains("bob-exact");
    assertThat(engine.evaluate(FakeRequest.get("/f"), "/f", identities(Identity.of("erin", "test"))).rule()).contains("not-frank");
  }

  @Test
  void notPrincipalsMatchesEveryoneElseAnonymousIncluded() {
    PolicyEngine engine = rules("rules:\n  - action: deny\n    from: {not-request-principals: [alice]}\n");

    assertThat(allowed(engine, FakeRequest.get("/"), ALICE)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/"), BOB)).isFalse();
    assertThat(engine.evaluate(FakeRequest.get("/"), "/", Identities.ANONYMOUS).rule()).contains("rules[0]");
  }

  @Test
  void groupsAndNotGroups() {
    PolicyEngine engine = rules("""
        rules:
          - name: no-deletes-but-ops
            action: deny
            from: {not-groups: [ops]}
            to: {methods: [DELETE]}
          - {action: allow, from: {groups: [dev, 'qa-*']}}
        """);

    assertThat(allowed(engine, FakeRequest.request("DELETE", "/x"), ALICE)).isTrue();
    assertThat(allowed(engine, FakeRequest.request("DELETE", "/x"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/x"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/x"), new Identity("q", "test", Set.of("qa-eu"), Map.of()))).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/x"), new Identity("n", "test", Set.of("sales"), Map.of()))).isFalse();
    assertThat(engine.evaluate(FakeRequest.request("DELETE", "/x"), "/x", Identities.ANONYMOUS).rule()).contains("no-deletes-but-ops");
  }

  @Test
  void namespacesComeFromSpiffeIds() {
    PolicyEngine engine = rules("rules:\n  - {action: allow, from: {namespaces: [shop]}}\n  - {action: deny, from: {not-namespaces: ['shop', 'kube-*']}, to: {paths: [/internal/*]}}\n");

    assertThat(allowed(engine, FakeRequest.get("/internal/x"), FRONTEND)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/"), ALICE)).isFalse();
  }

  @ParameterizedTest(name = "ip-blocks {0} vs {1}: {2}")
  @CsvSource({
    "10.0.0.0/8, 10.1.2.3, true",
    "10.0.0.0/8, 11.1.2.3, false",
    "192.168.1.7, 192.168.1.7, true",
    "192.168.1.0/25, 192.168.1.200, false",
    "0.0.0.0/0, 8.8.8.8, true",
    "10.0.0.0/8, ::ffff:10.0.0.1, true",
    "2001:db8::/32, 2001:db8:1::5, true",
    "2001:db8::/32, 2001:db9::5, false",
    "::1, 0:0:0:0:0:0:0:1, true",
    "10.0.0.0/8, not-an-address, false",
  })
  void ipBlocks(String block, String peer, boolean expected) {
    PolicyEngine engine = rules("rules:\n  - action: allow\n    from: {ip-blocks: ['" + block + "']}\n");

    assertThat(allowed(engine, FakeRequest.get("/").remoteAddress(peer), BOB)).isEqualTo(expected);
  }

  /** What Inet6Address.getHostAddress() gives for a link-local peer on an interface with a long (15-character) name. */
  @Test
  void linkLocalPeerWithALongZoneIdIsStillInItsBlock() {
    PolicyEngine engine = rules("rules:\n  - action: deny\n    from: {ip-blocks: ['fe80::/10']}\n");

    assertThat(allowed(engine, FakeRequest.get("/").remoteAddress("fe80:0:0:0:ffff:ffff:ffff:ffff%enx001122334455"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").remoteAddress("fe80:0:0:0:1:2:3:4%eth0"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").remoteAddress("2001:db8:0:0:ffff:ffff:ffff:ffff"), BOB)).isTrue();
  }

  @Test
  void notIpBlocks() {
    PolicyEngine engine = rules("rules:\n  - action: deny\n    from: {not-ip-blocks: [10.0.0.0/8, 'fd00::/8']}\n");

    assertThat(allowed(engine, FakeRequest.get("/").remoteAddress("10.9.9.9"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/").remoteAddress("fd12::1"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/").remoteAddress("203.0.113.9"), BOB)).isFalse();
  }

  @Test
  void methodsAndNotMethods() {
    PolicyEngine engine = rules("rules:\n  - {action: allow, to: {methods: [GET, HEAD]}}\n  - {action: deny, to: {not-methods: [GET, HEAD, POST]}}\n");

    assertThat(allowed(engine, FakeRequest.get("/"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.request("POST", "/"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.request("DELETE", "/"), BOB)).isFalse();
  }

  @Test
  void methodNamesAreCaseSensitiveAndUnregisteredOnesAreNeverAllowed() {
    PolicyEngine engine = rules("rules:\n  - {action: deny, to: {methods: [DELETE]}}\n  - {action: allow, to: {not-methods: [PUT]}}\n");

    assertThat(allowed(engine, FakeRequest.request("delete", "/"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.request("Delete", "/"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.request("put", "/"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.request("get", "/"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.request("GET", "/"), BOB)).isTrue();
  }

  @ParameterizedTest(name = "paths {0} vs {1}: {2}")
  @CsvSource({
    "/admin, /admin, true",
    "/admin, /admin/, false",
    "/admin, /ADMIN, false",
    "/admin, /admin2, false",
    "/admin/*, /admin, true",
    "/admin/*, /admin/, true",
    "/admin/*, /admin/x/y, true",
    "/admin/*, /administrator, false",
    "/*, /anything, true",
    "*, /anything/at/all, true",
    "'*.css', /static/site.css, true",
    "'*.css', /static/site.css/x, false",
    "/api/{*}/orders, /api/v1/orders, true",
    "/api/{*}/orders, /api/v1/v2/orders, false",
    "/api/{*}/orders, /api//orders, false",
    "/api/{*}/orders, /api/orders, false",
    "/files/{**}, /files, true",
    "/files/{**}, /files/a/b/c, true",
    "/files/{**}, /filesx, false",
    "/{**}/secret, /a/b/secret, true",
    "/{**}/secret, /secret, true",
    "/{**}/secret, /a/secret/x, false",
    "/a/{**}/b/{*}, /a/x/y/b/z, true",
    "/a/{**}/b/{*}, /a/b/z, true",
    "/a/{**}/b/{*}, /a/b, false",
    "/caf%C3%A9, /caf%C3%A9, true",
  })
  void paths(String pattern, String path, boolean expected) {
    PolicyEngine engine = rules("rules:\n  - action: allow\n    to: {paths: ['" + pattern + "']}\n");

    assertThat(allowed(engine, FakeRequest.get(path), BOB)).isEqualTo(expected);
  }

  @Test
  void notPaths() {
    PolicyEngine engine = rules("rules:\n  - {action: deny, from: {request-principals: [bob]}, to: {not-paths: [/public/*, /healthz]}}\n");

    assertThat(allowed(engine, FakeRequest.get("/public/x"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/healthz"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/private"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/private"), ALICE)).isTrue();
  }

  @ParameterizedTest(name = "hosts {0} vs {1}: {2}")
  @CsvSource({
    "api.example.com, api.example.com, true",
    "api.example.com, API.Example.COM:8443, true",
    "api.example.com:8443, api.example.com:8443, true",
    "api.example.com:8443, api.example.com:9443, false",
    "api.example.com:8443, api.example.com, false",
    "'*.example.com', a.b.example.com, true",
    "'*.example.com', example.com, false",
    "'[::1]', '[::1]:8080', true",
    "api.example.com, api.example.com., true",
    "api.example.com, API.example.com.:8443, true",
    "api.example.com:8443, api.example.com.:8443, true",
    "api.example.com., api.example.com, true",
    "'*.example.com', a.example.com., true",
    "api.example.com, api.example.com.., false",
  })
  void hosts(String pattern, String host, boolean expected) {
    PolicyEngine engine = rules("rules:\n  - action: allow\n    to: {hosts: ['" + pattern + "']}\n");

    assertThat(allowed(engine, FakeRequest.get("/").header("Host", host), BOB)).isEqualTo(expected);
  }

  @Test
  void notHostsAndMissingHost() {
    PolicyEngine engine = rules("rules:\n  - {action: deny, to: {not-hosts: [app.internal]}}\n");

    assertThat(allowed(engine, FakeRequest.get("/").header("Host", "app.internal:80"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/").header("Host", "evil.example"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/"), BOB)).isFalse();
  }

  @Test
  void portsAndNotPorts() {
    PolicyEngine engine = rules("rules:\n  - {action: allow, to: {ports: [8443, 9443]}}\n  - {action: deny, to: {not-ports: [8443]}, from: {request-principals: [bob]}}\n");

    assertThat(allowed(engine, FakeRequest.get("/").localPort(8443), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/").localPort(9443), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/").localPort(9443), ALICE)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/").localPort(8000), ALICE)).isFalse();
  }

  @Test
  void claimConditionsReadNestedClaimsAndLists() {
    PolicyEngine engine = rules("""
        rules:
          - action: allow
            when:
              - {key: claims.realm_access.roles, values: [auditor]}
              - {key: claims.tier, values: ['gol*'], not-values: [silver]}
              - {key: claims.level, values: ['3']}
        """);

    assertThat(allowed(engine, FakeRequest.get("/"), JWT_USER)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/"), ALICE)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/"), null)).isFalse();
  }

  @Test
  void claimNotValuesRefuseAMatchingClaim() {
    PolicyEngine engine = rules("rules:\n  - {action: deny, when: [{key: claims.realm_access.roles, not-values: [reader]}]}\n");

    assertThat(allowed(engine, FakeRequest.get("/"), JWT_USER)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/"), ALICE)).isFalse();
  }

  @Test
  void headerConditionsUseIstioKeySpelling() {
    PolicyEngine engine = rules("rules:\n  - {action: allow, when: [{key: 'request.headers[X-Tenant]', values: [blue, 'green-*']}]}\n");

    assertThat(allowed(engine, FakeRequest.get("/").header("x-tenant", "green-2"), BOB)).isTrue();
    assertThat(allowed(engine, FakeRequest.get("/").header("X-Tenant", "red"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.get("/"), BOB)).isFalse();
  }

  @Test
  void fieldsWithinARuleAreAndedAndValuesWithinAFieldOred() {
    PolicyEngine engine = rules("""
        rules:
          - action: allow
            from: {request-principals: [alice, bob], groups: [ops]}
            to: {methods: [POST], paths: [/admin/*]}
        """);

    assertThat(allowed(engine, FakeRequest.request("POST", "/admin/x"), ALICE)).isTrue();
    assertThat(allowed(engine, FakeRequest.request("POST", "/admin/x"), BOB)).isFalse();
    assertThat(allowed(engine, FakeRequest.request("GET", "/admin/x"), ALICE)).isFalse();
    assertThat(allowed(engine, FakeRequest.request("POST", "/other"), ALICE)).isFalse();
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "rules: [{action: maybe}] | authorization.rules[0].action: expected allow or deny, found maybe",
        "rules: [{to: {paths: [/a]}}] | authorization.rules[0].action: missing; allow or deny",
        "rules: [{action: allow}, {action: allow, to: {paths: [/a, /b/../c]}}] | authorization.rules[1].to.paths[1]: not in canonical form, so it could never match; write /c instead of /b/../c",
        "rules: [{action: allow, to: {paths: ['/a/*/b']}}] | authorization.rules[0].to.paths[0]: * is allowed only as /prefix/* or *suffix; use {*} for one segment, found /a/*/b",
        "rules: [{action: allow, to: {paths: ['/a;b']}}] | authorization.rules[0].to.paths[0]: can never match, since requests with it are refused (; (path parameter) in the path): /a;b",
        "rules: [{action: allow, to: {paths: ['/{**}/{**}']}}] | authorization.rules[0].to.paths[0]: {**} may appear only once, found /{**}/{**}",
        "rules: [{action: allow, to: {paths: ['/a{*}']}}] | authorization.rules[0].to.paths[0]: {*} and {**} must each be a whole segment, found /a{*}",
        "rules: [{action: allow, to: {paths: [admin]}}] | authorization.rules[0].to.paths[0]: must start with / or *, found admin",
        "rules: [{action: allow, from: {request-principals: ['a*b']}}] | authorization.rules[0].from.request-principals[0]: * is allowed only alone, at the start or at the end, found a*b",
        "rules: [{action: allow, from: {ip-blocks: [10.0.0.1/8]}}] | authorization.rules[0].from.ip-blocks[0]: host bits set after the prefix length; did you mean 10.0.0.0/8?",
        "rules: [{action: allow, from: {ip-blocks: [example.com]}}] | authorization.rules[0].from.ip-blocks[0]: expected an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8, found example.com",
        "rules: [{action: allow, from: {ip-blocks: ['10.0.0.0/33']}}] | authorization.rules[0].from.ip-blocks[0]: prefix length must be 0 to 32, found 10.0.0.0/33",
        "rules: [{action: allow, to: {ports: [0]}}] | authorization.rules[0].to.ports[0]: port must be between 1 and 65535, found 0",
        "rules: [{action: allow, to: {methods: [get]}}] | authorization.rules[0].to.methods[0]: expected a method in upper case, such as GET, found get",
        "rules: [{action: allow, to: {paths: []}}] | authorization.rules[0].to.paths: must not be empty; leave the key out instead",
        "rules: [{action: allow, to: {path: [/a]}}] | authorization.rules[0].to.path: unknown key; expected one of [methods, not-methods, paths, not-paths, hosts, not-hosts, ports, not-ports]",
        "rules: [{action: allow, when: [{key: 'claims.', values: [x]}]}] | authorization.rules[0].when[0].key: expected claims.<name> or request.headers[<Name>], found claims.",
        "rules: [{action: allow, when: [{key: claims.a}]}] | authorization.rules[0].when[0].values: missing; give values, not-values or both",
        "audit: everything | authorization.audit: expected denied, all or none, found everything",
        "rules: {action: allow} | authorization.rules: expected a list, found a mapping",
      })
  void invalidRuleIsRefusedNamingTheKey(String yaml, String message) {
    assertThatThrownBy(() -> rules(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
  }
}
