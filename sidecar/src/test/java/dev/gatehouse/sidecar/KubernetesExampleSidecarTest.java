package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.RawHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The example's Secret and the container arguments inject wrote, run together: the sidecar starts from them, with the
 * Secret's files where the pod would mount them (a temporary directory here) and the listener on port 0, and guards
 * the app with the example's user.
 */
class KubernetesExampleSidecarTest {

  private static final Path EXAMPLES = Path.of("../examples/kubernetes");

  @TempDir Path mount;

  private Origin origin;
  private GatehouseSidecar sidecar;

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  @Test
  void theSidecarStartsFromTheSecretAndTheInjectedArgumentsAndLetsOnlyTheExampleUserIn() throws Exception {
    origin = new Origin();
    Map<String, Object> stringData = secretData();
    for (Map.Entry<String, Object> file : stringData.entrySet()) {
      Files.writeString(mount.resolve(file.getKey()), file.getValue().toString().replace("/etc/gatehouse", mount.toString()));
    }
    List<String> args = new ArrayList<>();
    for (String arg : containerArgs()) {
      if (arg.startsWith("--admin=")) {
        assertThat(arg).isEqualTo("--admin=0.0.0.0:9901");
        args.add("--admin=127.0.0.1:0");
      } else if (arg.startsWith("--listen=")) {
        assertThat(arg).isEqualTo("--listen=0.0.0.0:8000");
        args.add("--listen=127.0.0.1:0");
      } else if (arg.startsWith("--upstream=")) {
        assertThat(arg).isEqualTo("--upstream=http://127.0.0.1:8080");
        args.add("--upstream=" + origin.uri());
      } else {
        args.add(arg.replace("/etc/gatehouse", mount.toString()));
      }
    }
    sidecar = GatehouseSidecar.start(CommandLine.parse(args.toArray(String[]::new), Map.of()));

    HttpClient client = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + sidecar.port() + "/");
    HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"hello\", charset=\"UTF-8\"");
    HttpResponse<String> admin =
        client.send(
            HttpRequest.newBuilder(uri).header("Authorization", RawHttp.basic("admin", "admin")).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(admin.statusCode()).isEqualTo(200);
    assertThat(origin.next().header("X-Forwarded-User")).containsExactly("admin");
    // The probes inject wrote ask the admin listener these paths.
    for (String probe : List.of("/livez", "/readyz")) {
      HttpResponse<String> answer =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + probe)).timeout(Duration.ofSeconds(20)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(probe).isEqualTo(200);
    }
  }

  @Test
  void everyArgumentInjectWritesIsAFlagOfTheSidecarWithAValidValue() throws IOException {
    CommandLine parsed = CommandLine.parse(containerArgs().toArray(String[]::new), Map.of());
    assertThat(parsed.overrides()).containsKeys("admin", "log-format", "access-log", "shutdown.drain-delay");
  }

  @SuppressWarnings("unchecked")
  private static List<String> containerArgs() throws IOException {
    for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(EXAMPLES.resolve("hello-app.injected.yaml")))) {
      Map<String, Object> map = (Map<String, Object>) document;
      if (map.get("kind").equals("Deployment")) {
        Map<String, Object> podSpec = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) map.get("spec")).get("template")).get("spec");
        for (Object container : (List<Object>) podSpec.get("initContainers")) {
          if (((Map<String, Object>) container).get("name").equals("gatehouse")) {
            return (List<String>) ((Map<String, Object>) container).get("args");
          }
        }
      }
    }
    throw new AssertionError("no gatehouse container in hello-app.injected.yaml");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> secretData() throws IOException {
    Map<String, Object> secret = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(EXAMPLES.resolve("gatehouse-secret.yaml")));
    return (Map<String, Object>) secret.get("stringData");
  }
}
