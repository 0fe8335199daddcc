package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.RawHttp;
import dev.gatehouse.testing.TestTokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener's metrics, the access log and request ids, with the sidecar in process between real clients, a
 * real origin and a real JWKS server; the scrape is parsed by the Prometheus project's own Python parser.
 */
class OperationsTest {

  private static final RSAKey KEY = TestTokens.rsa("k1");
  private static final String BASIC = RawHttp.basic("bcrypt-user", "bcrypt secret");
  private static final String OTHER = RawHttp.basic("sha1-user", "sha1 secret");
  private static final String GENERATED_ID = "[0-9a-f]{16}-[0-9a-f]{16}";

  @TempDir Path directory;

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private JwksServer jwks;
  private Origin origin;
  private GatehouseSidecar sidecar;
  private Path accessLog;

  @BeforeEach
  void start() throws Exception {
    jwks = JwksServer.start(KEY);
    origin = new Origin();
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    accessLog = directory.resolve("access.log");
    Path yaml =
        Files.writeString(
            directory.resolve("gatehouse.yaml"),
            """
            listen: 127.0.0.1:0
            upstream: %s
            admin: 127.0.0.1:0
            access-log: %s
            authentication:
              basic: {htpasswd: %s}
              jwt:
                - issuer: %s
                  jwks-uri: %s
            authorization:
              rules:
                - name: public
                  action: allow
                  to: {paths: [/public/*]}
                - name: admins
                  action: allow
                  from: {request-principals: [bcrypt-user]}
                  to: {paths: [/admin/*]}
                - name: users
                  action: allow
                  from: {request-principals: ["*"]}
                  to: {not-paths: [/admin/*]}
            """
                .formatted(origin.uri(), accessLog, htpasswd, jwks.issuer(), jwks.jwksUri()));
    sidecar = GatehouseSidecar.start(ConfigLoader.load(yaml), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    origin.close();
    jwks.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.port() + path)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort() + path))
            .timeout(Duration.ofSeconds(20))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The known mix: 6 allowed (2 anonymous, 3 Basic, 1 JWT), 2 challenged, 1 denied, 1 rejected by the engine. */
  private String sendTheMix() throws Exception {
    String token = TestTokens.sign(KEY, TestTokens.claims(jwks.issuer(), "alice", "orders").build());
    assertThat(get("/public/a").statusCode()).isEqualTo(200);
    assertThat(get("/public/b?x=1").statusCode()).isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      assertThat(get("/app/" + i, "Authorization", BASIC).statusCode()).isEqualTo(200);
    }
    assertThat(get("/app/jwt?access_token=query-token-SECRET", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
    assertThat(get("/app/x").statusCode()).isEqualTo(401);
    assertThat(get("/app/y", "Cookie", "session=cookie-SECRET").statusCode()).isEqualTo(401);
    assertThat(get("/admin/x", "Authorization", OTHER).statusCode()).isEqualTo(403);
    // Raw: the JDK client refuses to send a malformed escape.
    assertThat(RawHttp.exchange(sidecar.port(), "GET /%zz HTTP/1.1\r\nHost: x\r\nAuthorization: " + BASIC + "\r\n").status()).isEqualTo(400);
    return token;
  }

  // ---- metrics

  @Test
  void metricsAfterAKnownMixOfRequestsParseStrictlyWithExactCountsPerDecision() throws Exception {
    sendTheMix();

    HttpResponse<String> scrape = admin("GET", "/metrics");
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
    Scrape parsed = Scrape.parse(scrape.body());

    assertThat(parsed.value("gatehouse_decisions_total", "authn", "none", "decision", "allow")).isEqualTo(2.0);
    assertThat(parsed.value("gatehouse_decisions_total", "authn", "basic", "decision", "allow")).isEqualTo(3.0);
    assertThat(parsed.value("gatehouse_decisions_total", "authn", "jwt", "decision", "allow")).isEqualTo(1.0);
    assertThat(parsed.value("gatehouse_decisions_total", "authn", "none", "decision", "challenge")).isEqualTo(2.0);
    assertThat(parsed.value("gatehouse_decisions_total", "authn", "basic", "decision", "deny")).isEqualTo(1.0);
    assertThat(parsed.value("gatehouse_decisions_total", "authn", "none", "decision", "reject")).isEqualTo(1.0);
    assertThat(parsed.sum("gatehouse_decisions_total")).isEqualTo(10.0);
    assertThat(parsed.value("gatehouse_decisions_total", "authn", "client_certificate", "decision", "allow")).isZero();

    assertThat(parsed.type("gatehouse_request_duration_seconds")).isEqualTo("histogram");
    assertThat(parsed.value("gatehouse_request_duration_seconds_count", "decision", "allow")).isEqualTo(6.0);
    assertThat(parsed.value("gatehouse_request_duration_seconds_count", "decision", "challenge")).isEqualTo(2.0);
    assertThat(parsed.value("gatehouse_request_duration_seconds_count", "decision", "deny")).isEqualTo(1.0);
    assertThat(parsed.value("gatehouse_request_duration_seconds_count", "decision", "reject")).isEqualTo(1.0);
    assertThat(parsed.value("gatehouse_request_duration_seconds_bucket", "decision", "allow", "le", "+Inf")).isEqualTo(6.0);

    assertThat(parsed.type("gatehouse_upstream_request_duration_seconds")).isEqualTo("histogram");
    assertThat(parsed.value("gatehouse_upstream_request_duration_seconds_count", "direction", "ingress", "route", "")).isEqualTo(6.0);
    for (String reason : List.of("connect", "timeout", "reset", "protocol")) {
      assertThat(parsed.value("gatehouse_upstream_failures_total", "direction", "ingress", "reason", reason, "route", "")).isZero();
    }
    assertThat(parsed.value("gatehouse_reloads_total", "result", "success", "source", "htpasswd")).isZero();
    assertThat(parsed.value("gatehouse_reloads_total", "result", "failure", "source", "htpasswd")).isZero();
    assertThat(parsed.value("gatehouse_jwks_fetches_total", "issuer", jwks.issuer(), "result", "failure")).isZero();
    assertThat(parsed.names())
        .contains(
            "process_resident_memory_bytes",
            "process_cpu_seconds_total",
            "jvm_memory_used_bytes",
            "jvm_gc_collection_seconds_count",
            "jvm_threads_current");
    // One family per name: Micrometer's JVM binders are not bound beside the Prometheus client's collectors.
    assertThat(parsed.names()).doesNotContain("jvm_memory_used_bytes_total", "process_cpu_usage");
  }

  @Test
  void metricsAreOpenMetricsWhenTheScraperAsksForIt() throws Exception {
    get("/app/x");

    HttpResponse<String> scrape = admin("GET", "/metrics", "Accept", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5");

    assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/openmetrics-text"));
    assertThat(scrape.body()).contains("gatehouse_decisions_total{authn=\"none\",decision=\"challenge\"} 1.0").endsWith("# EOF\n");
  }

  @Test
  void adminListenerServesOnlyItsThreePathsAndOnlyGetAndHead() throws Exception {
    assertThat(admin("GET", "/livez").statusCode()).isEqualTo(200);
    assertThat(admin("HEAD", "/readyz").statusCode()).isEqualTo(200);
    assertThat(admin("GET", "/readyz").body()).isEqualTo("ok\n");
    assertThat(admin("GET", "/").statusCode()).isEqualTo(404);
    assertThat(admin("GET", "/app/x").statusCode()).isEqualTo(404);
    assertThat(admin("GET", "/metrics/../livez").statusCode()).isEqualTo(404);
    HttpResponse<String> post = admin("POST", "/metrics");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(admin("DELETE", "/livez").statusCode()).isEqualTo(405);
    // Never a proxy: nothing the admin listener was asked reached the app.
    assertThat(origin.received).isEmpty();
  }

  // ---- access log

  @Test
  void accessLogIsOneJsonObjectPerRequestWithTheIssuesFieldsAndNoSecret() throws Exception {
    String token = sendTheMix();
    // A hostile User-Agent tries to close the string and forge fields, and a line break (obs-fold) to forge a line.
    RawHttp.Response hostile =
        RawHttp.exchange(
            sidecar.port(),
            "GET /public/h?token=raw-query-SECRET HTTP/1.1\r\nHost: x\r\nUser-Agent: a\",\"status\":999,\"user\":\"root\\\u00e9\r\n \"forged\":1}\r\n");
    assertThat(hostile.status()).isEqualTo(200);
    sidecar.close();

    List<String> lines = Files.readAllLines(accessLog, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(11);
    String all = String.join("\n", lines);
    assertThat(all)
        .doesNotContain("bcrypt secret", BASIC.substring(6), OTHER.substring(6), token, "query-token-SECRET", "raw-query-SECRET", "cookie-SECRET", "access_token");
    List<Map<String, Object>> records = new ArrayList<>();
    for (String line : lines) {
      Map<String, Object> record = JSONObjectUtils.parse(line);
      Set<String> expected =
          new java.util.HashSet<>(
              Set.of(
                  "time", "direction", "request_id", "remote", "method", "path", "protocol", "status", "decision", "user", "peer", "authn",
                  "duration_ms", "upstream_ms", "bytes_in", "bytes_out", "user_agent"));
      if (record.containsKey("rule")) {
        expected.add("rule");
      }
      assertThat(record.keySet()).as(line).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(record.get("direction")).isEqualTo("ingress");
      assertThat(java.time.Instant.parse((String) record.get("time"))).isBetween(java.time.Instant.now().minusSeconds(120), java.time.Instant.now());
      assertThat((String) record.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      assertThat((String) record.get("request_id")).matches(GENERATED_ID);
      assertThat(record.get("remote")).isEqualTo("127.0.0.1");
      assertThat((String) record.get("path")).doesNotContain("?");
      records.add(record);
    }
    Map<String, Object> basic = records.get(2);
    assertThat(basic)
        .containsEntry("method", "GET")
        .containsEntry("path", "/app/0")
        .containsEntry("protocol", "HTTP/1.1")
        .containsEntry("status", 200L)
        .containsEntry("decision", "allow")
        .containsEntry("rule", "users")
        .containsEntry("user", "bcrypt-user")
        .containsEntry("authn", "basic")
        .containsEntry("bytes_out", (long) "hello from origin\n".length());
    assertThat(basic.get("peer")).isNull();
    assertThat(((Number) basic.get("upstream_ms")).doubleValue()).isPositive().isLessThanOrEqualTo(((Number) basic.get("duration_ms")).doubleValue());
    Map<String, Object> jwt = records.get(5);
    assertThat(jwt).containsEntry("path", "/app/jwt").containsEntry("user", jwks.issuer() + "/alice").containsEntry("authn", "jwt");
    Map<String, Object> challenged = records.get(6);
    assertThat(challenged).containsEntry("status", 401L).containsEntry("decision", "challenge").containsEntry("authn", "none").doesNotContainKey("rule");
    assertThat(challenged.get("upstream_ms")).isNull();
    assertThat(challenged.get("user")).isNull();
    Map<String, Object> denied = records.get(8);
    assertThat(denied).containsEntry("status", 403L).containsEntry("decision", "deny").containsEntry("user", "sha1-user");
    Map<String, Object> rejected = records.get(9);
    assertThat(rejected).containsEntry("status", 400L).containsEntry("decision", "reject").containsEntry("path", "/%zz");
    Map<String, Object> forged = records.get(10);
    assertThat(forged).containsEntry("status", 200L).containsEntry("path", "/public/h").containsEntry("decision", "allow");
    assertThat(forged.get("user")).isNull();
    assertThat((String) forged.get("user_agent")).startsWith("a\",\"status\":999,\"user\":\"root\\").contains("\"forged\":1}");
    assertThat(lines.get(10)).doesNotContain("\u00e9").doesNotContain("\r");
  }

  // ---- request ids

  @Test
  void validClientRequestIdGoesUpstreamUnchangedAndTraceContextPassesThrough() throws Exception {
    String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    String tracestate = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
    HttpResponse<String> response =
        get("/app/1", "Authorization", BASIC, "X-Request-Id", "Req-1.a_b:c-9", "traceparent", traceparent, "tracestate", tracestate);

    assertThat(response.statusCode()).isEqualTo(200);
    Origin.Received received = origin.next();
    assertThat(received.header("X-Request-Id")).containsExactly("Req-1.a_b:c-9");
    assertThat(received.header("traceparent")).containsExactly(traceparent);
    assertThat(received.header("tracestate")).containsExactly(tracestate);
  }

  @Test
  void requestWithoutAnIdGetsANewOneUpstreamAndEachIsDifferent() throws Exception {
    get("/app/1", "Authorization", BASIC);
    get("/app/2", "Authorization", BASIC);

    String first = origin.next().header("X-Request-Id").get(0);
    String second = origin.next().header("X-Request-Id").get(0);
    assertThat(first).matches(GENERATED_ID);
    assertThat(second).matches(GENERATED_ID).isNotEqualTo(first);
  }

  @Test
  void refusalCarriesTheRequestIdBackToTheClient() throws Exception {
    HttpResponse<String> kept = get("/app/x", "X-Request-Id", "abc-123");
    HttpResponse<String> made = get("/app/x");

    assertThat(kept.statusCode()).isEqualTo(401);
    assertThat(kept.headers().allValues("X-Request-Id")).containsExactly("abc-123");
    assertThat(made.statusCode()).isEqualTo(401);
    assertThat(made.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(GENERATED_ID));
    assertThat(get("/admin/x", "Authorization", OTHER, "X-Request-Id", "deny-1").headers().firstValue("X-Request-Id")).hasValue("deny-1");
    assertThat(header(RawHttp.exchange(sidecar.port(), "GET /%zz HTTP/1.1\r\nHost: x\r\nX-Request-Id: reject-1\r\n"), "X-Request-Id")).isEqualTo("reject-1");
    // Refused before the engine (two Host headers): the id still comes back.
    assertThat(header(RawHttp.exchange(sidecar.port(), "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\nX-Request-Id: bad-1\r\n"), "X-Request-Id")).isEqualTo("bad-1");
  }

  @Test
  void hostileRequestIdsAreReplacedNeverRepaired() throws Exception {
    List<String> hostile =
        List.of(
            "a".repeat(129),
            "has space",
            "line\r\n break",
            "\u00fcnicode",
            "semi;colon",
            "quote\"d",
            "");
    for (String id : hostile) {
      // Raw bytes: the JDK client would refuse most of these before they left.
      RawHttp.Response response = RawHttp.exchange(sidecar.port(), "GET /app/x HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + id + "\r\n");
      assertThat(response.status()).as(id).isEqualTo(401);
      String returned = header(response, "X-Request-Id");
      assertThat(returned).as(id).matches(GENERATED_ID);
    }
    assertThat(RawHttp.exchange(sidecar.port(), "GET /app/x HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + "b".repeat(128) + "\r\n").head())
        .contains("X-Request-Id: " + "b".repeat(128) + "\r\n");
  }

  private static String header(RawHttp.Response response, String name) {
    for (String line : response.head().split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
        return line.substring(colon + 1).strip();
      }
    }
    throw new AssertionError("no " + name + " in " + response.head());
  }

  // ---- the parser

  /** A scrape as the Prometheus Python client's parser read it: every sample, and every family's type. */
  record Scrape(Map<String, Double> samples, Map<String, String> types) {

    /** Whether a CI run (where a missing parser is a failure, not a skip). */
    private static boolean onCi() {
      return System.getenv("CI") != null && !System.getenv("CI").isEmpty();
    }

    /** Debian's interpreter, where apt-get puts python3-prometheus-client; a PATH one (pyenv, say) may lack it. */
    private static String python() {
      return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    static Scrape parse(String text) throws IOException, InterruptedException {
      boolean parserPresent =
          new ProcessBuilder(python(), "-c", "import prometheus_client.parser").redirectErrorStream(true).start().waitFor() == 0;
      if (!parserPresent) {
        if (onCi()) {
          throw new AssertionError("python3-prometheus-client is missing; .ci/run installs it (apt-get install python3-prometheus-client)");
        }
        Assumptions.abort("python3-prometheus-client is not installed: apt-get install python3-prometheus-client");
      }
      String script =
          """
          import sys
          from prometheus_client.parser import text_string_to_metric_families
          for family in text_string_to_metric_families(sys.stdin.read()):
              print("#TYPE\\t" + family.name + "\\t" + family.type)
              for s in family.samples:
                  labels = ",".join(k + "=" + v for k, v in sorted(s.labels.items()))
                  print(s.name + "\\t" + labels + "\\t" + repr(float(s.value)))
          """;
      Process python = new ProcessBuilder(python(), "-c", script).start();
      python.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      python.getOutputStream().close();
      String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(python.exitValue()).as("the parser refused the scrape: " + err).isZero();
      Map<String, Double> samples = new TreeMap<>();
      Map<String, String> types = new TreeMap<>();
      for (String line : out.split("\n")) {
        String[] parts = line.split("\t", -1);
        if (parts[0].equals("#TYPE")) {
          types.put(parts[1], parts[2]);
        } else if (parts.length == 3) {
          assertThat(samples.put(parts[0] + "{" + parts[1] + "}", Double.parseDouble(parts[2]))).as("duplicate " + line).isNull();
        }
      }
      return new Scrape(samples, types);
    }

    /** The value of a sample; labels as name, value pairs in alphabetical order of names. */
    double value(String name, String... labels) {
      StringBuilder key = new StringBuilder(name).append('{');
      for (int i = 0; i < labels.length; i += 2) {
        key.append(i == 0 ? "" : ",").append(labels[i]).append('=').append(labels[i + 1]);
      }
      Double value = samples.get(key.append('}').toString());
      assertThat(value).as("sample " + key + " in " + samples.keySet()).isNotNull();
      return value;
    }

    double sum(String name) {
      return samples.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{")).mapToDouble(Map.Entry::getValue).sum();
    }

    String type(String family) {
      return types.get(family);
    }

    Set<String> names() {
      Set<String> names = new java.util.TreeSet<>();
      for (String key : samples.keySet()) {
        names.add(key.substring(0, key.indexOf('{')));
      }
      return names;
    }
  }
}
