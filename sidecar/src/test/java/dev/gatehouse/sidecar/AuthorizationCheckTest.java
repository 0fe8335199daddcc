package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorizationCheckTest {

  @TempDir Path directory;
  private Path yaml;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void config() throws IOException {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              basic: {htpasswd: %s}
            authorization:
              rules:
                - name: ops-admin
                  action: allow
                  from: {groups: [ops]}
                  to: {methods: [POST], paths: [/admin/*]}
                - name: auditors-read
                  action: allow
                  to: {methods: [GET]}
                  when: [{key: claims.realm_access.roles, values: [auditor]}]
                - name: frontend
                  action: allow
                  from: {namespaces: [shop]}
                  to: {hosts: [orders.internal]}
                - name: no-deletes
                  action: deny
                  to: {methods: [DELETE]}
            """
                .formatted(htpasswd));
  }

  private int check(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "check";
    System.arraycopy(args, 0, all, 1, args.length);
    return AuthorizationCheck.run(all, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String output() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void allowedRequestPrintsTheRuleAndExitsZero() {
    int status = check("--config", yaml.toString(), "--method", "POST", "--path", "/admin/x", "--user", "alice", "--groups", "ops");

    assertThat(status).isZero();
    assertThat(output()).contains("decision: ALLOW (200)", "rule:     ops-admin", "path:     /admin/x", "caller:   alice");
  }

  @Test
  void deniedRequestNamesTheDenyRuleAndExitsOne() {
    int status = check("--config", yaml.toString(), "--method", "DELETE", "--path", "/admin/x", "--user", "alice", "--groups", "ops");

    assertThat(status).isEqualTo(1);
    assertThat(output()).contains("decision: DENY (403)", "rule:     no-deletes");
  }

  @Test
  void anonymousRequestIs401() {
    int status = check("--config", yaml.toString(), "--method", "POST", "--path", "/admin/x");

    assertThat(status).isEqualTo(1);
    assertThat(output()).contains("decision: DENY (401)", "rule:     (none: default)", "caller:   (anonymous)");
  }

  @Test
  void claimsAreReadAsJson() {
    int status = check("--config", yaml.toString(), "--path", "/reports", "--user", "https://issuer/u1", "--claims", "{\"realm_access\": {\"roles\": [\"auditor\"]}}");

    assertThat(status).isZero();
    assertThat(output()).contains("rule:     auditors-read");
  }

  @Test
  void spiffePeerCarriesItsNamespaceAndHeadersAreUsed() {
    int status =
        check("--config", yaml.toString(), "--path", "/orders", "--peer", "spiffe://cluster.local/ns/shop/sa/web", "--header", "Host: orders.internal:8443");

    assertThat(status).isZero();
    assertThat(output()).contains("rule:     frontend", "peer:     spiffe://cluster.local/ns/shop/sa/web");
  }

  @Test
  void spiffeIdGivenAsUserIsARequestPrincipalWithoutNamespace() {
    int status =
        check("--config", yaml.toString(), "--path", "/orders", "--user", "spiffe://cluster.local/ns/shop/sa/web", "--header", "Host: orders.internal:8443");

    assertThat(status).isEqualTo(1);
    assertThat(output()).contains("decision: DENY (403)");
  }

  @Test
  void hostilePathIs400() {
    int status = check("--config", yaml.toString(), "--path", "/x/..;/admin", "--user", "alice", "--groups", "ops");

    assertThat(status).isEqualTo(1);
    assertThat(output()).contains("decision: DENY (400)", "path:     (refused)");
  }

  @Test
  void badConfigurationExitsTwoWithTheKeyPath() throws IOException {
    Files.writeString(yaml, Files.readString(yaml).replace("paths: [/admin/*]", "paths: [admin]"));

    int status = check("--config", yaml.toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("authorization.rules[0].to.paths[0]: must start with / or *, found admin");
  }
}
