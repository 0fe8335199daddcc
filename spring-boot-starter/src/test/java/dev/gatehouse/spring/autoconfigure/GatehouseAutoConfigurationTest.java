package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.servlet.GatehouseFilter;
import dev.gatehouse.testing.Fixtures;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class GatehouseAutoConfigurationTest {

  private static final String REGISTRATION = GatehouseServletFilterAutoConfiguration.REGISTRATION_BEAN_NAME;

  private final WebApplicationContextRunner web =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(GatehouseAutoConfiguration.class, GatehouseServletFilterAutoConfiguration.class));

  @TempDir Path directory;

  private String htpasswdProperty;

  @BeforeEach
  void htpasswd() {
    htpasswdProperty = "gatehouse.authentication.basic.htpasswd=" + Fixtures.copy("formats.htpasswd", directory);
  }

  @Test
  void htpasswdPropertyCreatesTheEngineAndRegistersTheFilterOnce() {
    web.withPropertyValues(htpasswdProperty)
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Gatehouse.class).hasSingleBean(GatehouseConfig.class);
              FilterRegistrationBean<?> registration = context.getBean(REGISTRATION, FilterRegistrationBean.class);
              assertThat(registration.getFilter()).isInstanceOf(GatehouseFilter.class);
              assertThat(registration.getFilterName()).isEqualTo("gatehouse");
              assertThat(registration.getUrlPatterns()).containsExactly("/*");
              assertThat(registration.determineDispatcherTypes())
                  .containsExactlyInAnyOrder(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
              assertThat(registration.isAsyncSupported()).isTrue();
              assertThat(registration.getOrder()).isEqualTo(-110);
              // A Filter bean would be registered by the container a second time, with no order.
              assertThat(context).doesNotHaveBean(Filter.class);
            });
  }

  @Test
  void filterRunsTheConfiguredEngine() {
    web.withPropertyValues(htpasswdProperty, "gatehouse.authentication.basic.realm=Staff")
        .run(
            context -> {
              MockHttpServletResponse anonymous = filter(context.getBean(REGISTRATION, FilterRegistrationBean.class), null);
              assertThat(anonymous.getStatus()).isEqualTo(401);
              assertThat(anonymous.getHeaders("WWW-Authenticate"))
                  .containsExactly("Basic realm=\"Staff\", charset=\"UTF-8\"");
            });
  }

  @Test
  void nothingHappensWithoutGatehouseProperties() {
    web.run(
        context ->
            assertThat(context)
                .hasNotFailed()
                .doesNotHaveBean(Gatehouse.class)
                .doesNotHaveBean(GatehouseConfig.class)
                .doesNotHaveBean(REGISTRATION));
  }

  @Test
  void enabledFalseTurnsGatehouseOffDespiteItsProperties() {
    web.withPropertyValues(htpasswdProperty, "gatehouse.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Gatehouse.class).doesNotHaveBean(REGISTRATION));
  }

  @Test
  void anyGatehousePropertyActivatesItSoAnIncompleteConfigurationFailsStartup() {
    web.withPropertyValues("gatehouse.filter.order=5")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("authentication: missing; configure at least one method, such as basic"));
  }

  @Test
  void authorizationRulesBindFromProperties() {
    web.withPropertyValues(
            htpasswdProperty,
            "gatehouse.authorization.rules[0].name=public",
            "gatehouse.authorization.rules[0].action=allow",
            "gatehouse.authorization.rules[0].to.methods=GET",
            "gatehouse.authorization.rules[0].to.paths=/public/*,/healthz",
            "gatehouse.authorization.rules[1].action=deny",
            "gatehouse.authorization.rules[1].from.not-request-principals[0]=sha1-user",
            "gatehouse.authorization.rules[1].to.paths[0]=/admin/*",
            "gatehouse.authorization.rules[2].action=allow",
            "gatehouse.authorization.rules[2].from.request-principals=*",
            "gatehouse.authorization.rules[2].when[0].key=request.headers[X-Tenant]",
            "gatehouse.authorization.rules[2].when[0].not-values=blocked",
            "gatehouse.authorization.audit=all")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              FilterRegistrationBean<?> registration = context.getBean(REGISTRATION, FilterRegistrationBean.class);
              assertThat(filter(registration, "GET", "/public/x", null).getStatus()).isEqualTo(200);
              assertThat(filter(registration, "GET", "/admin/x", basic("bcrypt-user", "bcrypt secret")).getStatus()).isEqualTo(403);
              assertThat(filter(registration, "GET", "/admin/x", basic("sha1-user", "sha1 secret")).getStatus()).isEqualTo(200);
              assertThat(filter(registration, "GET", "/admin/x", null).getStatus()).isEqualTo(401);
              assertThat(filter(registration, "GET", "/x;y", basic("sha1-user", "sha1 secret")).getStatus()).isEqualTo(400);
            });
  }

  @Test
  void badRuleFailsStartupNamingThePropertyWithItsIndex() {
    web.withPropertyValues(
            htpasswdProperty, "gatehouse.authorization.rules[0].action=allow", "gatehouse.authorization.rules[0].to.paths[0]=/a/../b")
        .run(
            context -> {
              assertThat(context)
                  .getFailure()
                  .rootCause()
                  .isInstanceOf(ConfigException.class)
                  .hasMessage("authorization.rules[0].to.paths[0]: not in canonical form, so it could never match; write /b instead of /a/../b");
              FailureAnalysis analysis = new GatehouseConfigFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis.getAction()).isEqualTo("Correct the property gatehouse.authorization.rules[0].to.paths[0].");
            });
  }

  private static String basic(String user, String password) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static MockHttpServletResponse filter(FilterRegistrationBean<?> registration, String method, String uri, String authorization)
      throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest(method, uri);
    request.setServletPath(uri);
    if (authorization != null) {
      request.addHeader("Authorization", authorization);
    }
    MockHttpServletResponse response = new MockHttpServletResponse();
    registration.getFilter().doFilter(request, response, new MockFilterChain());
    return response;
  }

  @Test
  void badHtpasswdPathFailsStartupWithTheKeyNamedMessage() {
    web.withPropertyValues("gatehouse.authentication.basic.htpasswd=./no-such-htpasswd")
        .run(
            context -> {
              assertThat(context)
                  .getFailure()
                  .rootCause()
                  .isInstanceOf(ConfigException.class)
                  .hasMessage("authentication.basic.htpasswd: no such file ./no-such-htpasswd");
              FailureAnalysis analysis = new GatehouseConfigFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis.getDescription())
                  .isEqualTo("Gatehouse refused its configuration: authentication.basic.htpasswd: no such file ./no-such-htpasswd");
              assertThat(analysis.getAction()).isEqualTo("Correct the property gatehouse.authentication.basic.htpasswd.");
            });
  }

  @Test
  void badRealmFailsStartupWithTheKeyNamedMessage() {
    web.withPropertyValues(htpasswdProperty, "gatehouse.authentication.basic.realm=say \"hi\"")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessage("authentication.basic.realm: must be printable ASCII without quotes or backslashes"));
  }

  @Test
  void failureAnalyzerIsRegistered() {
    // Boot's own analyzers need arguments only a starting application supplies; skip those, keep ours.
    List<FailureAnalyzer> analyzers =
        SpringFactoriesLoader.forDefaultResourceLocation()
            .load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> {}));
    assertThat(analyzers).hasAtLeastOneElementOfType(GatehouseConfigFailureAnalyzer.class);
  }

  @Test
  void filterOrderIsConfigurable() {
    web.withPropertyValues(htpasswdProperty, "gatehouse.filter.order=7")
        .run(context -> assertThat(context.getBean(REGISTRATION, FilterRegistrationBean.class).getOrder()).isEqualTo(7));
  }

  @Test
  void userDefinedEngineReplacesOursAndIsTheOneTheFilterRuns() {
    web.withPropertyValues(htpasswdProperty)
        .withUserConfiguration(UserEngine.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(Gatehouse.class);
              assertThat(context.getBean(Gatehouse.class)).isSameAs(context.getBean(UserEngine.class).engine);
              MockHttpServletResponse response =
                  filter(context.getBean(REGISTRATION, FilterRegistrationBean.class), "Token let-me-in");
              assertThat(response.getStatus()).isEqualTo(200);
            });
  }

  @Test
  void userDefinedEngineIsPutInFrontOfRequestsWithoutAnyProperty() {
    web.withUserConfiguration(UserEngine.class)
        .run(context -> assertThat(context).hasSingleBean(Gatehouse.class).hasBean(REGISTRATION));
  }

  @Test
  void enabledFalseAlsoKeepsAUserDefinedEngineOutOfTheRequestPath() {
    web.withPropertyValues("gatehouse.enabled=false")
        .withUserConfiguration(UserEngine.class)
        .run(context -> assertThat(context).hasSingleBean(Gatehouse.class).doesNotHaveBean(REGISTRATION));
  }

  @Test
  void userDefinedRegistrationReplacesOurs() {
    web.withPropertyValues(htpasswdProperty)
        .withUserConfiguration(UserRegistration.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(FilterRegistrationBean.class);
              assertThat(context.getBean(REGISTRATION, FilterRegistrationBean.class).getOrder()).isEqualTo(42);
            });
  }

  @Test
  void engineButNoFilterWithoutTheServletApi() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(GatehouseAutoConfiguration.class, GatehouseServletFilterAutoConfiguration.class))
        .withPropertyValues(htpasswdProperty)
        .withClassLoader(new FilteredClassLoader("jakarta.servlet"))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Gatehouse.class).doesNotHaveBean(REGISTRATION));
  }

  @Test
  void noFilterWhenTheFilterClassIsMissing() {
    web.withPropertyValues(htpasswdProperty)
        .withClassLoader(new FilteredClassLoader(GatehouseFilter.class))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Gatehouse.class).doesNotHaveBean(REGISTRATION));
  }

  @Test
  void noFilterOutsideServletWebApplications() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(GatehouseAutoConfiguration.class, GatehouseServletFilterAutoConfiguration.class))
        .withPropertyValues(htpasswdProperty)
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Gatehouse.class).doesNotHaveBean(REGISTRATION));
  }

  @Test
  void engineIsClosedWithTheContext() {
    web.withPropertyValues(htpasswdProperty)
        .run(
            context -> {
              List<Thread> reloaders = reloaderThreads();
              assertThat(reloaders).isNotEmpty();
              context.close();
              for (Thread reloader : reloaders) {
                reloader.join(5_000);
                assertThat(reloader.isAlive()).as("%s after the context closed", reloader).isFalse();
              }
            });
  }

  @Test
  void configurationMetadataDescribesTheYamlKeys() throws Exception {
    String metadata;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated configuration metadata").isNotNull();
      metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(metadata)
        .contains("\"name\": \"gatehouse.authentication.basic.htpasswd\"")
        .contains("\"name\": \"gatehouse.authentication.basic.realm\"")
        .contains("\"name\": \"gatehouse.enabled\"")
        .contains("\"name\": \"gatehouse.filter.order\"");
  }

  /** The engine's htpasswd watcher threads: alive exactly as long as an engine is open. */
  private static List<Thread> reloaderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().equals("gatehouse-htpasswd-reload"))
        .toList();
  }

  /** Sends one GET through the registered filter; a 200 means the chain continued. */
  private static MockHttpServletResponse filter(FilterRegistrationBean<?> registration, String authorization)
      throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
    if (authorization != null) {
      request.addHeader("Authorization", authorization);
    }
    MockHttpServletResponse response = new MockHttpServletResponse();
    registration.getFilter().doFilter(request, response, new MockFilterChain());
    return response;
  }

  @Configuration(proxyBeanMethods = false)
  static class UserEngine {
    final Gatehouse engine = Gatehouse.builder().authenticator(new FixedToken()).build();

    @Bean
    Gatehouse userGatehouse() {
      return engine;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserRegistration {
    @Bean(REGISTRATION)
    FilterRegistrationBean<GatehouseFilter> customRegistration(Gatehouse gatehouse) {
      FilterRegistrationBean<GatehouseFilter> registration = new FilterRegistrationBean<>(new GatehouseFilter(gatehouse));
      registration.setOrder(42);
      return registration;
    }
  }

  /** {@code Authorization: Token let-me-in} is the caller {@code robot}. */
  static final class FixedToken implements Authenticator {
    @Override
    public AuthenticationResult authenticate(RequestView request) {
      return request.header("Authorization").filter("Token let-me-in"::equals).isPresent()
          ? AuthenticationResult.success(Identity.of("robot", "token"))
          : AuthenticationResult.none();
    }

    @Override
    public Optional<String> challenge() {
      return Optional.of("Token");
    }
  }
}
