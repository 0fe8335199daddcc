package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sidecar started from its command line picks up changed rules from its --config file, and keeps them on a bad one. */
class RuleReloadTest {

  @TempDir Path directory;

  private void writeAtomically(Path yaml, String content) throws IOException {
    // As Kubernetes and most deploy tools do: a new file renamed over the old one, so the file key changes too.
    Path next = Files.writeString(directory.resolve("next.yaml"), content);
    Files.move(next, yaml, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String config(Path htpasswd, String deniedUser) {
    return "authentication:\n  basic: {htpasswd: " + htpasswd + "}\nauthorization:\n  rules:\n    - {name: blocked, action: deny, from: {request-principals: [" + deniedUser + "]}}\n";
  }

  private static int status(GatehouseSidecar sidecar) throws IOException {
    return RawHttp.exchange(sidecar.port(), "GET /x HTTP/1.1\r\nHost: app\r\nAuthorization: " + RawHttp.basic("sha1-user", "sha1 secret") + "\r\n").status();
  }

  /** Polls, since the reload runs on its own thread every two seconds; the bound only keeps a broken build from hanging. */
  private static int awaitStatus(GatehouseSidecar sidecar, int expected) throws Exception {
    int status = status(sidecar);
    for (int i = 0; i < 150 && status != expected; i++) {
      Thread.sleep(100);
      status = status(sidecar);
    }
    return status;
  }

  @Test
  void changedRulesApplyWithoutRestartAndABadFileKeepsThem() throws Exception {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Path yaml = directory.resolve("gatehouse.yaml");
    writeAtomically(yaml, config(htpasswd, "sha1-user"));
    try (Origin origin = new Origin();
        GatehouseSidecar sidecar =
            GatehouseSidecar.start(CommandLine.parse(new String[] {"--config", yaml.toString(), "--listen", "127.0.0.1:0", "--upstream", origin.uri()}, Map.of()))) {
      assertThat(status(sidecar)).isEqualTo(403);

      writeAtomically(yaml, config(htpasswd, "somebody-else"));
      assertThat(awaitStatus(sidecar, 200)).isEqualTo(200);

      writeAtomically(yaml, config(htpasswd, "sha1-user").replace("action: deny", "action: maybe"));
      dev.gatehouse.authz.ReloadingPolicy reloading = sidecar.gatehouse().reloadingPolicy().orElseThrow();
      for (int i = 0; i < 150 && reloading.reloadFailures() == 0; i++) {
        Thread.sleep(100);
      }
      assertThat(reloading.reloadFailures()).isEqualTo(1);
      assertThat(reloading.reloadSuccesses()).isEqualTo(1);
      assertThat(status(sidecar)).as("a bad file keeps the rules in force").isEqualTo(200);
    }
  }
}
