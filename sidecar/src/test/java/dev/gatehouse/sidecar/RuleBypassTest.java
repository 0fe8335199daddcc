package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Deny rules on fields other than the path, attacked through the real sidecar: every variant of a denied request must
 * be refused, or reach the recording upstream in a form the rule did not cover.
 */
class RuleBypassTest {

  private static final String USER = RawHttp.basic("apr1-user", "apr1 secret");

  @TempDir static Path directory;
  private static PathBypassTest.RecordingUpstream upstream;
  private static GatehouseSidecar sidecar;

  @BeforeAll
  static void start() throws Exception {
    upstream = new PathBypassTest.RecordingUpstream();
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              basic: {htpasswd: %s}
            authorization:
              rules:
                - {name: no-deletes, action: deny, to: {methods: [DELETE]}}
                - {name: no-admin-site, action: deny, to: {hosts: [admin.example.com]}}
                - {name: no-custom-deletes, action: deny, to: {paths: ['*:delete', '/@internal/*']}}
            """
                .formatted(htpasswd));
    Map<String, String> overrides = Map.of("listen", "127.0.0.1:0", "upstream", "http://127.0.0.1:" + upstream.port());
    sidecar = GatehouseSidecar.start(ConfigLoader.load(Optional.of(yaml), overrides), Duration.ofSeconds(5));
  }

  @AfterAll
  static void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    upstream.close();
  }

  @BeforeEach
  void forgetEarlierRequests() {
    upstream.targets.clear();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"DELETE", "delete", "Delete", "deLETE"})
  void deniedMethodIsRefusedInEveryCase(String method) throws Exception {
    RawHttp.Response response = RawHttp.exchange(sidecar.port(), method + " /orders/7 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + USER + "\r\n");

    // Method names are case-sensitive: DELETE is denied by the rule, any other spelling is no registered method (400).
    assertThat(response.status()).as("the upstream would receive %s as DELETE", method).isEqualTo(method.equals("DELETE") ? 403 : 400);
    assertThat(upstream.targets.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  /**
   * The upstream decodes {@code %3A} to {@code :} and {@code %40} to {@code @} like any servlet container or router, so
   * the encoded form of a character that may also stand unencoded in a path is the same resource.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/v1/things/7:delete", "/v1/things/7%3Adelete", "/v1/things/7%3adelete", "/v1/things/7%3a%64elete", "/@internal/x", "/%40internal/x"})
  void deniedPathIsDeniedWhateverItEncodes(String path) throws Exception {
    RawHttp.Response response = RawHttp.exchange(sidecar.port(), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + USER + "\r\n");

    assertThat(response.status()).as(path).isEqualTo(403);
    assertThat(upstream.targets.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  /** A fully qualified name's trailing dot names the same host: nginx, Envoy and Jetty's virtual hosts drop it. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"admin.example.com", "ADMIN.example.com:80", "admin.example.com.", "Admin.Example.Com.:8080"})
  void deniedHostIsDeniedInEverySpelling(String host) throws Exception {
    RawHttp.Response response = RawHttp.exchange(sidecar.port(), "GET /x HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " + USER + "\r\n");

    assertThat(response.status()).as("Host: %s", host).isEqualTo(403);
    assertThat(upstream.targets.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }
}
