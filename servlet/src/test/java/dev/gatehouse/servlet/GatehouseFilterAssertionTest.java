package dev.gatehouse.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.Identity;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.authn.assertion.SidecarAssertion;
import dev.gatehouse.config.AssertionConfig;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.RawHttp;
import dev.gatehouse.testing.TestKeys;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The application's end of the sidecar's assertion in Jetty and Tomcat: requests signed by a sidecar engine in the
 * test reach the application as the sidecar's identities; anything else, whatever it forges, is a 401; and the error
 * and async dispatches of an allowed request do not count as a replay of its assertion.
 */
class GatehouseFilterAssertionTest {

  private static final String FRONTEND = "spiffe://cluster.local/ns/shop/sa/frontend";

  @TempDir Path directory;
  private final AtomicInteger appCalls = new AtomicInteger();
  private Gatehouse sidecar;
  private Gatehouse app;
  private ServletContainer container;

  static Stream<String> containers() {
    return Stream.of("jetty", "tomcat");
  }

  @BeforeEach
  void engines() throws Exception {
    Path key = TestKeys.writePem(TestKeys.ed25519(), directory, "sidecar");
    sidecar =
        Gatehouse.builder()
            .authenticator(Authenticator.assuming(Identity.Kind.PEER, Optional.of(Identity.peer(FRONTEND))))
            .authenticator(Authenticator.assuming(Identity.Kind.REQUEST_PRINCIPAL, Optional.of(new Identity("alice", Identity.JWT, Set.of("ops"), Map.of()))))
            .assertionSigner(SidecarAssertion.signer(new AssertionConfig(Optional.of(key), Optional.empty(), Optional.empty(), "sidecar", "app", Duration.ofSeconds(10))))
            .build();
    app =
        Gatehouse.create(
            ConfigLoader.fromTree(
                Map.of("authentication", Map.of("sidecar-assertion", Map.of("verification-key", directory.resolve("sidecar.pub").toString(), "issuer", "sidecar", "audience", "app")))));
  }

  @AfterEach
  void stop() throws Exception {
    if (container != null) {
      container.close();
    }
    app.close();
    sidecar.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void signedRequestReachesTheAppAsTheSidecarsIdentities(String name) throws Exception {
    int port = start(name);
    RawHttp.Response response = get(port, "/echo", "X-Forwarded-User: admin\r\n" + assertionHeader("GET", "/echo"));
    assertThat(response.status()).isEqualTo(200);
    assertThat(EchoServlet.parse(response.body()))
        .containsEntry("remoteUser", "alice")
        .containsEntry("authType", "Bearer")
        .containsEntry("peer", FRONTEND)
        .containsEntry("inRole.ops", "true")
        .containsEntry("getHeaders.X-Forwarded-User", "[alice]");
    RawHttp.Response assertion = get(port, "/assertion", assertionHeader("GET", "/assertion"));
    assertThat(assertion.body()).as("the application never sees the assertion").isEqualTo("assertion: null\n");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void forgedIdentityWithoutAssertionIsRefusedBeforeTheApp(String name) throws Exception {
    int port = start(name);
    RawHttp.Response response = get(port, "/echo", "X-Forwarded-User: admin\r\nX-Forwarded-Groups: ops\r\nX-Gatehouse-Assertion: forged\r\n");
    assertThat(response.status()).isEqualTo(401);
    assertThat(get(port, "/echo", "").status()).isEqualTo(401);
    assertThat(appCalls).hasValue(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void errorAndAsyncDispatchesKeepTheDecisionInsteadOfReplayingTheAssertion(String name) throws Exception {
    int port = start(name);
    RawHttp.Response missing = get(port, "/missing", assertionHeader("GET", "/missing"));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(EchoServlet.parse(missing.body())).containsEntry("dispatch", "ERROR").containsEntry("remoteUser", "alice");
    RawHttp.Response async = get(port, "/async", assertionHeader("GET", "/async"));
    assertThat(async.status()).isEqualTo(200);
    assertThat(EchoServlet.parse(async.body())).containsEntry("dispatch", "ASYNC").containsEntry("remoteUser", "alice");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void assertionForAnotherFormOfThePathIsRefused(String name) throws Exception {
    int port = start(name);
    assertThat(get(port, "/x/../echo", assertionHeader("GET", "/echo")).status()).isEqualTo(401);
    assertThat(get(port, "/%65cho", assertionHeader("GET", "/echo")).status()).isEqualTo(401);
    assertThat(get(port, "/echo?admin=1", assertionHeader("GET", "/echo")).status()).isEqualTo(401);
    assertThat(appCalls).hasValue(0);
  }

  private String assertionHeader(String method, String target) {
    int question = target.indexOf('?');
    FakeRequest request = FakeRequest.request(method, question < 0 ? target : target.substring(0, question));
    if (question >= 0) {
      request.query(target.substring(question + 1));
    }
    Decision.Allow allow = (Decision.Allow) sidecar.decide(request);
    return IdentityHeaders.ASSERTION + ": " + allow.headers().get(IdentityHeaders.ASSERTION) + "\r\n";
  }

  private static RawHttp.Response get(int port, String target, String headers) throws Exception {
    return RawHttp.exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers + "\r\n");
  }

  private int start(String name) throws Exception {
    container = ServletContainer.named(name, Files.createDirectories(directory.resolve(name)));
    ServletContainerInitializer initializer =
        (classes, context) -> {
          GatehouseFilter.register(context, app);
          context.addServlet("echo", new EchoServlet(appCalls)).addMapping("/echo");
          context.addServlet("assertion", new AssertionServlet()).addMapping("/assertion");
          context.addServlet("missing", new NotFound()).addMapping("/missing");
          var async = context.addServlet("async", new AsyncDispatch());
          async.setAsyncSupported(true);
          async.addMapping("/async");
        };
    URI base = container.start(initializer);
    return base.getPort();
  }

  private static final class AssertionServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
      response.getWriter().print("assertion: " + request.getHeader(IdentityHeaders.ASSERTION) + "\n");
    }
  }

  private static final class NotFound extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
      response.sendError(404);
    }
  }

  private static final class AsyncDispatch extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) {
      AsyncContext async = request.startAsync();
      async.start(() -> async.dispatch("/echo"));
    }
  }
}
