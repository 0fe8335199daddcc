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
              Collections.list(request.getHeaders("X-Forwarded-Client-Cert")));
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
              request.getHeaders().getValuesList("X-Forwarded-Client-Cert"));
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=UTF-8");
      response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
      return true;
    }
  }
}
