package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.Identities;
import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.config.UpstreamProtocol;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.http.RequestHeaders;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import dev.gatehouse.Decision;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForwardingHandlerTest {

  @TempDir Path directory;

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Origin origin;
  private ProxyServer server;
  private GatehouseSidecar sidecar;

  ForwardingHandlerTest() throws Exception {
    origin = new Origin();
  }

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    if (server != null) {
      server.stop(Duration.ofSeconds(1));
    }
    origin.close();
  }

  @Test
  void allowDecisionWithoutAPathIsNeverForwarded() throws Exception {
    // An engine that allows without naming the path it decided on: the proxy must fail closed, not forward the raw one.
    server =
        new ProxyServer(
            request -> new Decision.Allow(Identities.ANONYMOUS, RequestHeaders.of(IdentityHeaders.defaults(), Set.of(), Map.of()), Optional.empty()),
            Optional.empty(),
            new InetSocketAddress("127.0.0.1", 0),
            URI.create(origin.uri()),
            UpstreamProtocol.HTTP1,
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            new Observers(Optional.empty(), Optional.empty()),
            LimitsConfig.DEFAULTS);
    server.start();

    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo("Internal Server Error\n");
    assertThat(origin.received).isEmpty();
  }

  @Test
  void unixSocketUpstreamIsReachedWithIdentityHeaders() throws Exception {
    Path socket = directory.resolve("app.sock");
    try (UnixSocketOrigin unixOrigin = new UnixSocketOrigin(socket)) {
      Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
      sidecar =
          GatehouseSidecar.start(
              ConfigLoader.load(
                  Optional.empty(),
                  Map.of("listen", "127.0.0.1:0", "upstream", "unix:" + socket, "authentication.basic.htpasswd", htpasswd.toString())),
              Duration.ofSeconds(5));

      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.port() + "/over/unix?x=%41"))
                  .header("Authorization", RawHttp.basic("bcrypt-user", "bcrypt secret"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("hello over unix\n");
      String head = unixOrigin.heads.poll(10, TimeUnit.SECONDS);
      assertThat(head)
          .startsWith("GET /over/unix?x=%41 HTTP/1.1\r\n")
          .containsIgnoringCase("\r\nHost: 127.0.0.1:" + sidecar.port() + "\r\n")
          .containsIgnoringCase("\r\nX-Forwarded-User: bcrypt-user\r\n");
    }
  }

  /** Just enough HTTP/1.1 over a Unix socket to answer one request per connection and keep its head. */
  private static final class UnixSocketOrigin implements AutoCloseable {

    final BlockingQueue<String> heads = new LinkedBlockingQueue<>();
    private final ServerSocketChannel server;

    UnixSocketOrigin(Path socket) throws IOException {
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      Thread acceptor = new Thread(this::serve, "unix-origin");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void serve() {
      while (server.isOpen()) {
        try (SocketChannel channel = server.accept()) {
          InputStream in = Channels.newInputStream(channel);
          ByteArrayOutputStream head = new ByteArrayOutputStream();
          while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
              break;
            }
            head.write(b);
          }
          heads.add(head.toString(StandardCharsets.ISO_8859_1));
          byte[] body = "hello over unix\n".getBytes(StandardCharsets.UTF_8);
          OutputStream out = Channels.newOutputStream(channel);
          out.write(
              ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
          out.write(body);
          out.flush();
        } catch (IOException e) {
          // closed by the test, or a client that went away: either way, nothing to answer
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
