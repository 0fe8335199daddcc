package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether a certificate's CN may name the peer, and how rules must write a peer's name. */
class ClientCertificateConfigTest {

  private static GatehouseConfig load(Map<String, Object> clientCertificate, List<Object> rules) {
    return ConfigLoader.fromTree(Map.of("authentication", Map.of("client-certificate", clientCertificate), "authorization", Map.of("rules", rules)));
  }

  private static boolean commonNames(Map<String, Object> clientCertificate, List<Object> rules) {
    return load(clientCertificate, rules).authentication().clientCertificate().orElseThrow().commonNames();
  }

  @Test
  void commonNamesAreAllowedByDefaultWhereNoRuleUsesSpiffe() {
    assertThat(commonNames(Map.of(), List.of())).isTrue();
    assertThat(commonNames(Map.of(), List.of(Map.of("action", "allow", "from", Map.of("principals", List.of("cn:batch-job")))))).isTrue();
  }

  @Test
  void commonNamesAreRefusedByDefaultWhenARuleNamesASpiffePeerOrANamespace() {
    assertThat(commonNames(Map.of(), List.of(Map.of("action", "allow", "from", Map.of("principals", List.of("spiffe://cluster.local/ns/a/sa/b")))))).isFalse();
    assertThat(commonNames(Map.of(), List.of(Map.of("action", "deny", "from", Map.of("not-principals", List.of("SPIFFE://cluster.local/*")))))).isFalse();
    assertThat(commonNames(Map.of(), List.of(Map.of("action", "allow", "from", Map.of("namespaces", List.of("shop")))))).isFalse();
    assertThat(commonNames(Map.of(), List.of(Map.of("action", "allow", "from", Map.of("principals", List.of("*/ns/ops/sa/admin")))))).isFalse();
  }

  @Test
  void commonNamesCanBeAllowedBesideSpiffeRulesExplicitly() {
    assertThat(
            commonNames(
                Map.of("allow-common-names", true), List.of(Map.of("action", "allow", "from", Map.of("principals", List.of("spiffe://cluster.local/ns/a/sa/b"))))))
        .isTrue();
    assertThat(commonNames(Map.of("allow-common-names", false), List.of())).isFalse();
  }

  @Test
  void commonNamesWithTrustDomainsAreRefusedAtLoad(@TempDir Path directory) throws IOException {
    Path bundle = Files.writeString(directory.resolve("ca.pem"), "read only when the authenticator starts");

    assertThatThrownBy(() -> load(Map.of("allow-common-names", true, "trust-domains", Map.of("cluster.local", bundle.toString())), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("allow-common-names");
  }

  @Test
  void bareCommonNameInPrincipalsIsRefusedAtLoadNamingTheNewForm() {
    assertThatThrownBy(() -> load(Map.of(), List.of(Map.of("action", "deny", "from", Map.of("principals", List.of("batch-job"))))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("authorization.rules[0].from.principals[0]: ")
        .hasMessageContaining("cn:batch-job");
  }

  @Test
  void trustDomainWithATrailingDotIsRefusedAtLoad(@TempDir Path directory) throws IOException {
    Path bundle = Files.writeString(directory.resolve("ca.pem"), "read only when the authenticator starts");

    assertThatThrownBy(() -> load(Map.of("trust-domains", Map.of("cluster.local.", bundle.toString())), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("authentication.client-certificate.trust-domains.cluster.local.: not a SPIFFE trust domain");
  }
}
