package dev.gatehouse.conformance;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.servlet.GatehouseFilter;
import dev.gatehouse.sidecar.GatehouseSidecar;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * One way of delivering Gatehouse, started from a Gatehouse YAML file in front of an app that reports who it thinks
 * the caller is (see {@link WhoAmI}).
 */
interface Delivery extends AutoCloseable {

  /** The port the delivery listens on, on 127.0.0.1. */
  int port();

  @Override
  void close() throws Exception;

  /** {@link GatehouseFilter} declared by class name with the YAML file as its init-parameter, on Jetty 12 ee10. */
  static Delivery filter(Path yaml) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder filter = new FilterHolder(GatehouseFilter.class);
    filter.setInitParameter(GatehouseFilter.CONFIG_INIT_PARAMETER, yaml.toString());
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR));
    context.addServlet(new ServletHolder(new WhoAmI.Servlet()), "/*");
    server.setHandler(context);
    server.start();
    return new Delivery() {
      @Override
      public int port() {
        return connector.getLocalPort();
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }

      @Override
      public String toString() {
        return "filter";
      }
    };
  }

  /** The Spring Boot starter, with the YAML tree bound as {@code gatehouse.*} properties, on embedded Tomcat. */
  static Delivery starter(Path yaml) throws IOException {
    List<String> properties = new java.util.ArrayList<>(List.of("server.address=127.0.0.1", "server.port=0", "spring.main.banner-mode=off"));
    flatten("gatehouse", readYaml(yaml), properties);
    ConfigurableApplicationContext application = new SpringApplicationBuilder(StarterApplication.class).properties(properties.toArray(String[]::new)).run();
    return new Delivery() {
      @Override
      public int port() {
        return ((WebServerApplicationContext) application).getWebServer().getPort();
      }

      @Override
      public void close() {
        application.close();
      }

      @Override
      public String toString() {
        return "starter";
      }
    };
  }

  /** The sidecar in this JVM, with the YAML file plus the listen and upstream overrides its command line would give. */
  static Delivery sidecar(Path yaml) throws Exception {
    Server origin = new Server();
    ServerConnector originConnector = new ServerConnector(origin);
    originConnector.setHost("127.0.0.1");
    origin.addConnector(originConnector);
    origin.setHandler(new WhoAmI.Handler());
    origin.start();
    Map<String, String> overrides =
        Map.of("listen", "127.0.0.1:0", "upstream", "http://127.0.0.1:" + originConnector.getLocalPort());
    GatehouseSidecar sidecar = GatehouseSidecar.start(ConfigLoader.load(Optional.of(yaml), overrides), Duration.ofSeconds(5));
    return new Delivery() {
      @Override
      public int port() {
        return sidecar.port();
      }

      @Override
      public void close() throws Exception {
        sidecar.close();
        origin.stop();
      }

      @Override
      public String toString() {
        return "sidecar";
      }
    };
  }

  private static Map<?, ?> readYaml(Path yaml) throws IOException {
    try (InputStream in = Files.newInputStream(yaml)) {
      return (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
    }
  }

  private static void flatten(String prefix, Map<?, ?> tree, List<String> properties) {
    tree.forEach((key, value) -> {
      String name = prefix + "." + key;
      if (value instanceof Map<?, ?> child) {
        flatten(name, child, properties);
      } else if (value instanceof List<?> list) {
        for (int i = 0; i < list.size(); i++) {
          if (list.get(i) instanceof Map<?, ?> element) {
            flatten(name + "[" + i + "]", element, properties);
          } else {
            properties.add(name + "[" + i + "]=" + list.get(i));
          }
        }
      } else {
        properties.add(name + "=" + value);
      }
    });
  }

  /** A Spring Boot application that serves {@link WhoAmI.Servlet}; the starter does the rest. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  class StarterApplication {
    @Bean
    ServletRegistrationBean<WhoAmI.Servlet> whoAmI() {
      return new ServletRegistrationBean<>(new WhoAmI.Servlet(), "/*");
    }
  }
}
