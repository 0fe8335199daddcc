package dev.gatehouse.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The filter in real containers, Jetty 12 and Tomcat 11, on a free port, driven by the JDK's HTTP client. Every test
 * runs on both: a difference between them would mean the filter leans on one container's behaviour.
 */
class GatehouseFilterContainerTest {

  private static final String CHALLENGE = "Basic realm=\"Restricted\", charset=\"UTF-8\"";
  private static final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path directory;

  private final AtomicInteger appCalls = new AtomicInteger();
  private Path htpasswd;
  private Gatehouse gatehouse;
  private ServletContainer container;

  static Stream<String> containers() {
    return Stream.of("jetty", "tomcat");
  }

  static Stream<Arguments> malformedAuthorizations() {
    List<String> values =
        List.of(
            "Basic",
            "Basic ",
            "Basic !!!!",
            "Basic " + base64("bcrypt-user"),
            "Basic " + base64("bcrypt-user:bcrypt secret").replace("=", ""),
            "Basic ====",
            "Basic " + base64(":bcrypt secret"),
            "Basic " + base64("bcrypt-user:bcrypt secret") + " " + base64("x:y"));
    return containers().flatMap(container -> values.stream().map(value -> Arguments.of(container, value)));
  }

  @BeforeEach
  void engine() {
    htpasswd = Fixtures.copy("formats.htpasswd", directory);
    gatehouse =
        Gatehouse.create(
            ConfigLoader.fromTree(Map.of("authentication", Map.of("basic", Map.of("htpasswd", htpasswd.toString())))));
  }

