package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sidecar whose admin listener or access log cannot be set up refuses to start, with one line naming the key. */
class OperationsStartupTest {

  @TempDir Path directory;

  private Map<String, String> config() throws Exception {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("listen", "127.0.0.1:0");
    overrides.put("upstream", "http://127.0.0.1:9");
    overrides.put("authentication.basic.htpasswd", Fixtures.copy("formats.htpasswd", directory).toString());
    return overrides;
  }

  @Test
  void adminPortInUseIsRefusedNamingTheAdminKey() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      Map<String, String> overrides = config();
      overrides.put("admin", "127.0.0.1:" + taken.getLocalPort());

      assertThatThrownBy(() -> GatehouseSidecar.start(ConfigLoader.load(Optional.empty(), overrides), Duration.ofSeconds(1)))
          .isInstanceOf(ConfigException.class)
          .hasMessage("admin: port " + taken.getLocalPort() + " is already in use");
    }
  }

  @Test
  void accessLogThatCannotBeOpenedIsRefusedNamingTheKey() throws Exception {
    Map<String, String> overrides = config();
    overrides.put("access-log", directory.toString());

    assertThatThrownBy(() -> GatehouseSidecar.start(ConfigLoader.load(Optional.empty(), overrides), Duration.ofSeconds(1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("access-log: cannot open ");
  }
}
