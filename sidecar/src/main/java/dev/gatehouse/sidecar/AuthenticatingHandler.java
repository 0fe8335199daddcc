package dev.gatehouse.sidecar;

import dev.gatehouse.Decision;
import dev.gatehouse.Gatehouse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate: asks the engine about every request, writes refusals back as the engine worded them, and hands allowed
 * requests to the wrapped handler with the {@link Decision.Allow} attached under {@link #DECISION_ATTRIBUTE}.
 *
 * <p>Decides nothing itself. Thread-safe; one instance serves all requests.
 */
final class AuthenticatingHandler extends Handler.Wrapper {

  /** The request attribute holding the {@link Decision.Allow} of an allowed request. */
  static final String DECISION_ATTRIBUTE = Decision.class.getName();

  private static final Logger log = LoggerFactory.getLogger(AuthenticatingHandler.class);

  private static final HttpField TEXT_PLAIN = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain; charset=UTF-8");
  private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");

  /** Refusal bodies are a handful of fixed strings (one per status), so each is encoded once. */
  private static final Map<String, ByteBuffer> BODIES = new ConcurrentHashMap<>();

  private final Gatehouse gatehouse;

  AuthenticatingHandler(Gatehouse gatehouse, Handler next) {
    super(next);
    this.gatehouse = gatehouse;
  }

  @Override
  public boolean handle(Request clientToProxyRequest, Response proxyToClientResponse, Callback callback) throws Exception {
    Decision decision = gatehouse.decide(new JettyRequestView(clientToProxyRequest));
    if (decision instanceof Decision.Refusal refusal) {
      refuse(clientToProxyRequest, proxyToClientResponse, callback, refusal);
      return true;
    }
    clientToProxyRequest.setAttribute(DECISION_ATTRIBUTE, decision);
    return super.handle(clientToProxyRequest, proxyToClientResponse, callback);
  }

  private static void refuse(Request clientToProxyRequest, Response proxyToClientResponse, Callback callback, Decision.Refusal refusal) {
    if (log.isDebugEnabled()) {
      log.debug(
          "{} C2P refused {} {} with {}: {}",
          System.identityHashCode(clientToProxyRequest),
          clientToProxyRequest.getMethod(),
          clientToProxyRequest.getHttpURI().getPath(),
          refusal.status(),
          refusal.reason());
    }
    proxyToClientResponse.setStatus(refusal.status());
    HttpFields.Mutable headers = proxyToClientResponse.getHeaders();
    List<String> challenges = refusal.challenges();
    for (int i = 0; i < challenges.size(); i++) {
      headers.add(HttpHeader.WWW_AUTHENTICATE, challenges.get(i));
    }
    headers.put(TEXT_PLAIN);
    headers.put(NO_STORE);
    ByteBuffer body = BODIES.computeIfAbsent(refusal.body(), AuthenticatingHandler::encode);
    // One last write with the whole body lets Jetty send Content-Length and keep the connection open.
    proxyToClientResponse.write(true, body.slice(), callback);
  }

  private static ByteBuffer encode(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
  }
}
