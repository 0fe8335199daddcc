package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.Fixtures;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Micrometer and Actuator in a real Spring Boot application on a free port: exact meter counts after a known mix of
 * requests, and the {@code gatehouse} health going DOWN and back UP with a real reload of the htpasswd file.
 */
class GatehouseActuatorApplicationTest {

  private static final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path directory;

  private Path htpasswd;
  private ConfigurableApplicationContext application;
  private URI base;

  @BeforeEach
  void start() {
    htpasswd = Fixtures.copy("formats.htpasswd", directory);
    application =
        new SpringApplicationBuilder(Application.class)
            .properties(
                "server.address=127.0.0.1",
                "server.port=0",
                "spring.main.banner-mode=off",
                "management.endpoints.web.exposure.include=health,info",
                "management.endpoint.health.show-details=always",
                "management.endpoint.health.probes.enabled=true",
                "gatehouse.authentication.basic.htpasswd=" + htpasswd,
                "gatehouse.authorization.rules[0].name=actuator",
                "gatehouse.authorization.rules[0].action=allow",
                "gatehouse.authorization.rules[0].to.paths=/actuator/*",
                "gatehouse.authorization.rules[1].name=users",
                "gatehouse.authorization.rules[1].action=allow",
                "gatehouse.authorization.rules[1].from.request-principals=*",
                "gatehouse.authorization.rules[2].name=nobody-deletes",
                "gatehouse.authorization.rules[2].action=deny",
                "gatehouse.authorization.rules[2].to.paths=/forbidden")
            .run();
    base = URI.create("http://127.0.0.1:" + application.getEnvironment().getProperty("local.server.port") + "/");
  }

  @AfterEach
  void stop() {
    application.close();
  }

  @Test
  void decisionsAreCountedExactlyByKindAndMethod() throws Exception {
    for (int i = 0; i < 2; i++) {
      send("hello", null);
    }
    for (int i = 0; i < 3; i++) {
      send("hello", basic("bcrypt-user", "bcrypt secret"));
    }
    send("hello", basic("bcrypt-user", "wrong"));
    send("forbidden", basic("sha1-user", "sha1 secret"));

    MeterRegistry registry = application.getBean(MeterRegistry.class);
    assertThat(registry).isInstanceOf(SimpleMeterRegistry.class);
    assertThat(decisions(registry, "challenge", "none")).isEqualTo(3.0);
    assertThat(decisions(registry, "allow", "basic")).isEqualTo(3.0);
    assertThat(decisions(registry, "deny", "basic")).isEqualTo(1.0);
    // Every built-in series exists from the start, at zero, so that rate() and absent() work before the first one.
    assertThat(registry.find("gatehouse.decisions").tags("decision", "reject").counters())
        .hasSize(4)
        .allSatisfy(counter -> assertThat(counter.count()).isZero());
    assertThat(registry.get("gatehouse.request.duration").tag("decision", "allow").timer().count()).isEqualTo(3);
    assertThat(registry.get("gatehouse.request.duration").tag("decision", "challenge").timer().count()).isEqualTo(3);
    assertThat(reloads(registry, "success")).isZero();
    assertThat(reloads(registry, "failure")).isZero();
  }

  @Test
  void healthIsDownWithTheReasonWhileARefusedHtpasswdFileIsReplacedAndUpAgainOnceFixed() throws Exception {
    String good = Files.readString(htpasswd);
    assertThat(health("health/gatehouse")).contains("\"status\":\"UP\"");

    Files.writeString(htpasswd, good + "intruder:plain-text-password\n");
    String down = await("health/gatehouse", body -> body.contains("\"status\":\"DOWN\""));

    assertThat(down).contains("changed but was refused").contains(htpasswd.toString()).doesNotContain("plain-text-password");
    // The old file is still served, so its users still get in.
    assertThat(send("hello", basic("bcrypt-user", "bcrypt secret")).statusCode()).isEqualTo(200);
    // An identity file's trouble is not a reason for Kubernetes to restart the application.
    assertThat(health("health/liveness")).contains("\"status\":\"UP\"");
    assertThat(reloads(application.getBean(MeterRegistry.class), "failure")).isEqualTo(1.0);

    Files.writeString(htpasswd, good + "# fixed, and a little longer than before\n");
    String up = await("health/gatehouse", body -> body.contains("\"status\":\"UP\""));

    assertThat(up).contains("\"successes\":1");
    assertThat(reloads(application.getBean(MeterRegistry.class), "success")).isEqualTo(1.0);
  }

  @Test
  void infoNamesTheVersionTheMethodsAndTheNumberOfRules() throws Exception {
    String info = health("info");

    assertThat(info).contains("\"gatehouse\"").contains("\"authenticators\":[\"basic\"]").contains("\"rules\":3").contains("\"version\":\"");
  }

  private static double decisions(MeterRegistry registry, String decision, String authn) {
    return registry.get("gatehouse.decisions").tags("decision", decision, "authn", authn).counter().count();
  }

  private static double reloads(MeterRegistry registry, String result) {
    return registry.get("gatehouse.reloads").tags("source", "htpasswd", "result", result).functionCounter().count();
  }

  private String health(String path) throws Exception {
    return send("actuator/" + path, null).body();
  }

  /** The htpasswd file is polled every two seconds by the engine's own thread; this waits at most fifteen for it. */
  private String await(String path, Predicate<String> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    String body = health(path);
    while (!condition.test(body) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      body = health(path);
    }
    return body;
  }

  private HttpResponse<String> send(String path, String authorization) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Hello.class)
  static class Application {
    @Bean
    SimpleMeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @RestController
  static class Hello {
    @GetMapping({"/hello", "/forbidden"})
    String hello() {
      return "hello";
    }
  }
}
