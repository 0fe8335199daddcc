package dev.gatehouse.conformance;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The app behind each delivery. It answers {@code user=<who>;forwarded-user=<X-Forwarded-User values>;bearer-visible=<whether a bearer token reached it>}: who the app
 * believes the caller is, the way such an app finds out (the servlet API inside a container, the {@code
 * X-Forwarded-User} header behind the sidecar), and every {@code X-Forwarded-User} value it can read, which must never
 * be a client's.
 */
final class WhoAmI {

  private WhoAmI() {}

  static String describe(String user, List<String> forwardedUser) {
    return describe(user, forwardedUser, false);
  }

  /** As above, plus whether a bearer token reached the app (it never should: tokens are not forwarded by default). */
  static String describe(String user, List<String> forwardedUser, boolean bearerVisible) {
    return describe(user, forwardedUser, bearerVisible, List.of());
  }

  /** As above, plus the {@code X-Forwarded-Client-Cert} values the app can read, when there are any. */
  static String describe(String user, List<String> forwardedUser, boolean bearerVisible, List<String> clientCert) {
    String described = "user=" + user + ";forwarded-user=" + String.join(",", forwardedUser) + ";bearer-visible=" + bearerVisible;
    return clientCert.isEmpty() ? described : described + ";xfcc=" + String.join(" | ", clientCert);
  }

  /**
   * Headers no client may hand the app (routing and trust headers, framing names in a folded spelling), and one the
   * conformance configuration passes ({@code X-Forwarded-Prefix}): whichever the app can read is named in its answer.
   */
  static final List<String> PROBES =
      List.of(
          "X-Original-URL", "X_Original_URL", "X-Rewrite-URL", "X-Original-URI", "X-Forwarded-Uri", "X-Forwarded-Prefix", "Client-Cert",
          "X-SSL-Client-Verify", "X-Client-Cert-Chain", "X-Remote-Group", "X-Remote-Extra-Scopes", "X-Auth-Request-Redirect",
          "X-Pomerium-Jwt-Assertion", "Transfer_Encoding", "Transfer.Encoding", "Content.Length", "Keep_Alive");

  /** The answer of an app that could read the {@link #PROBES} listed in {@code visible} ({@code name: value}). */
  static String describe(String user, List<String> forwardedUser, boolean bearerVisible, List<String> clientCert, List<String> visible) {
    String described = describe(user, forwardedUser, bearerVisible, clientCert);
    return visible.isEmpty() ? described : described + ";visible=" + String.join(" | ", visible);
  }

  private static List<String> visible(java.util.function.Function<String, List<String>> values) {
    List<String> visible = new java.util.ArrayList<>();
    for (String probe : PROBES) {
      for (String value : values.apply(probe)) {
        visible.add(probe + ": " + value);
      }
    }
    return visible;
  }

  static boolean isBearer(List<String> authorization) {
    return authorization.stream().anyMatch(value -> value.regionMatches(true, 0, "Bearer ", 0, 7));
  }

  /** For the filter and the starter: the container tells the app. */
  static final class Servlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
      String body =
          describe(
              String.valueOf(request.getRemoteUser()),
              Collections.list(request.getHeaders("X-Forwarded-User")),
              isBearer(Collections.list(request.getHeaders("Authorization"))),
              Collections.list(request.getHeaders("X-Forwarded-Client-Cert")),
              visible(name -> Collections.list(request.getHeaders(name))));
      response.setContentType("text/plain; charset=UTF-8");
      response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** For the sidecar's upstream: only headers tell the app. */
  static final class Handler extends org.eclipse.jetty.server.Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      List<String> forwardedUser = request.getHeaders().getValuesList("X-Forwarded-User");
      String body =
          describe(
              forwardedUser.isEmpty() ? "null" : forwardedUser.get(0),
              forwardedUser,
              isBearer(request.getHeaders().getValuesList("Authorization")),
              request.getHeaders().getValuesList("X-Forwarded-Client-Cert"),
              visible(name -> request.getHeaders().getValuesList(name)));
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=UTF-8");
      response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
      return true;
    }
  }
}
