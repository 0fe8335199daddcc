package dev.gatehouse.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter's lifecycle edges that no container request can reach. */
class GatehouseFilterTest {

  @TempDir Path directory;

  private Gatehouse gatehouse;

  @BeforeEach
  void engine() {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    gatehouse =
        Gatehouse.create(
            ConfigLoader.fromTree(Map.of("authentication", Map.of("basic", Map.of("htpasswd", htpasswd.toString())))));
  }

  @AfterEach
  void close() {
    gatehouse.close();
  }

  @Test
  void engineAndConfigInitParameterTogetherAreRefused() {
    GatehouseFilter filter = new GatehouseFilter(gatehouse);

    assertThatThrownBy(() -> filter.init(config(Map.of("config", "gatehouse.yaml"))))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("init-parameter config");
  }

  @Test
  void unreadableYamlFailsInitWithTheLoadersMessage() {
    GatehouseFilter filter = new GatehouseFilter();
    Path missing = directory.resolve("missing.yaml");

    assertThatThrownBy(() -> filter.init(config(Map.of("config", missing.toString()))))
        .isInstanceOf(ServletException.class)
        .hasMessage("no such file " + missing);
  }

  @Test
  void nonHttpRequestFailsInsteadOfPassingUnchecked() throws Exception {
    GatehouseFilter filter = new GatehouseFilter(gatehouse);
    filter.init(config(Map.of()));
    AtomicBoolean chainCalled = new AtomicBoolean();

    assertThatThrownBy(() -> filter.doFilter(plain(ServletRequest.class), plain(ServletResponse.class), (request, response) -> chainCalled.set(true)))
        .isInstanceOf(ServletException.class)
        .hasMessage("GatehouseFilter handles HTTP requests only");
    assertThat(chainCalled).isFalse();
  }

  /** A request or response that is not HTTP; no container makes one, so a proxy stands in. */
  private static <T> T plain(Class<T> type) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              throw new AssertionError("the filter must not use " + method.getName());
            }));
  }

  private static FilterConfig config(Map<String, String> parameters) {
    return new FilterConfig() {
      @Override
      public String getFilterName() {
        return "gatehouse";
      }

      @Override
      public ServletContext getServletContext() {
        throw new AssertionError("not needed");
      }

      @Override
      public String getInitParameter(String name) {
        return parameters.get(name);
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(parameters.keySet());
      }
    };
  }
}
