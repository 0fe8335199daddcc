package dev.gatehouse.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Explanation;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, classes 3 and 5, through every delivery: rules match a request as the backend reads it (whitespace in a
 * segment, HEAD, unregistered and lower-case methods, header lists, the trailing slash), and a spent Basic failure
 * budget is a 429 with {@code Retry-After} from the filter, the starter and the sidecar alike; {@code explain} agrees.
 */
class HostileRequestsConformanceTest {

  private static final String USER = "Authorization: " + RawHttp.basic("bcrypt-user", "bcrypt secret") + "\r\n";
  private static final String FORBIDDEN = "Forbidden\n";
  private static final String BAD_REQUEST = "Bad Request\n";

  @TempDir static Path directory;
  private static final List<Delivery> deliveries = new ArrayList<>();
  private static Gatehouse engine;

  @BeforeAll
  static void startDeliveries() throws Exception {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            authentication:
              basic:
                realm: Conformance
                htpasswd: %s
                failure-budget: {peer-burst: 1000, user-burst: 3, user-refill: 1h}
            authorization:
              rules:
                - {name: public, action: allow, to: {methods: [GET], paths: [/public/*]}}
                - {name: authenticated, action: allow, from: {request-principals: ["*"]}}
                - {name: no-admin, action: deny, to: {methods: [GET], paths: [/admin, '*.secret']}}
                - {name: no-admin-role, action: deny, when: [{key: 'request.headers[X-Role]', values: [admin]}]}
                - {name: webdav-read, action: allow, from: {request-principals: ["*"]}, to: {methods: [PROPFIND]}}
            """
                .formatted(htpasswd));
    engine = Gatehouse.create(ConfigLoader.load(yaml));
    deliveries.add(Delivery.filter(yaml));
    deliveries.add(Delivery.starter(yaml));
    deliveries.add(Delivery.sidecar(yaml));
  }

  @AfterAll
  static void stopDeliveries() throws Exception {
    engine.close();
    for (Delivery delivery : deliveries) {
      delivery.close();
    }
  }

  static Stream<Arguments> requests() {
    String allowed = WhoAmI.describe("bcrypt-user", List.of("bcrypt-user"));
    return Stream.of(
        row("deny on GET", "GET /admin", USER, 403, FORBIDDEN),
        row("deny on GET covers HEAD", "HEAD /admin", USER, 403, ""),
        row("deny on /admin covers /admin/", "GET /admin/", USER, 403, FORBIDDEN),
        row("deny on *.secret covers x.secret/", "GET /x.secret/", USER, 403, FORBIDDEN),
        row("trailing %20", "GET /admin%20", USER, 400, BAD_REQUEST),
        row("leading %20", "GET /%20admin", USER, 400, BAD_REQUEST),
        row("trailing no-break space", "GET /admin%C2%A0", USER, 400, BAD_REQUEST),
        row("trailing ideographic space", "GET /admin%E3%80%80/x", USER, 400, BAD_REQUEST),
        row("leading byte-order mark", "GET /%EF%BB%BFadmin", USER, 400, BAD_REQUEST),
        row("space inside a segment is a plain character", "GET /ad%20min", USER, 200, allowed),
        row("unregistered method", "FOO /x", USER, 400, BAD_REQUEST),
        row("lower-case method", "get /admin", USER, 400, BAD_REQUEST),
        row("WebDAV method no rule names", "MOVE /x", USER, 400, BAD_REQUEST),
        row("WebDAV method a rule names", "PROPFIND /x", USER, 200, allowed),
        row("denied header value alone", "GET /x", USER + "X-Role: admin\r\n", 403, FORBIDDEN),
        row("denied header value in a comma-joined list", "GET /x", USER + "X-Role: guest,admin\r\n", 403, FORBIDDEN),
        row("denied header value on a second line", "GET /x", USER + "X-Role: guest\r\nx-role: admin\r\n", 403, FORBIDDEN),
        row("denied header value under an underscore spelling", "GET /x", USER + "X_Role: admin\r\n", 403, FORBIDDEN),
        row("denied header value in quotes", "GET /x", USER + "X-Role: \"admin\"\r\n", 403, FORBIDDEN),
        row("other header values pass", "GET /x", USER + "X-Role: guest, reader\r\n", 200, allowed));
  }

  private static Arguments row(String name, String requestLine, String headers, int status, String body) {
    return Arguments.of(name, requestLine, headers, status, body);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void everyDeliveryAnswersAlike(String name, String requestLine, String headers, int status, String body) throws IOException {
    for (Delivery delivery : deliveries) {
      RawHttp.Response response = RawHttp.exchange(delivery.port(), requestLine + " HTTP/1.1\r\nHost: app.test\r\n" + headers);

      assertThat(response.status()).as("%s through the %s", name, delivery).isEqualTo(status);
      assertThat(response.body()).as("%s through the %s", name, delivery).isEqualTo(body);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void explainAgrees(String name, String requestLine, String headers, int status, String body) {
    HeadView request = HeadView.parse(requestLine + " HTTP/1.1\r\nHost: app.test\r\n" + headers, List.of());

    Explanation explanation = engine.explain(request);

    assertThat(explanation.status()).as(name).isEqualTo(status);
  }

  @Test
  void spentFailureBudgetIs429WithRetryAfterThroughEveryDelivery() throws IOException {
    String wrong = "GET /x HTTP/1.1\r\nHost: app.test\r\nAuthorization: " + RawHttp.basic("apr1-user", "wrong") + "\r\n";
    String right = "GET /x HTTP/1.1\r\nHost: app.test\r\nAuthorization: " + RawHttp.basic("apr1-user", "apr1 secret") + "\r\n";
    for (Delivery delivery : deliveries) {
      for (int i = 0; i < 3; i++) {
        assertThat(RawHttp.exchange(delivery.port(), wrong).status()).as("attempt %d through the %s", i + 1, delivery).isEqualTo(401);
      }

      for (String request : List.of(wrong, right)) {
        RawHttp.Response response = RawHttp.exchange(delivery.port(), request);

        assertThat(response.status()).as("through the %s", delivery).isEqualTo(429);
        assertThat(response.body()).as("through the %s", delivery).isEqualTo("Too Many Requests\n");
        assertThat(header(response, "Retry-After")).as("through the %s", delivery).isEqualTo("3600");
        assertThat(header(response, "WWW-Authenticate")).as("through the %s", delivery).isNull();
      }
      RawHttp.Response other = RawHttp.exchange(delivery.port(), "GET /x HTTP/1.1\r\nHost: app.test\r\n" + USER);
      assertThat(other.status()).as("another user at the same peer, through the %s", delivery).isEqualTo(200);
    }
  }

  private static String header(RawHttp.Response response, String name) {
    for (String line : response.head().split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
        return line.substring(colon + 1).strip();
      }
    }
    return null;
  }
}
