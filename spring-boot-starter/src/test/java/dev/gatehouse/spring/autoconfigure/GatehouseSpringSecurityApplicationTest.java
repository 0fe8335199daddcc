package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.gatehouse.Identity;
import dev.gatehouse.spring.security.GatehouseAuthentication;
import dev.gatehouse.spring.security.GatehouseAuthenticationDetails;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.TestTokens;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Gatehouse decides, Spring Security adds method security: a real Spring Boot application with Spring Security and
 * {@code @EnableMethodSecurity} on embedded Tomcat and a free port, no {@code SecurityFilterChain} of its own, HTTP
 * Basic and JWT (keys from a real JWKS server) configured by properties.
 */
class GatehouseSpringSecurityApplicationTest {

  private static final RSAKey KEY = TestTokens.rsa("spring-1");
  private static final String BASIC = "Basic realm=\"Restricted\", charset=\"UTF-8\"";
  private static final String BEARER = "Bearer realm=\"Restricted\"";
  private static final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path directory;

  private final JwksServer jwks = JwksServer.start(KEY);
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
                "gatehouse.authentication.basic.htpasswd=" + htpasswd,
                "gatehouse.authentication.jwt[0].issuer=" + jwks.issuer(),
                "gatehouse.authentication.jwt[0].jwks-uri=" + jwks.jwksUri(),
                "gatehouse.authentication.jwt[0].audiences=orders",
                "gatehouse.authorization.rules[0].name=public",
                "gatehouse.authorization.rules[0].action=allow",
                "gatehouse.authorization.rules[0].to.paths=/public/*",
                "gatehouse.authorization.rules[1].name=callers",
                "gatehouse.authorization.rules[1].action=allow",
                "gatehouse.authorization.rules[1].from.request-principals=*")
            .run();
    base = URI.create("http://127.0.0.1:" + application.getEnvironment().getProperty("local.server.port") + "/");
  }

  @AfterEach
  void stop() {
    application.close();
    jwks.close();
  }

  @Test
  void callerInGroupOpsReachesTheHasRoleOpsEndpoint() throws Exception {
    HttpResponse<String> response = send("ops", bearer(List.of("ops"), "orders.read"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ops: " + jwks.issuer() + "/alice");
  }

  @Test
  void callerNotInGroupOpsGetsGatehousesForbiddenFromMethodSecurity() throws Exception {
    HttpResponse<String> jwt = send("ops", bearer(List.of("dev"), "orders.read"));
    HttpResponse<String> basic = send("ops", basic("bcrypt-user", "bcrypt secret"));

    assertThat(jwt.statusCode()).isEqualTo(403);
    assertThat(jwt.body()).isEqualTo("Forbidden\n");
    assertThat(basic.statusCode()).isEqualTo(403);
  }

  @Test
  void authenticationPrincipalAndUserPrincipalAreTheGatehouseIdentity() throws Exception {
    HttpResponse<String> response = send("me", bearer(List.of("ops"), "orders.read"));

    assertThat(response.statusCode()).isEqualTo(200);
    String name = jwks.issuer() + "/alice";
    assertThat(response.body().split("\n"))
        .containsExactly(
            "identity=" + name + " method=jwt groups=[ops]",
            "userPrincipal=" + name,
            "remoteUser=" + name,
            "isUserInRole(ops)=true",
            "isUserInRole(dev)=false",
            "authorities=[ROLE_ops, SCOPE_orders.read]",
            "details=GatehouseAuthenticationDetails peer=none");
  }

  @Test
  void basicUserIsTheSamePrincipalToSpringSecurity() throws Exception {
    HttpResponse<String> response = send("me", basic("bcrypt-user", "bcrypt secret"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("identity=bcrypt-user method=basic groups=[]\nuserPrincipal=bcrypt-user\nremoteUser=bcrypt-user\n");
  }

  @Test
  void anonymousCallerGetsGatehousesChallengeNotALoginRedirect() throws Exception {
    HttpResponse<String> response = send("ops", null);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly(BASIC, BEARER);
    assertThat(response.headers().firstValue("Location")).isEmpty();
    assertThat(response.body()).isEqualTo("Unauthorized\n");
  }

  @Test
  void anonymousCallerGatehouseLetInButMethodSecurityRefusesGetsTheSameChallenge() throws Exception {
    HttpResponse<String> open = send("public/open", null);
    HttpResponse<String> secured = send("public/secured", null);

    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.body()).isEqualTo("anonymous=true");
    assertThat(secured.statusCode()).isEqualTo(401);
    assertThat(secured.headers().allValues("WWW-Authenticate")).containsExactly(BASIC, BEARER);
    assertThat(secured.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void jwtScopesAreScopeAuthoritiesForHasAuthority() throws Exception {
    HttpResponse<String> withScope = send("orders", bearer(List.of(), "orders.read orders.write"));
    HttpResponse<String> withoutScope = send("orders", bearer(List.of(), "billing.read"));

    assertThat(withScope.statusCode()).isEqualTo(200);
    assertThat(withScope.body()).isEqualTo("orders for " + jwks.issuer() + "/alice");
    assertThat(withoutScope.statusCode()).isEqualTo(403);
  }

  @Test
  void theCallerDoesNotOutliveItsRequestOnThePooledThread() throws Exception {
    send("me", bearer(List.of("ops"), "orders.read"));

    HttpResponse<String> after = send("public/open", null);

    assertThat(after.body()).isEqualTo("anonymous=true");
  }

  private String bearer(List<String> groups, String scope) {
    return "Bearer " + TestTokens.sign(KEY, TestTokens.claims(jwks.issuer(), "alice", "orders").claim("groups", groups).claim("scope", scope).build());
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> send(String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableMethodSecurity
  @Import(Endpoints.class)
  static class Application {}

  @RestController
  static class Endpoints {
    @GetMapping("/ops")
    @PreAuthorize("hasRole('ops')")
    String ops(@AuthenticationPrincipal Identity caller) {
      return "ops: " + caller.name();
    }

    @GetMapping("/orders")
    @PreAuthorize("hasAuthority('SCOPE_orders.read')")
    String orders(Authentication authentication) {
      return "orders for " + authentication.getName();
    }

    @GetMapping("/me")
    String me(@AuthenticationPrincipal Identity caller, HttpServletRequest request) {
      GatehouseAuthentication authentication = (GatehouseAuthentication) SecurityContextHolder.getContext().getAuthentication();
      GatehouseAuthenticationDetails details = (GatehouseAuthenticationDetails) authentication.getDetails();
      return String.join(
          "\n",
          "identity=" + caller.name() + " method=" + caller.authenticationMethod() + " groups=" + caller.groups(),
          "userPrincipal=" + request.getUserPrincipal().getName(),
          "remoteUser=" + request.getRemoteUser(),
          "isUserInRole(ops)=" + request.isUserInRole("ops"),
          "isUserInRole(dev)=" + request.isUserInRole("dev"),
          "authorities=" + authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList(),
          "details=GatehouseAuthenticationDetails peer=" + details.peer().map(Identity::name).orElse("none"));
    }

    @GetMapping("/public/open")
    String open() {
      Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
      return "anonymous=" + (authentication == null || !(authentication instanceof GatehouseAuthentication));
    }

    @GetMapping("/public/secured")
    @PreAuthorize("isAuthenticated()")
    String secured() {
      return "secured";
    }
  }
}
