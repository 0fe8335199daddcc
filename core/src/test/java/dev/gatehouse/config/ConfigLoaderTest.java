package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testing.Fixtures;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

  @TempDir Path directory;
  private Path htpasswd;

  @BeforeEach
  void fixture() {
    htpasswd = Fixtures.copy("formats.htpasswd", directory);
  }

  private Path yaml(String text) throws IOException {
    return Files.writeString(directory.resolve("gatehouse.yaml"), text.replace("HTPASSWD", htpasswd.toString()));
  }

  @Test
  void fullSidecarFileBinds() throws IOException {
    GatehouseConfig config =
        ConfigLoader.load(yaml("""
            listen: 127.0.0.1:9000
            upstream: http://127.0.0.1:8080
            authentication:
              basic:
                realm: Staff
                htpasswd: HTPASSWD
            """));

    assertThat(config.listen()).hasValueSatisfying(address -> {
      assertThat(address.getHostString()).isEqualTo("127.0.0.1");
      assertThat(address.getPort()).isEqualTo(9000);
    });
    assertThat(config.upstream()).contains(URI.create("http://127.0.0.1:8080"));
    assertThat(config.authentication().basic()).contains(new BasicConfig("Staff", htpasswd));
  }

  @Test
  void realmDefaultsToRestricted() throws IOException {
    GatehouseConfig config = ConfigLoader.load(yaml("authentication: {basic: {htpasswd: HTPASSWD}}"));

    assertThat(config.authentication().basic().orElseThrow().realm()).isEqualTo("Restricted");
    assertThat(config.listen()).isEmpty();
    assertThat(config.upstream()).isEmpty();
  }

  @Test
  void missingHtpasswdFileIsNamedByKey() throws IOException {
    Path file = yaml("authentication: {basic: {htpasswd: ./htpasswd-that-is-not-there}}");

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage("authentication.basic.htpasswd: no such file ./htpasswd-that-is-not-there");
  }

  @Test
  void misspeltKeyIsRejectedWithItsPath() throws IOException {
    Path file = yaml("authentication: {basic: {htpasswd: HTPASSWD, relm: Staff}}");

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("authentication.basic.relm: unknown key");
  }

  @Test
  void unknownTopLevelKeyIsRejected() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(yaml("upstreem: http://127.0.0.1:8080\nauthentication: {basic: {htpasswd: HTPASSWD}}")))
        .hasMessageStartingWith("upstreem: unknown key");
  }

  @Test
  void operationsKeysAreBoundWithTheirDefaults() throws IOException {
    OperationsConfig defaults = ConfigLoader.load(yaml("authentication: {basic: {htpasswd: HTPASSWD}}")).operations();
    assertThat(defaults).isEqualTo(OperationsConfig.DEFAULT);
    OperationsConfig set =
        ConfigLoader.load(
                yaml("admin: 127.0.0.1:9901\nshutdown: {drain-delay: 2s}\naccess-log: stderr\nlog-format: json\nauthentication: {basic: {htpasswd: HTPASSWD}}"))
            .operations();
    assertThat(set.admin()).map(java.net.InetSocketAddress::getPort).contains(9901);
    assertThat(set.drainDelay()).hasSeconds(2);
    assertThat(set.accessLog()).isEqualTo("stderr");
    assertThat(set.logFormat()).isEqualTo(OperationsConfig.LogFormat.JSON);
  }

  @Test
  void badOperationsValuesAreRefusedWithTheirKey() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(yaml("shutdown: {drain-delay: soon}\nauthentication: {basic: {htpasswd: HTPASSWD}}")))
        .hasMessageStartingWith("shutdown.drain-delay:");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("shutdown: {drian-delay: 1}\nauthentication: {basic: {htpasswd: HTPASSWD}}")))
        .hasMessageStartingWith("shutdown.drian-delay: unknown key");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("log-format: xml\nauthentication: {basic: {htpasswd: HTPASSWD}}")))
        .hasMessageStartingWith("log-format:");
  }

  @Test
  void noAuthenticationMethodIsRefused() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(yaml("upstream: http://127.0.0.1:8080")))
        .hasMessageStartingWith("authentication: missing");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("authentication: {}")))
        .hasMessageStartingWith("authentication: configure at least one method");
  }

  @Test
  void duplicateKeysAreRefused() throws IOException {
    Path file = yaml("authentication: {basic: {htpasswd: HTPASSWD}}\nauthentication: {basic: {htpasswd: HTPASSWD}}");

    assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class).hasMessageContaining("invalid YAML");
  }

  @Test
  void yamlSyntaxErrorIsOneLine() throws IOException {
    Path file = yaml("authentication: {basic: [\n");

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(e.getMessage()).startsWith("invalid YAML in").doesNotContain("\n"));
  }

  @Test
  void wrongShapesAreNamed() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(yaml("authentication: {basic: HTPASSWD}")))
        .hasMessage("authentication.basic: expected a mapping, found value");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("authentication: {basic: {htpasswd: [a, b]}}")))
        .hasMessage("authentication.basic.htpasswd: expected a single value, found a list");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("- a\n- b")))
        .hasMessageContaining("must be a YAML mapping");
  }

  @Test
  void realmThatWouldBreakTheHeaderIsRefused() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(yaml("authentication: {basic: {htpasswd: HTPASSWD, realm: 'a\" b'}}")))
        .hasMessage("authentication.basic.realm: must be printable ASCII without quotes or backslashes");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8080", "http://127.0.0.2:8080", "http://[::1]:8080", "http://localhost:8080", "https://127.0.0.1:8443/", "unix:/run/app/app.sock"})
  void loopbackUpstreamsAreAccepted(String upstream) {
    GatehouseConfig config = ConfigLoader.load(Optional.empty(), Map.of("upstream", upstream, "authentication.basic.htpasswd", htpasswd.toString()));

    assertThat(config.upstream()).contains(URI.create(upstream));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://10.0.0.5:8080", "http://example.com:8080", "http://0x7f000001:8080", "http://[::ffff:10.0.0.1]:80", "http://0.0.0.0:8080"})
  void remoteUpstreamIsRefusedUnlessAllowed(String upstream) {
    Map<String, String> overrides = Map.of("upstream", upstream, "authentication.basic.htpasswd", htpasswd.toString());

    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), overrides))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("upstream: ")
        .hasMessageContaining("allow-remote-upstream");
  }

  @Test
  void remoteUpstreamIsAcceptedWhenExplicitlyAllowed() {
    GatehouseConfig config =
        ConfigLoader.load(
            Optional.empty(),
            Map.of("upstream", "http://10.0.0.5:8080", "allow-remote-upstream", "true", "authentication.basic.htpasswd", htpasswd.toString()));

    assertThat(config.allowRemoteUpstream()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://127.0.0.1", "http://127.0.0.1:8080/app", "http://user:pw@127.0.0.1:8080", "http://127.0.0.1:8080?x=1", "unix:relative.sock", "127.0.0.1:8080", "http://127.1:8080"})
  void malformedUpstreamIsRefused(String upstream) {
    Map<String, String> overrides = Map.of("upstream", upstream, "authentication.basic.htpasswd", htpasswd.toString());

    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), overrides)).hasMessageStartingWith("upstream: ");
  }

  @Test
  void overridesReplaceFileValues() throws IOException {
    Path file = yaml("upstream: http://127.0.0.1:8080\nauthentication: {basic: {htpasswd: /nowhere, realm: File}}");

    GatehouseConfig config =
        ConfigLoader.load(Optional.of(file), Map.of("upstream", "http://127.0.0.1:9090", "authentication.basic.htpasswd", htpasswd.toString()));

    assertThat(config.upstream()).contains(URI.create("http://127.0.0.1:9090"));
    assertThat(config.authentication().basic().orElseThrow()).isEqualTo(new BasicConfig("File", htpasswd));
  }

  @ParameterizedTest
  @ValueSource(strings = {"8080", "host:port", "::1:8080", "1.2.3.4:70000"})
  void malformedListenIsRefused(String listen) {
    Map<String, String> overrides = Map.of("listen", listen, "authentication.basic.htpasswd", htpasswd.toString());

    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), overrides)).hasMessageStartingWith("listen: ");
  }

  @Test
  void listenAcceptsBracketedIpv6AndBarePort() {
    assertThat(ConfigType.hostPort("[::1]:8000").getHostString()).isEqualTo("::1");
    assertThat(ConfigType.hostPort(":8000").getHostString()).isEqualTo("0.0.0.0");
  }

  @Test
  void listenDefaultsToAllInterfacesOnPort8000() {
    GatehouseConfig config = ConfigLoader.load(Optional.empty(), Map.of("authentication.basic.htpasswd", htpasswd.toString()));

    assertThat(config.listenOrDefault().getHostString()).isEqualTo("0.0.0.0");
    assertThat(config.listenOrDefault().getPort()).isEqualTo(8000);
  }

  @Test
  void missingConfigFileIsOneLine() {
    assertThatThrownBy(() -> ConfigLoader.load(directory.resolve("absent.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("no such file ");
  }

  @Test
  void billionLaughsIsRefused() throws IOException {
    StringBuilder text = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'k'; c++) {
      char previous = (char) (c - 1);
      text.append(c).append(": &").append(c).append(" [*").append(previous).append(", *").append(previous).append(", *").append(previous)
          .append(", *").append(previous).append(", *").append(previous).append(", *").append(previous).append(", *").append(previous).append("]\n");
    }
    Path file = Files.writeString(directory.resolve("bomb.yaml"), text);

    assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class);
  }
}
