package dev.gatehouse.conformance;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.servlet.GatehouseFilter;
import dev.gatehouse.sidecar.GatehouseSidecar;
import dev.gatehouse.testing.TestCertificate;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
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
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
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

  /**
   * As {@link #filter(Path)}, on a TLS connector that asks for a client certificate ({@code want}) and trusts the given
   * CA bundle, as a container configured for mutual TLS would.
   */
  static Delivery filterOverTls(Path yaml, TestCertificate server, List<TestCertificate> clientCas) throws Exception {
    Server jetty = new Server();
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry("server", server.privateKey(), "pw".toCharArray(), server.chain().toArray(X509Certificate[]::new));
    KeyStore trustStore = KeyStore.getInstance("PKCS12");
    trustStore.load(null, null);
    for (int i = 0; i < clientCas.size(); i++) {
      trustStore.setCertificateEntry("ca-" + i, clientCas.get(i).certificate());
    }
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(keyStore);
    ssl.setKeyStorePassword("pw");
    ssl.setTrustStore(trustStore);
    ssl.setWantClientAuth(true);
    HttpConfiguration http = new HttpConfiguration();
    http.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector connector = new ServerConnector(jetty, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder filter = new FilterHolder(GatehouseFilter.class);
    filter.setInitParameter(GatehouseFilter.CONFIG_INIT_PARAMETER, yaml.toString());
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR));
    context.addServlet(new ServletHolder(new WhoAmI.Servlet()), "/*");
    jetty.setHandler(context);
    jetty.start();
    return new Delivery() {
      @Override
      public int port() {
        return connector.getLocalPort();
      }

      @Override
      public void close() throws Exception {
        jetty.stop();
      }

      @Override
      public String toString() {
        return "filter over TLS";
      }
    };
  }

  /** As {@link #starter(Path)}, with Spring's PEM SSL bundle and {@code server.ssl.client-auth=want}. */
  static Delivery starterOverTls(Path yaml, Path serverChain, Path serverKey, Path clientCaBundle) throws IOException {
    List<String> properties =
        new java.util.ArrayList<>(
            List.of(
                "server.address=127.0.0.1",
                "server.port=0",
                "spring.main.banner-mode=off",
                "spring.ssl.bundle.pem.server.keystore.certificate=file:" + serverChain,
                "spring.ssl.bundle.pem.server.keystore.private-key=file:" + serverKey,
                "spring.ssl.bundle.pem.server.truststore.certificate=file:" + clientCaBundle,
                "server.ssl.bundle=server",
                "server.ssl.client-auth=want"));
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
        return "starter over TLS";
      }
    };
  }

  /** As {@link #sidecar(Path)}, with {@code tls.*} overrides: the sidecar terminates mutual TLS itself. */
  static Delivery sidecarOverTls(Path yaml, Map<String, String> tlsOverrides) throws Exception {
    return sidecar(yaml, tlsOverrides, "sidecar over TLS");
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
    return sidecar(yaml, Map.of(), "sidecar");
  }

  private static Delivery sidecar(Path yaml, Map<String, String> extraOverrides, String name) throws Exception {
    Server origin = new Server();
    ServerConnector originConnector = new ServerConnector(origin);
    originConnector.setHost("127.0.0.1");
    origin.addConnector(originConnector);
    origin.setHandler(new WhoAmI.Handler());
    origin.start();
    Map<String, String> overrides = new LinkedHashMap<>(extraOverrides);
    overrides.put("listen", "127.0.0.1:0");
    overrides.put("upstream", "http://127.0.0.1:" + originConnector.getLocalPort());
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
        return name;
      }
    };
  }

  private static Map<?, ?> readYaml(Path yaml) throws IOException {
    try (InputStream in = Files.newInputStream(yaml)) {
      return (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
    }
  }

  /** A key with a dot (a trust domain such as {@code cluster.local}) goes in brackets, as Spring Boot's map keys do. */
  private static void flatten(String prefix, Map<?, ?> tree, List<String> properties) {
    tree.forEach(
        (key, value) -> flattenValue(String.valueOf(key).contains(".") ? prefix + "[" + key + "]" : prefix + "." + key, value, properties));
  }

  /** Lists become indexed properties ({@code jwt[0].issuer}), as Spring Boot binds them. */
  private static void flattenValue(String name, Object value, List<String> properties) {
    if (value instanceof Map<?, ?> child) {
      flatten(name, child, properties);
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        flattenValue(name + "[" + i + "]", list.get(i), properties);
      }
    } else {
      properties.add(name + "=" + value);
    }
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
