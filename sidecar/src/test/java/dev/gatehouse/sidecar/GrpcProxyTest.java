package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.RawHttp;
import dev.gatehouse.testing.TestCertificate;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through the sidecar: a grpc-java server behind it (h2c prior knowledge), a grpc-java client in front of it over
 * TLS with ALPN h2. Methods are described by hand with a string marshaller, so no protoc is needed.
 */
class GrpcProxyTest {

  private static final MethodDescriptor.Marshaller<String> STRING =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static final MethodDescriptor<String, String> SAY = method(MethodDescriptor.MethodType.UNARY, "Say");
  private static final MethodDescriptor<String, String> COUNT = method(MethodDescriptor.MethodType.SERVER_STREAMING, "Count");
  private static final MethodDescriptor<String, String> FAIL = method(MethodDescriptor.MethodType.UNARY, "Fail");

  private static MethodDescriptor<String, String> method(MethodDescriptor.MethodType type, String name) {
    return MethodDescriptor.<String, String>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", name))
        .setRequestMarshaller(STRING)
        .setResponseMarshaller(STRING)
        .build();
  }

  @TempDir Path directory;

  private final TestCertificate ca = TestCertificate.ca("server CA");
  private final BlockingQueue<Metadata> headersAtOrigin = new LinkedBlockingQueue<>();
  private Server origin;
  private GatehouseSidecar sidecar;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    ServerServiceDefinition echo =
        ServerServiceDefinition.builder("test.Echo")
            .addMethod(SAY, ServerCalls.asyncUnaryCall((request, response) -> {
              response.onNext("hello " + request);
              response.onCompleted();
            }))
            .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((request, response) -> {
              for (int i = 1; i <= 3; i++) {
                response.onNext(request + " " + i);
              }
              response.onCompleted();
            }))
            .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, response) ->
                response.onError(Status.FAILED_PRECONDITION.withDescription("no " + request).asRuntimeException())))
            .build();
    origin =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(io.grpc.ServerInterceptors.intercept(echo, new io.grpc.ServerInterceptor() {
              @Override
              public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
                headersAtOrigin.add(headers);
                return next.startCall(call, headers);
              }
            }))
            .build()
            .start();
    TestCertificate server = TestCertificate.builder().commonName("sidecar").localhostServer().issuedBy(ca).build();
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("listen", "127.0.0.1:0");
    overrides.put("upstream", "http://127.0.0.1:" + ((InetSocketAddress) origin.getListenSockets().get(0)).getPort());
    overrides.put("tls.certificate", server.writeChain(directory.resolve("server.crt")).toString());
    overrides.put("tls.private-key", server.writeKey(directory.resolve("server.key")).toString());
    overrides.put("authentication.basic.htpasswd", Fixtures.copy("formats.htpasswd", directory).toString());
    // As a user sets it: the upstream-protocol key (--upstream-protocol h2c, GATEHOUSE_UPSTREAM_PROTOCOL).
    overrides.put("upstream-protocol", "h2c");
    sidecar = GatehouseSidecar.start(ConfigLoader.load(Optional.empty(), overrides), Duration.ofSeconds(5));
    channel =
        NettyChannelBuilder.forAddress("localhost", sidecar.port())
            .sslContext(GrpcSslContexts.forClient().trustManager(ca.certificate()).build())
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (sidecar != null) {
      sidecar.close();
    }
    origin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private io.grpc.Channel authenticated() {
    Metadata credentials = new Metadata();
    credentials.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), RawHttp.basic("bcrypt-user", "bcrypt secret"));
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(credentials));
  }

  private static CallOptions deadline() {
    return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  @Test
  void unaryCallSucceedsWithItsTrailersAndTheIdentity() throws Exception {
    String answer = ClientCalls.blockingUnaryCall(authenticated(), SAY, deadline(), "grpc");

    assertThat(answer).isEqualTo("hello grpc");
    Metadata atOrigin = headersAtOrigin.poll(10, TimeUnit.SECONDS);
    assertThat(atOrigin.get(Metadata.Key.of("x-forwarded-user", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("bcrypt-user");
    assertThat(atOrigin.get(Metadata.Key.of("x-forwarded-proto", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("https");
  }

  @Test
  void routingAndFoldedFramingHeadersNeverReachTheH2cUpstream() throws Exception {
    // HTTP/2 in front, HTTP/2 behind: the same removal as HTTP/1.1, through the conversion both ways.
    List<String> hostile =
        List.of("x-original-url", "x_original_url", "x-forwarded-prefix", "x-pomerium-jwt-assertion", "x-remote-group", "client-cert", "transfer_encoding",
            "content.length", "keep_alive");
    Metadata headers = new Metadata();
    for (String name : hostile) {
      headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), "1");
    }

    String answer =
        ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(authenticated(), MetadataUtils.newAttachHeadersInterceptor(headers)), SAY, deadline(), "x");

    assertThat(answer).isEqualTo("hello x");
    Metadata atOrigin = headersAtOrigin.poll(10, TimeUnit.SECONDS);
    assertThat(atOrigin.keys()).doesNotContainAnyElementsOf(hostile).contains("x-forwarded-user");
  }

  @Test
  void serverStreamingCallDeliversEveryMessageThenTheStatus() {
    Iterator<String> answers = ClientCalls.blockingServerStreamingCall(authenticated(), COUNT, deadline(), "n");
    List<String> received = new ArrayList<>();
    answers.forEachRemaining(received::add);

    assertThat(received).containsExactly("n 1", "n 2", "n 3");
  }

  @Test
  void errorStatusInTrailersOnlyResponseReachesTheClient() {
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(authenticated(), FAIL, deadline(), "way"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).isEqualTo("no way");
        });
  }

  /** The sidecar's 401 is plain HTTP; grpc-java maps HTTP 401 to UNAUTHENTICATED. */
  @Test
  void callWithoutCredentialsIsUnauthenticated() {
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, SAY, deadline(), "anyone"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThat(headersAtOrigin).isEmpty();
  }
}
