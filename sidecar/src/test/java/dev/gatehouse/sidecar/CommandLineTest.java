package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.testing.Fixtures;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {

  @TempDir Path directory;

  private Path htpasswd;

  @BeforeEach
  void fixtures() {
    htpasswd = Fixtures.copy("formats.htpasswd", directory);
  }

  private Path yaml(String text) throws Exception {
    return Files.writeString(directory.resolve("gatehouse.yaml"), text);
  }

  private static GatehouseConfig load(Map<String, String> env, String... args) {
    return CommandLine.parse(args, env).load();
  }

  @Test
  void flagsOverrideEnvironmentWhichOverridesTheFile() throws Exception {
    Path file =
        yaml(
            """
            listen: 127.0.0.1:7001
            upstream: http://127.0.0.1:1111
            authentication:
              basic:
                realm: FileRealm
                htpasswd: %s
            """
                .formatted(htpasswd));
    Map<String, String> env =
        Map.of(
            "GATEHOUSE_CONFIG", file.toString(),
            "GATEHOUSE_UPSTREAM", "http://127.0.0.1:2222",
            "GATEHOUSE_REALM", "EnvRealm");

    GatehouseConfig config = load(env, "--upstream", "http://127.0.0.1:3333");

    assertThat(config.upstream()).contains(URI.create("http://127.0.0.1:3333"));
    assertThat(config.authentication().basic().orElseThrow().realm()).isEqualTo("EnvRealm");
    assertThat(config.listen().orElseThrow().getPort()).isEqualTo(7001);
  }

  @Test
  void configFlagWinsOverConfigVariable() throws Exception {
    Path file = yaml("upstream: http://127.0.0.1:4444\nauthentication: {basic: {htpasswd: %s}}\n".formatted(htpasswd));

    GatehouseConfig config = load(Map.of("GATEHOUSE_CONFIG", directory.resolve("absent.yaml").toString()), "--config=" + file);

    assertThat(config.upstream()).contains(URI.create("http://127.0.0.1:4444"));
  }

  @Test
  void bothFlagFormsAreAccepted() {
    GatehouseConfig spaced = load(Map.of(), "--listen", "127.0.0.1:7002", "--upstream", "http://127.0.0.1:1", "--htpasswd", htpasswd.toString());
    GatehouseConfig joined = load(Map.of(), "--listen=127.0.0.1:7002", "--upstream=http://127.0.0.1:1", "--htpasswd=" + htpasswd);

    assertThat(joined).isEqualTo(spaced);
    assertThat(spaced.listen().orElseThrow().getPort()).isEqualTo(7002);
  }

  @Test
  void everyVariableMapsToItsKey() {
    Map<String, String> env =
        Map.of(
            "GATEHOUSE_LISTEN", "127.0.0.1:7003",
            "GATEHOUSE_UPSTREAM", "http://192.0.2.10:80",
            "GATEHOUSE_HTPASSWD", htpasswd.toString(),
            "GATEHOUSE_REALM", "Env",
            "GATEHOUSE_ALLOW_REMOTE_UPSTREAM", "true");

    GatehouseConfig config = load(env);

    assertThat(config.listen().orElseThrow().getPort()).isEqualTo(7003);
    assertThat(config.upstream()).contains(URI.create("http://192.0.2.10:80"));
    assertThat(config.allowRemoteUpstream()).isTrue();
    assertThat(config.authentication().basic().orElseThrow().realm()).isEqualTo("Env");
    assertThat(config.authentication().basic().orElseThrow().htpasswd()).isEqualTo(htpasswd.toAbsolutePath().normalize());
  }

  @Test
  void emptyVariablesCountAsUnset() {
    GatehouseConfig config =
        load(Map.of("GATEHOUSE_REALM", "", "GATEHOUSE_LISTEN", " "), "--upstream", "http://127.0.0.1:1", "--htpasswd", htpasswd.toString());

    assertThat(config.authentication().basic().orElseThrow().realm()).isEqualTo("Restricted");
    assertThat(config.listen()).isEmpty();
  }

  @Test
  void remoteUpstreamIsRefusedWithoutTheFlag() {
    assertThatThrownBy(() -> load(Map.of(), "--upstream", "http://192.0.2.10:80", "--htpasswd", htpasswd.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("upstream: 192.0.2.10 is not a loopback address");
  }

  @Test
  void allowRemoteUpstreamSwitchTakesNoValue() {
    GatehouseConfig config =
        load(Map.of(), "--allow-remote-upstream", "--upstream", "http://192.0.2.10:80", "--htpasswd", htpasswd.toString());

    assertThat(config.allowRemoteUpstream()).isTrue();
  }

  @Test
  void flagTurnsOffWhatTheEnvironmentAllowed() {
    Map<String, String> env = Map.of("GATEHOUSE_ALLOW_REMOTE_UPSTREAM", "true");

    assertThatThrownBy(() -> load(env, "--allow-remote-upstream=false", "--upstream", "http://192.0.2.10:80", "--htpasswd", htpasswd.toString()))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).key())
        .isEqualTo("upstream");
  }

  @Test
  void unknownFlagIsRejected() {
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--upstraem", "http://127.0.0.1:1"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown option --upstraem; see --help");
  }

  @Test
  void flagWithoutItsValueIsRejected() {
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--upstream", "--htpasswd", "x"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--upstream needs a value; see --help");
  }

  @Test
  void unknownKeyInTheFileIsRejectedWithItsName() throws Exception {
    Path file = yaml("upstream: http://127.0.0.1:1\nauthentication: {basic: {htpasswd: %s, htpassword: x}}\n".formatted(htpasswd));

    assertThatThrownBy(() -> load(Map.of(), "--config", file.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("authentication.basic.htpassword");
  }

  @Test
  void shutdownTimeoutDefaultsTo20SecondsAndTakesWholeSeconds() {
    assertThat(CommandLine.parse(new String[] {}, Map.of()).shutdownTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(CommandLine.parse(new String[] {"--shutdown-timeout", "3"}, Map.of()).shutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--shutdown-timeout=-1"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--shutdown-timeout: expected a whole number of seconds, found -1");
  }

  @Test
  void helpAndVersionWinOverEverythingElse() {
    assertThat(CommandLine.parse(new String[] {"--upstream", "x", "--help"}, Map.of()).action()).isEqualTo(CommandLine.Action.HELP);
    assertThat(CommandLine.parse(new String[] {"--version"}, Map.of()).action()).isEqualTo(CommandLine.Action.VERSION);
  }

  @Test
  void operationsFlagsAndVariablesMapToTheirKeys() {
    GatehouseConfig fromFlags =
        CommandLine.parse(
                new String[] {"--htpasswd", htpasswd.toString(), "--admin", "127.0.0.1:9901", "--drain-delay", "7", "--access-log", "stderr", "--log-format=json"},
                Map.of())
            .load();
    GatehouseConfig fromEnv =
        load(Map.of("GATEHOUSE_HTPASSWD", htpasswd.toString(), "GATEHOUSE_ADMIN", ":9902", "GATEHOUSE_DRAIN_DELAY", "2s", "GATEHOUSE_LOG_FORMAT", "text"));

    assertThat(fromFlags.operations().admin().orElseThrow().getPort()).isEqualTo(9901);
    assertThat(fromFlags.operations().drainDelay()).isEqualTo(Duration.ofSeconds(7));
    assertThat(fromFlags.operations().accessLog()).isEqualTo("stderr");
    assertThat(fromFlags.operations().logFormat()).isEqualTo(dev.gatehouse.config.OperationsConfig.LogFormat.JSON);
    assertThat(fromEnv.operations().admin().orElseThrow().getPort()).isEqualTo(9902);
    assertThat(fromEnv.operations().drainDelay()).isEqualTo(Duration.ofSeconds(2));
    assertThat(fromEnv.operations().accessLog()).isEqualTo("none");
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--htpasswd", htpasswd.toString(), "--drain-delay", "-1"}, Map.of()).load())
        .hasMessageStartingWith("shutdown.drain-delay:");
  }

  @Test
  void helpListsEveryFlagAndVariable() {
    assertThat(CommandLine.HELP)
        .contains(
            "--config FILE",
            "--listen HOST:PORT",
            "--upstream URL",
            "--htpasswd FILE",
            "--realm NAME",
            "--allow-remote-upstream",
            "--shutdown-timeout SECONDS",
            "--admin HOST:PORT",
            "--drain-delay SECONDS",
            "--access-log TARGET",
            "--log-format NAME",
            "GATEHOUSE_ADMIN",
            "GATEHOUSE_DRAIN_DELAY",
            "GATEHOUSE_ACCESS_LOG",
            "GATEHOUSE_LOG_FORMAT",
            "--help",
            "--version",
            "keygen --out DIR",
            "loopback-guard --app-port P",
            "inject -f app.yaml",
            "GATEHOUSE_CONFIG",
            "GATEHOUSE_LISTEN",
            "GATEHOUSE_UPSTREAM",
            "GATEHOUSE_HTPASSWD",
            "GATEHOUSE_REALM",
            "GATEHOUSE_ALLOW_REMOTE_UPSTREAM",
            "GATEHOUSE_LOG_LEVEL");
  }
}
