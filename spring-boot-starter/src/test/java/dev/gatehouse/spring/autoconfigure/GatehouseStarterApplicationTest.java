package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.Fixtures;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** The starter in a real Spring MVC application on embedded Tomcat and a free port, configured only by properties. */
class GatehouseStarterApplicationTest {

  private static final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path directory;

  private ConfigurableApplicationContext application;
  private URI base;

  @BeforeEach
  void start() {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    application =
        new SpringApplicationBuilder(Application.class)
            .properties(
                "server.address=127.0.0.1",
                "server.port=0",
                "spring.main.banner-mode=off",
                "gatehouse.authentication.basic.htpasswd=" + htpasswd)
            .run();
    // The property, not WebServerApplicationContext, whose package differs between Boot 3.5 and 4.x.
    int port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    base = URI.create("http://127.0.0.1:" + port + "/");
  }

  @AfterEach
  void stop() {
    application.close();
  }

  @Test
  void requestWithoutCredentialsIsChallengedBeforeReachingSpringMvc() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("whoami")));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().allValues("WWW-Authenticate"))
        .containsExactly("Basic realm=\"Restricted\", charset=\"UTF-8\"");
    assertThat(response.body()).isEqualTo("Unauthorized\n");
  }

  @Test
  void requestForAnUnmappedPathIsChallengedToo() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("no/such/page")));

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void validCredentialsReachTheControllerAsTheRemoteUser() throws Exception {
    HttpResponse<String> response =
        send(HttpRequest.newBuilder(base.resolve("whoami")).header("Authorization", basic("bcrypt-user", "bcrypt secret")));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("bcrypt-user");
  }

  @Test
  void wrongPasswordIsRejectedWith401() throws Exception {
    HttpResponse<String> response =
        send(HttpRequest.newBuilder(base.resolve("whoami")).header("Authorization", basic("bcrypt-user", "nope")));

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void spoofedForwardedUserNeverReachesTheController() throws Exception {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(base.resolve("forwarded-user"))
                .header("Authorization", basic("bcrypt-user", "bcrypt secret"))
                .header("X-Forwarded-User", "admin")
                .header("x_forwarded_user", "admin"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("bcrypt-user");
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(WhoAmI.class)
  static class Application {}

  @RestController
  static class WhoAmI {
    @GetMapping("/whoami")
    String whoami(HttpServletRequest request) {
      return request.getRemoteUser();
    }

    @GetMapping("/forwarded-user")
    String forwardedUser(@RequestHeader("X-Forwarded-User") String user) {
      return user;
    }
  }
}
