package dev.gatehouse.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The filter decides on the path the container dispatches. An application with an admin servlet at {@code /admin/*}
 * and a default servlet at {@code /}, on real Jetty 12 (ee10) and Tomcat 11, behind a rule that keeps everyone but the
 * admin out of {@code /admin}: no raw request-target, however encoded, may reach the admin servlet or dispatch to an
 * {@code /admin} path, and Tomcat's {@code ..;/} in particular is refused before the container resolves it.
 */
class ServletPathBypassTest {

  private static final String USER = RawHttp.basic("apr1-user", "apr1 secret");
  private static final String ADMIN = RawHttp.basic("sha1-user", "sha1 secret");

  @TempDir static Path directory;
  private static final BlockingQueue<String> dispatched = new LinkedBlockingQueue<>();
  private static Gatehouse gatehouse;
  private static ServletContainer jetty;
  private static ServletContainer tomcat;
  private static URI jettyBase;
  private static URI tomcatBase;

  @BeforeAll
  static void start() throws Exception {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              basic: {htpasswd: %s}
            authorization:
              rules:
                - name: admin-area
                  action: deny
                  from: {not-request-principals: [sha1-user]}
                  to: {paths: [/admin/*]}
                - {name: no-custom-deletes, action: deny, to: {paths: ['*:delete']}}
            """
                .formatted(htpasswd));
    gatehouse = Gatehouse.create(ConfigLoader.load(yaml));
    ServletContainerInitializer application =
        (classes, context) -> {
          GatehouseFilter.register(context, gatehouse);
          ServletRegistration.Dynamic admin = context.addServlet("admin", new Recorder("admin"));
          admin.addMapping("/admin/*");
          ServletRegistration.Dynamic app = context.addServlet("app", new Recorder("app"));
          app.addMapping("/");
          context.addServlet("echo", new Recorder("app")).addMapping(ServletContainer.NOT_FOUND_PAGE);
        };
    jetty = ServletContainer.named("jetty", Files.createDirectories(directory.resolve("jetty")));
    jettyBase = jetty.start(application);
    tomcat = ServletContainer.named("tomcat", Files.createDirectories(directory.resolve("tomcat")));
    tomcatBase = tomcat.start(application);
  }

  @AfterAll
  static void stop() throws Exception {
    jetty.close();
    tomcat.close();
    gatehouse.close();
  }

  @BeforeEach
  void forget() {
    dispatched.clear();
  }

  static Stream<Arguments> targets() {
    return Stream.of("jetty", "tomcat")
        .flatMap(
            container ->
                Stream.of(
                        "/admin", "/admin/x", "//admin", "//admin/x", "/./admin", "/x/../admin", "/%61dmin", "/%2e/admin",
                        "/x/%2e%2e/admin", "/x/.%2e/admin", "/x/..%2fadmin", "/x/..%5cadmin", "/x/..\\admin", "/admin;x",
                        "/x/..;/admin", "/..;/admin", "/admin/..;/", "/.;/admin", "/;/admin", "/;x=1/admin/x", "/admin%3b/x",
                        "/%2561dmin", "/%252e%252e/admin", "/%c0%ae%c0%ae/admin", "/ADMIN", "/admin.", "/admin%2e",
                        "/admin%00", "/admin%20", "/admin#x", "/x#/../admin", "http://127.0.0.1/admin", "/adm\u00edn",
                        "/admin?x=/../public")
                    .map(target -> Arguments.of(container, target)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("targets")
  void noTargetReachesTheAdminServletOrAnAdminPath(String container, String target) throws IOException, InterruptedException {
    URI base = container.equals("jetty") ? jettyBase : tomcatBase;
    RawHttp.Response response = RawHttp.exchange(base.getPort(), "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + USER + "\r\n");

    String seen = dispatched.poll();
    if (seen == null) {
      assertThat(response.status()).as("%s %s", container, target).isBetween(400, 499);
      return;
    }
    assertThat(seen).as("%s %s reached the application", container, target).startsWith("app ");
    String path = seen.substring("app ".length());
    assertThat(path.equals("/admin") || path.startsWith("/admin/")).as("%s %s dispatched to %s", container, target, path).isFalse();
  }

  /** Both containers dispatch %3A as ':', so the rule must see it so. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void encodedColonDoesNotSlipPastARuleOnTheColonForm(String container) throws IOException {
    URI base = container.equals("jetty") ? jettyBase : tomcatBase;
    RawHttp.Response response = RawHttp.exchange(base.getPort(), "GET /v1/things/7%3Adelete HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + USER + "\r\n");

    assertThat(dispatched.poll()).as("dispatched").isNull();
    assertThat(response.status()).isEqualTo(403);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void adminReachesTheAdminServlet(String container) throws IOException {
    URI base = container.equals("jetty") ? jettyBase : tomcatBase;
    RawHttp.Response response = RawHttp.exchange(base.getPort(), "GET /admin/x/../y HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + ADMIN + "\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(dispatched.poll()).isEqualTo("admin /admin/y");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void tomcatStyleDotDotSemicolonIsRefusedWith400(String container) throws IOException {
    URI base = container.equals("jetty") ? jettyBase : tomcatBase;
    RawHttp.Response response = RawHttp.exchange(base.getPort(), "GET /public/..;/admin/x HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + USER + "\r\n");

    assertThat(response.status()).isEqualTo(400);
    assertThat(dispatched).isEmpty();
  }

  static Stream<String> containers() {
    return Stream.of("jetty", "tomcat");
  }

  /** Records which servlet got the request and the path the container dispatched, decoded: servlet path + path info. */
  static final class Recorder extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final String name;

    Recorder(String name) {
      this.name = name;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
      String pathInfo = request.getPathInfo();
      dispatched.add(name + " " + request.getServletPath() + (pathInfo == null ? "" : pathInfo));
      response.setContentType("text/plain");
      response.getWriter().write("ok\n");
    }
  }
}
