package dev.gatehouse.sidecar;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.gatehouse.testing.TestCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;

/**
 * A remote HTTPS service for egress tests (the JDK's server): its certificate is given, it requires a client
 * certificate from the given CA when one is given, and it records every request it receives with the client chain it
 * verified; it answers {@code 200} with {@code remote saw <path>}.
 */
final class RemoteHttps implements AutoCloseable {

  /** One request the remote received. */
  record Received(String method, String uri, Map<String, List<String>> headers, List<X509Certificate> clientChain, String body, int clientPort) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  static {
    // The JDK's server writes a response's head and body in two segments; with Nagle on, the second waits for the
    // client's delayed ACK, 40 ms a request. Read once, when the first server starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  volatile boolean closeEachConnection;

  RemoteHttps(TestCertificate serverCertificate, TestCertificate clientCa) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("server", serverCertificate.privateKey(), "x".toCharArray(), serverCertificate.chain().toArray(new Certificate[0]));
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, "x".toCharArray());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    if (clientCa != null) {
      trust.setCertificateEntry("ca", clientCa.certificate());
    }
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(context) {
          @Override
          public void configure(HttpsParameters parameters) {
            javax.net.ssl.SSLParameters ssl = context.getDefaultSSLParameters();
            ssl.setNeedClientAuth(clientCa != null);
            parameters.setSSLParameters(ssl);
          }
        });
    server.createContext(
        "/",
        exchange -> {
          List<X509Certificate> chain = List.of();
          try {
            Certificate[] peer = ((HttpsExchange) exchange).getSSLSession().getPeerCertificates();
            chain = java.util.Arrays.stream(peer).map(X509Certificate.class::cast).toList();
          } catch (SSLPeerUnverifiedException e) {
            // no client certificate
          }
          String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(), Map.copyOf(exchange.getRequestHeaders()), chain, body, exchange.getRemoteAddress().getPort()));
          byte[] answer = ("remote saw " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
          if (closeEachConnection) {
            exchange.getResponseHeaders().set("Connection", "close");
          }
          exchange.getResponseHeaders().set("X-Remote", "yes");
          exchange.sendResponseHeaders(200, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    server.setExecutor(executor);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
