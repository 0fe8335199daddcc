package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.JwtIssuerConfig;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.TestTokens;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** {@code gatehouse.authentication.jwt[i].*} binds to the same tree as the YAML file and runs the same engine. */
class JwtPropertiesTest {

  private static final RSAKey KEY = TestTokens.rsa("k1");

  private final JwksServer jwks = JwksServer.start(KEY);
  private final WebApplicationContextRunner web =
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class, GatehouseServletFilterAutoConfiguration.class));

  @AfterEach
  void stop() {
    jwks.close();
  }

  private String[] properties() {
    return new String[] {
      "gatehouse.authentication.jwt[0].issuer=" + jwks.issuer(),
      "gatehouse.authentication.jwt[0].jwks-uri=" + jwks.jwksUri(),
      "gatehouse.authentication.jwt[0].audiences=orders,billing",
      "gatehouse.authentication.jwt[0].clock-skew=30s",
      "gatehouse.authentication.jwt[0].from-headers[0].name=Authorization",
      "gatehouse.authentication.jwt[0].from-headers[0].prefix=Bearer ",
      "gatehouse.authentication.jwt[0].from-params=access_token",
      "gatehouse.authentication.jwt[0].claims-to-headers.email=X-Auth-Email",
      "gatehouse.authentication.jwt[0].claims-to-headers[realm_access.roles]=X-Roles",
      "gatehouse.authentication.jwt[0].groups-claim=realm_access.roles"
    };
  }

  @Test
  void everyJwtPropertyReachesTheCoreConfiguration() {
    web.withPropertyValues(properties())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              GatehouseConfig config = context.getBean(GatehouseConfig.class);
              JwtIssuerConfig issuer = config.authentication().jwt().get(0);
              assertThat(issuer.issuer()).isEqualTo(jwks.issuer());
              assertThat(issuer.audiences()).containsExactly("orders", "billing");
              assertThat(issuer.clockSkew()).isEqualTo(Duration.ofSeconds(30));
              assertThat(issuer.fromHeaders()).extracting(JwtIssuerConfig.TokenHeader::name).containsExactly("Authorization");
              assertThat(issuer.fromParams()).containsExactly("access_token");
              assertThat(issuer.claimsToHeaders()).isEqualTo(Map.of("email", "X-Auth-Email", "realm_access.roles", "X-Roles"));
              assertThat(issuer.groupsClaim()).isEqualTo("realm_access.roles");
            });
  }

  @Test
  void filterAcceptsAValidTokenAndHidesItFromTheApplication() {
    web.withPropertyValues(properties())
        .run(
            context -> {
              String token =
                  TestTokens.sign(KEY, TestTokens.claims(jwks.issuer(), "alice", "orders").claim("realm_access", Map.of("roles", List.of("ops"))).build());
              MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
              request.addHeader("Authorization", "Bearer " + token);
              MockFilterChain chain = new MockFilterChain();

              context.getBean(GatehouseServletFilterAutoConfiguration.REGISTRATION_BEAN_NAME, FilterRegistrationBean.class)
                  .getFilter()
                  .doFilter(request, new MockHttpServletResponse(), chain);

              HttpServletRequest seen = (HttpServletRequest) chain.getRequest();
              assertThat(seen.getRemoteUser()).isEqualTo(jwks.issuer() + "/alice");
              assertThat(seen.isUserInRole("ops")).isTrue();
              assertThat(seen.getHeader("Authorization")).isNull();
              assertThat(seen.getHeader("X-Roles")).isEqualTo("ops");
            });
  }

  @Test
  void badTokenIsA401WithInvalidToken() {
    web.withPropertyValues(properties())
        .run(
            context -> {
              MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
              request.addHeader("Authorization", "Bearer " + TestTokens.sign(KEY, TestTokens.claims(jwks.issuer(), "alice", "payroll").build()));
              MockHttpServletResponse response = new MockHttpServletResponse();

              context.getBean(GatehouseServletFilterAutoConfiguration.REGISTRATION_BEAN_NAME, FilterRegistrationBean.class)
                  .getFilter()
                  .doFilter(request, response, new MockFilterChain());

              assertThat(response.getStatus()).isEqualTo(401);
              assertThat(response.getHeaders("WWW-Authenticate"))
                  .containsExactly("Bearer realm=\"Restricted\", error=\"invalid_token\", error_description=\"audience not accepted\"");
            });
  }

  @Test
  void badJwtPropertyFailsStartupWithTheCoreMessage() {
    web.withPropertyValues("gatehouse.authentication.jwt[0].issuer=https://i.example", "gatehouse.authentication.jwt[0].algorithms=HS256")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("authentication.jwt[0].jwks-uri: missing"));
  }
}