  @AfterEach
  void stop() throws Exception {
    if (container != null) {
      container.close();
    }
    gatehouse.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void requestWithoutCredentialsIsChallengedWith401(String name) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response = send(get(base, "echo"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly(CHALLENGE);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow().replace(" ", "").toLowerCase())
        .isEqualTo("text/plain;charset=utf-8");
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(response.body()).isEqualTo("Unauthorized\n");
    assertThat(appCalls).hasValue(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void wrongPasswordIsRejectedWith401(String name) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response = send(get(base, "echo").header("Authorization", basic("bcrypt-user", "wrong")));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly(CHALLENGE);
    assertThat(response.body()).isEqualTo("Unauthorized\n");
    assertThat(appCalls).hasValue(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void unknownUserIsRejectedWith401(String name) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response = send(get(base, "echo").header("Authorization", basic("nobody", "bcrypt secret")));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(appCalls).hasValue(0);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("malformedAuthorizations")
  void malformedAuthorizationIsRejectedWith401NeverAServerError(String name, String authorization) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response = send(get(base, "echo").header("Authorization", authorization));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().allValues("WWW-Authenticate")).containsExactly(CHALLENGE);
    assertThat(response.body()).isEqualTo("Unauthorized\n");
    assertThat(appCalls).hasValue(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void rawNonAsciiBytesInAuthorizationAreRejectedWith401(String name) throws Exception {
    URI base = start(name, registeredEngine());

    // The JDK client refuses characters beyond Latin-1 in a header value, so send the UTF-8 bytes by hand.
    String response =
        rawExchange(base, "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ✓✓✓✓\r\nConnection: close\r\n\r\n");

    assertThat(response).startsWith("HTTP/1.1 401 ");
    assertThat(appCalls).hasValue(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void twoAuthorizationHeadersAreRejectedWith401(String name) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response =
        send(
            get(base, "echo")
                .header("Authorization", basic("bcrypt-user", "bcrypt secret"))
                .header("Authorization", basic("sha1-user", "sha1 secret")));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(appCalls).hasValue(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void validCredentialsReachTheAppWithTheIdentity(String name) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response = send(get(base, "echo").header("Authorization", basic("bcrypt-user", "bcrypt secret")));

    assertThat(response.statusCode()).isEqualTo(200);
    Map<String, String> seen = EchoServlet.parse(response.body());
    assertThat(seen)
        .containsEntry("dispatch", "REQUEST")
        .containsEntry("remoteUser", "bcrypt-user")
        .containsEntry("principal", "bcrypt-user")
        .containsEntry("authType", HttpServletRequest.BASIC_AUTH)
        .containsEntry("identities.requestPrincipal", "bcrypt-user")
        .containsEntry("inRole.ops", "false")
        .containsEntry("inRole.**", "true")
        .containsEntry("getHeaders.X-Forwarded-User", "[bcrypt-user]")
        .containsEntry("getHeader.X-Forwarded-User", "bcrypt-user")
        .containsEntry("identityHeaderNames", "[X-Forwarded-User]");
    assertThat(appCalls).hasValue(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void nonAsciiUserNameReachesTheAppIntact(String name) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response = send(get(base, "echo").header("Authorization", basic("jürgen", "jürgen secret")));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(EchoServlet.parse(response.body())).containsEntry("remoteUser", "jürgen");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void malformedChunkedBodyIsAClientError(String name) throws Exception {
    // The container frames the body, not Gatehouse: this pins down that it answers 4xx, never 5xx, behind the filter.
    URI base = start(name, registeredEngine());
    for (String body : List.of("ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n", "5\r\nhelloXX\r\n0\r\n\r\n")) {
      String answer;
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", base.getPort())) {
        socket.setSoTimeout(15_000);
        socket
            .getOutputStream()
            .write(
                ("POST " + base.getPath() + "echo HTTP/1.1\r\nHost: app\r\nAuthorization: " + basic("bcrypt-user", "bcrypt secret") + "\r\n"
                        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body)
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      assertThat(answer).as(name + ": " + body.strip()).startsWith("HTTP/1.1 4");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void trailersCannotCarryWhatHeadersMayNot(String name) throws Exception {
    URI base = start(name, registeredEngine());

    String answer;
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", base.getPort())) {
      socket.setSoTimeout(15_000);
      socket
          .getOutputStream()
          .write(
              ("POST " + base.getPath() + "echo HTTP/1.1\r\nHost: app\r\nAuthorization: " + basic("bcrypt-user", "bcrypt secret") + "\r\n"
                      + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\nX-Forwarded-User: admin\r\n"
                      + "X-Original-URL: /admin\r\nTransfer_Encoding: chunked\r\nX-Checksum: 1\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    assertThat(answer).startsWith("HTTP/1.1 200");
    String trailers = EchoServlet.parse(answer.substring(answer.indexOf("\r\n\r\n") + 4)).get("trailers").toLowerCase(java.util.Locale.ROOT);
    assertThat(trailers).doesNotContain("forwarded-user", "original-url", "transfer_encoding", "admin");
    if (name.equals("jetty")) {
      // Tomcat passes no trailer unless allowedTrailerHeaders names it; Jetty passes them all, so it shows one survives.
      assertThat(trailers).contains("x-checksum=1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void spoofedIdentityHeadersNeverReachTheAppAsSent(String name) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response =
        send(
            get(base, "echo")
                .header("Authorization", basic("bcrypt-user", "bcrypt secret"))
                .header("X-Forwarded-User", "admin")
                .header("x_forwarded_user", "admin")
                .header("X-FORWARDED-USER", "admin")
                .header("X.Forwarded.User", "admin")
                .header("X-Forwarded-Groups", "admin")
                .header("X-Remote-User", "7"));

    assertThat(response.statusCode()).isEqualTo(200);
    Map<String, String> seen = EchoServlet.parse(response.body());
    assertThat(seen)
        .containsEntry("remoteUser", "bcrypt-user")
        .containsEntry("getHeaders.X-Forwarded-User", "[bcrypt-user]")
        .containsEntry("getHeader.X-Forwarded-User", "bcrypt-user")
        .containsEntry("getHeader.x_forwarded_user", "bcrypt-user")
        .containsEntry("getHeader.X-Remote-User", "null")
        .containsEntry("getHeaders.X-Remote-User", "[]")
        .containsEntry("getIntHeader.X-Remote-User", "-1")
        .containsEntry("getHeaders.X-Forwarded-Groups", "[]")
        .containsEntry("identityHeaderNames", "[X-Forwarded-User]");
    assertThat(seen.values()).noneMatch(value -> value.contains("admin"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void spoofedIdentityHeaderWithoutCredentialsIsChallenged(String name) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response = send(get(base, "echo").header("X-Forwarded-User", "admin"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(appCalls).hasValue(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void transportHeadersAreLeftToTheContainer(String name) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response =
        send(
            get(base, "echo")
                .header("Authorization", basic("bcrypt-user", "bcrypt secret"))
                .header("X-Forwarded-For", "203.0.113.7"));

    assertThat(EchoServlet.parse(response.body())).containsEntry("getHeaders.X-Forwarded-For", "[203.0.113.7]");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void asyncDispatchSeesTheSameIdentity(String name) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response =
        send(
            get(base, "async")
                .header("Authorization", basic("bcrypt-user", "bcrypt secret"))
                .header("X-Forwarded-User", "admin"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(EchoServlet.parse(response.body()))
        .containsEntry("dispatch", "ASYNC")
        .containsEntry("remoteUser", "bcrypt-user")
        .containsEntry("getHeaders.X-Forwarded-User", "[bcrypt-user]");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void errorPageSeesTheSameIdentity(String name) throws Exception {
    URI base = start(name, registeredEngine());

    HttpResponse<String> response =
        send(
            get(base, "missing")
                .header("Authorization", basic("bcrypt-user", "bcrypt secret"))
                .header("X-Forwarded-User", "admin"));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(EchoServlet.parse(response.body()))
        .containsEntry("dispatch", "ERROR")
        .containsEntry("remoteUser", "bcrypt-user")
        .containsEntry("getHeaders.X-Forwarded-User", "[bcrypt-user]");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void tokenIdentityShowsItsGroupsAndBearerAuthType(String name) throws Exception {
    TokenAuthenticator tokens = new TokenAuthenticator();
    try (Gatehouse engine = Gatehouse.builder().authenticator(tokens).build()) {
      URI base = start(name, registered(engine));

      HttpResponse<String> response =
          send(get(base, "echo").header("Authorization", "Bearer good").header("X-Forwarded-Groups", "admin"));

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(EchoServlet.parse(response.body()))
          .containsEntry("remoteUser", "svc")
          .containsEntry("authType", "Bearer")
          .containsEntry("inRole.ops", "true")
          .containsEntry("inRole.admin", "false")
          .containsEntry("getHeaders.X-Forwarded-Groups", "[ops]")
          .containsEntry("getHeaders.X-Forwarded-Email", "[svc@example.com]")
          .containsEntry("identityHeaderNames", "[X-Forwarded-Email, X-Forwarded-Groups, X-Forwarded-User]");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void engineSeesTheRawPathMethodAndPeer(String name) throws Exception {
    TokenAuthenticator tokens = new TokenAuthenticator();
    try (Gatehouse engine = Gatehouse.builder().authenticator(tokens).build()) {
      URI base = start(name, registered(engine));

      HttpResponse<String> response =
          send(
              HttpRequest.newBuilder(base.resolve("ec%68o?q=%2F"))
                  .method("PATCH", HttpRequest.BodyPublishers.noBody())
                  .header("Authorization", "Bearer good"));

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(tokens.seen)
          .containsExactly(new TokenAuthenticator.Seen("PATCH", "/ec%68o", "127.0.0.1", false, List.of("Bearer good")));
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("dispatches")
  void laterDispatchesCarryTheOneDecisionMadeOnThePathTheClientSent(String name, String path) throws Exception {
    TokenAuthenticator tokens = new TokenAuthenticator();
    try (Gatehouse engine = Gatehouse.builder().authenticator(tokens).build()) {
      URI base = start(name, registered(engine));

      send(get(base, path.substring(1)).header("Authorization", "Bearer good"));

      // Asked once: the async or error dispatch carries on with the request's decision, since a credential may be single-use.
      assertThat(tokens.seen).extracting(TokenAuthenticator.Seen::path).containsExactly(path);
    }
  }

  static Stream<Arguments> dispatches() {
    return containers().flatMap(container -> Stream.of(Arguments.of(container, "/async"), Arguments.of(container, "/missing")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void listenerInTheServletContextHearsEveryDecisionOfADeclaredFilter(String name) throws Exception {
    Path yaml = yaml("authentication:\n  basic:\n    htpasswd: " + htpasswd + "\n");
    java.util.List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    dev.gatehouse.metrics.GatehouseListener listener = (kind, authentication, nanos) -> heard.add(kind.tag() + "/" + authentication);
    ServletContainerInitializer declared = declaredWithConfig(yaml);
    URI base = start(name, (classes, context) -> {
      context.setAttribute(GatehouseFilter.LISTENER_ATTRIBUTE, listener);
      declared.onStartup(classes, context);
    });

    send(get(base, "echo"));
    send(get(base, "echo").header("Authorization", basic("sha512-user", "sha512 secret")));

    assertThat(heard).containsExactly("challenge/none", "allow/basic");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void filterDeclaredWithConfigInitParameterLoadsTheYamlFile(String name) throws Exception {
    Path yaml = yaml("authentication:\n  basic:\n    realm: Staff only\n    htpasswd: " + htpasswd + "\n");
    URI base = start(name, declaredWithConfig(yaml));

    HttpResponse<String> anonymous = send(get(base, "echo"));
    HttpResponse<String> authenticated =
        send(get(base, "echo").header("Authorization", basic("sha512-user", "sha512 secret")));

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().allValues("WWW-Authenticate"))
        .containsExactly("Basic realm=\"Staff only\", charset=\"UTF-8\"");
    assertThat(authenticated.statusCode()).isEqualTo(200);
    assertThat(EchoServlet.parse(authenticated.body())).containsEntry("remoteUser", "sha512-user");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void badConfigFileStopsTheAppFromStartingWithTheKeyNamedMessage(String name) throws Exception {
    Path missing = directory.resolve("no-such.htpasswd");
    Path yaml = yaml("authentication:\n  basic:\n    htpasswd: " + missing + "\n");

    Throwable failure = catchThrowable(() -> start(name, declaredWithConfig(yaml)));

    assertThat(failure).isInstanceOf(ServletContainer.StartupFailure.class);
    assertThat(rootServletException(failure))
        .hasMessage("authentication.basic.htpasswd: no such file " + missing);
    assertThat(appCalls).hasValue(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void missingConfigInitParameterStopsTheAppFromStarting(String name) throws Exception {
    Throwable failure =
        catchThrowable(
            () ->
                start(
                    name,
                    (classes, context) -> {
                      context.addFilter("gatehouse", GatehouseFilter.class).addMappingForUrlPatterns(null, false, "/*");
                      addServlets(context);
                    }));

    assertThat(rootServletException(failure))
        .hasMessage("GatehouseFilter needs the init-parameter config naming a Gatehouse YAML file");
  }

  private URI start(String name, ServletContainerInitializer initializer) throws Exception {
    container = ServletContainer.named(name, Files.createDirectories(directory.resolve(name)));
    return container.start(initializer);
  }

  /** The application of a programmatic deployment: the engine built in code, registered with the helper. */
  private ServletContainerInitializer registeredEngine() {
    return registered(gatehouse);
  }

  private ServletContainerInitializer registered(Gatehouse engine) {
    return (classes, context) -> {
      GatehouseFilter.register(context, engine);
      addServlets(context);
    };
  }

  /** The application of a declarative deployment: the filter by class name, as in web.xml, with its YAML file. */
  private ServletContainerInitializer declaredWithConfig(Path yaml) {
    return (classes, context) -> {
      FilterRegistration.Dynamic filter = context.addFilter("gatehouse", GatehouseFilter.class);
      filter.setInitParameter(GatehouseFilter.CONFIG_INIT_PARAMETER, yaml.toString());
      filter.setAsyncSupported(true);
      filter.addMappingForUrlPatterns(
          EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR), false, "/*");
      addServlets(context);
    };
  }

  private void addServlets(ServletContext context) {
    context.addServlet("echo", new EchoServlet(appCalls)).addMapping("/echo");
    context.addServlet("missing", new NotFoundServlet()).addMapping("/missing");
    var async = context.addServlet("async", new AsyncDispatchServlet());
    async.setAsyncSupported(true);
    async.addMapping("/async");
  }

  /** Answers 404 through the container, so that the container's error page (the echo servlet) renders it. */
  private static final class NotFoundServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
      response.sendError(404);
    }
  }

  /** Goes asynchronous with the container's own request, then dispatches to the echo servlet. */
  private static final class AsyncDispatchServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) {
      AsyncContext async = request.startAsync();
      async.start(() -> async.dispatch("/echo"));
    }
  }

  private Path yaml(String text) throws Exception {
    return Files.writeString(directory.resolve("gatehouse.yaml"), text);
  }

  private static Throwable rootServletException(Throwable failure) {
    Throwable servletException = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof jakarta.servlet.ServletException) {
        servletException = t;
      }
    }
    assertThat(servletException).as("a ServletException in the cause chain of %s", failure).isNotNull();
    return servletException;
  }

  private static HttpRequest.Builder get(URI base, String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static String basic(String user, String password) {
    return "Basic " + base64(user + ":" + password);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String rawExchange(URI base, String request) throws Exception {
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      in.transferTo(received);
      return received.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
