package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client's broken body is the client's fault: every malformed chunked body, sent byte for byte to the real sidecar in
 * front of a real upstream, is answered 400 with the connection closed — never 502, which would blame the upstream.
 */
class MalformedBodyTest {

  private static final String AUTHORIZATION = "Authorization: " + RawHttp.basic("sha1-user", "sha1 secret") + "\r\n";

  @TempDir static Path directory;
  private static Origin origin;
  private static GatehouseSidecar sidecar;

  @BeforeAll
  static void start() throws Exception {
    origin = new Origin();
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    sidecar =
        GatehouseSidecar.start(
            ConfigLoader.load(
                Optional.empty(), Map.of("listen", "127.0.0.1:0", "upstream", origin.uri(), "authentication.basic.htpasswd", htpasswd.toString())),
            Duration.ofSeconds(5));
  }

  @AfterAll
  static void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    origin.close();
  }

  static Stream<Arguments> malformedChunkedBodies() {
    return Stream.of(
        Arguments.of("chunk size overflowing 64 bits", "ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("chunk size overflowing int", "80000000\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("negative chunk size", "-5\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("chunk size not hex", "zz\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("empty chunk size", "\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("chunk size with a 0x prefix", "0x5\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("bare LF after the chunk size", "5\nhello\r\n0\r\n\r\n"),
        Arguments.of("bare CR after the chunk size", "5\rhello\r\n0\r\n\r\n"),
        Arguments.of("bare LF in the last chunk line", "5\r\nhello\r\n0\n\r\n"),
        Arguments.of("oversized chunk extension", "5;" + "x".repeat(20_000) + "\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("missing CRLF after the chunk data", "5\r\nhelloXX\r\n0\r\n\r\n"),
        Arguments.of("chunk data longer than its size", "3\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("trailer line without a colon", "5\r\nhello\r\n0\r\nnot a field\r\n\r\n"),
        Arguments.of("trailer with space before the colon", "5\r\nhello\r\n0\r\nX-Trailer : x\r\n\r\n"),
        Arguments.of("trailer starting with whitespace (obs-fold)", "5\r\nhello\r\n0\r\n folded\r\n\r\n"),
        Arguments.of("trailers over the 8 KiB header limit", "5\r\nhello\r\n0\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n"),
        Arguments.of("chunk size with trailing garbage", "5 x\r\nhello\r\n0\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedChunkedBodies")
  void malformedChunkedBodyIs400AndClosesTheConnection(String variant, String body) throws Exception {
    RawClient.Answer answer =
        RawClient.send(
            sidecar.port(),
            "POST /upload HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + "Transfer-Encoding: chunked\r\n\r\n" + body,
            10_000);

    assertThat(answer.status()).as(variant + ": " + answer.text()).isEqualTo(400);
    assertThat(answer.statuses()).as(variant).containsExactly(400);
    assertThat(answer.text()).containsIgnoringCase("Connection: close");
    assertThat(answer.closed()).as(variant + ": connection closed").isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedChunkedBodies")
  void malformedBodyOfARefusedRequestClosesTheConnectionAfterTheRefusal(String variant, String body) throws Exception {
    // The refusal goes out before the body is read; what follows a broken body cannot be framed, so the connection closes.
    RawClient.Answer answer =
        RawClient.send(sidecar.port(), "POST /upload HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n" + body, 10_000);

    assertThat(answer.statuses()).as(variant + ": " + answer.text()).containsExactly(401);
    assertThat(answer.closed()).as(variant + ": connection closed").isTrue();
  }

  @Test
  void wellFormedChunkedBodyStillReachesTheUpstream() throws Exception {
    origin.received.clear();
    RawClient.Answer answer =
        RawClient.send(
            sidecar.port(),
            "POST /upload HTTP/1.1\r\nHost: app\r\n" + AUTHORIZATION + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n",
            10_000);

    assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    assertThat(origin.next().body()).isEqualTo("hello world");
  }

  @Test
  void http10RequestWithTransferEncodingIs400AndClosesTheConnection() throws Exception {
    // RFC 9112 section 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing and the connection must close,
    // even when the client asked to keep it; Netty's decoder refuses it, which is the safe reading.
    RawClient.Answer answer =
        RawClient.send(
            sidecar.port(),
            "POST /upload HTTP/1.0\r\nHost: app\r\n" + AUTHORIZATION + "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n",
            5_000);

    assertThat(answer.statuses()).as(answer.text()).containsExactly(400);
    assertThat(answer.text()).containsIgnoringCase("Connection: close");
    assertThat(answer.closed()).as("connection closed after the response").isTrue();
  }
}
