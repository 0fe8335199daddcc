package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadersAndLimitsConfigTest {

  @TempDir Path directory;
  private Path htpasswd;

  @BeforeEach
  void fixture() {
    htpasswd = Fixtures.copy("formats.htpasswd", directory);
  }

  private GatehouseConfig load(String text) throws IOException {
    return ConfigLoader.load(Files.writeString(directory.resolve("gatehouse.yaml"), text.replace("HTPASSWD", htpasswd.toString())));
  }

  @Test
  void defaultsRemoveEveryRoutingHeaderAndBoundTheRequestHead() throws IOException {
    GatehouseConfig config = load("authentication: {basic: {htpasswd: HTPASSWD}}");

    assertThat(config.headers().passFromClient()).isEmpty();
    assertThat(config.limits().headerTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(config.limits().connectionsPerPeer()).isEqualTo(1024);
  }

  @Test
  void routingHeaderCanBePassedFromTheClient() throws IOException {
    GatehouseConfig config = load("headers: {pass-from-client: [X-Forwarded-Prefix, X-Pomerium-Jwt-Assertion]}\nauthentication: {basic: {htpasswd: HTPASSWD}}");

    assertThat(config.headers().passFromClient()).containsExactly("X-Forwarded-Prefix", "X-Pomerium-Jwt-Assertion");
    Gatehouse.create(config).close();
  }

  @Test
  void framingHeaderCannotBePassed() {
    assertThatThrownBy(() -> Gatehouse.create(load("headers: {pass-from-client: [Transfer_Encoding]}\nauthentication: {basic: {htpasswd: HTPASSWD}}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("headers.pass-from-client: Transfer_Encoding is a framing or hop-by-hop header");
  }

  @Test
  void identityHeaderCannotBePassed() {
    assertThatThrownBy(() -> Gatehouse.create(load("headers: {pass-from-client: [X-Remote-User]}\nauthentication: {basic: {htpasswd: HTPASSWD}}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("headers.pass-from-client: X-Remote-User is an identity header");
  }

  @Test
  void headerAnAuthenticatorSetsCannotBePassed() throws IOException {
    // Only the engine knows the claim headers; it refuses to build rather than let the client set one.
    GatehouseConfig config =
        load(
            "authentication: {jwt: [{issuer: https://i.example, discovery: true, claims-to-headers: {tenant: X-Auth-Request-Tenant}}]}\n"
                + "headers: {pass-from-client: [X-Auth-Request-Tenant]}");

    assertThatThrownBy(() -> Gatehouse.create(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("headers.pass-from-client: X-Auth-Request-Tenant is an identity header");
  }

  @Test
  void passingAHeaderThatIsNotRemovedIsATypo() {
    assertThatThrownBy(() -> Gatehouse.create(load("headers: {pass-from-client: [X-Forwarded-Prefx]}\nauthentication: {basic: {htpasswd: HTPASSWD}}")))
        .hasMessageStartingWith("headers.pass-from-client: X-Forwarded-Prefx is not removed from requests");
  }

  @Test
  void limitsBind() throws IOException {
    GatehouseConfig config = load("limits: {header-timeout: 2s, connections-per-peer: 0}\nauthentication: {basic: {htpasswd: HTPASSWD}}");

    assertThat(config.limits()).isEqualTo(new LimitsConfig(Duration.ofSeconds(2), 0));
  }

  @Test
  void limitsOutOfRangeAreRefused() {
    assertThatThrownBy(() -> load("limits: {header-timeout: 0s}\nauthentication: {basic: {htpasswd: HTPASSWD}}"))
        .hasMessageStartingWith("limits.header-timeout: ");
    assertThatThrownBy(() -> load("limits: {header-timeout: 10m}\nauthentication: {basic: {htpasswd: HTPASSWD}}"))
        .hasMessageStartingWith("limits.header-timeout: ");
    assertThatThrownBy(() -> load("limits: {connections-per-peer: -1}\nauthentication: {basic: {htpasswd: HTPASSWD}}"))
        .hasMessageStartingWith("limits.connections-per-peer: ");
    assertThat(List.of()).isEmpty();
  }
}
