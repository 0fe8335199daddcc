package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketMessage;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket through the sidecar: a real Jetty WebSocket echo origin behind it, the JDK's WebSocket client or a raw
 * socket in front. The upgrade is forwarded only for an allowed request, and only a 101 from the upstream opens the
 * tunnel.
 */
class WebSocketProxyTest {

  private static final String USER = RawHttp.basic("bcrypt-user", "bcrypt secret");

  @TempDir Path directory;

  private final AtomicInteger upgradesReachingOrigin = new AtomicInteger();
  private Server origin;
  private ServerConnector originConnector;
  private GatehouseSidecar sidecar;

  /** Echoes every text message back. */
  @org.eclipse.jetty.websocket.api.annotations.WebSocket
  public static final class Echo {
    @OnWebSocketMessage
    public void onMessage(Session session, String message) {
      session.sendText("echo: " + message, org.eclipse.jetty.websocket.api.Callback.NOOP);
    }
  }

  @BeforeEach
  void start() throws Exception {
    origin = new Server();
    originConnector = new ServerConnector(origin);
    originConnector.setHost("127.0.0.1");
    origin.addConnector(originConnector);
    WebSocketUpgradeHandler webSockets =
        WebSocketUpgradeHandler.from(
            origin,
            container ->
                container.addMapping(
                    "/echo",
                    (request, response, callback) -> {
                      upgradesReachingOrigin.incrementAndGet();
                      return new Echo();
                    }));
    // Everything else, /refuse included, is an ordinary HTTP answer: an upgrade the origin declines.
    webSockets.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response, Callback callback) {
            response.setStatus(request.getHttpURI().getPath().equals("/refuse") ? 403 : 200);
            response.write(true, java.nio.ByteBuffer.wrap(("plain " + request.getHttpURI().getPath() + "\n").getBytes(StandardCharsets.UTF_8)), callback);
            return true;
          }
        });
    origin.setHandler(webSockets);
    origin.start();
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    sidecar =
        GatehouseSidecar.start(
            ConfigLoader.load(
                Optional.empty(),
                Map.of(
                    "listen", "127.0.0.1:0",
                    "upstream", "http://127.0.0.1:" + originConnector.getLocalPort(),
                    "authentication.basic.htpasswd", htpasswd.toString())),
            Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    origin.stop();
  }

  private URI echo() {
    return URI.create("ws://127.0.0.1:" + sidecar.port() + "/echo");
  }

  @Test
  void authenticatedWebSocketCarriesMessagesBothWays() throws Exception {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocket socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Authorization", USER)
            .buildAsync(echo(), new Collecting(received))
            .get(10, TimeUnit.SECONDS);

    socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: hello");
    socket.sendText("second", true).get(10, TimeUnit.SECONDS);
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: second");
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
  }

  @Test
  void anonymousUpgradeIs401AndNeverReachesTheOrigin() {
    assertThatThrownBy(() -> HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(echo(), new Collecting(new LinkedBlockingQueue<>())).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
    assertThat(upgradesReachingOrigin).hasValue(0);
  }

  @Test
  void upgradeTheOriginRefusesLeavesTheConnectionSpeakingHttp() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sidecar.port())) {
      socket.setSoTimeout(10_000);
      // The refused handshake and, pipelined behind it, a plain request: it must be answered as HTTP, not tunnelled.
      String upgrade =
          "GET /refuse HTTP/1.1\r\nHost: app\r\nAuthorization: " + USER + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
      String second = "GET /second HTTP/1.1\r\nHost: app\r\nAuthorization: " + USER + "\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write((upgrade + second).getBytes(StandardCharsets.US_ASCII));

      String answers = readAll(socket.getInputStream());

      assertThat(answers).startsWith("HTTP/1.1 403 ");
      assertThat(answers).contains("plain /refuse\n").contains("HTTP/1.1 200 ").endsWith("plain /second\n");
      assertThat(answers).doesNotContain("101");
    }
  }

  @Test
  void refusedUpgradeWithPipelinedBytesIsNeverTunnelled() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sidecar.port())) {
      socket.setSoTimeout(10_000);
      String anonymousUpgrade =
          "GET /echo HTTP/1.1\r\nHost: app\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
      String second = "GET /second HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write((anonymousUpgrade + second).getBytes(StandardCharsets.US_ASCII));

      String answers = readAll(socket.getInputStream());

      assertThat(answers).startsWith("HTTP/1.1 401 ").contains("\r\n\r\nUnauthorized\nHTTP/1.1 401 ");
      assertThat(upgradesReachingOrigin).hasValue(0);
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    in.transferTo(bytes);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static final class Collecting implements WebSocket.Listener {
    private final BlockingQueue<String> received;
    private final StringBuilder partial = new StringBuilder();

    Collecting(BlockingQueue<String> received) {
      this.received = received;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }
}
