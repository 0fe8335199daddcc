package dev.gatehouse.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The application under the filter: it answers with what it can learn about the caller, one {@code key: value} line
 * each, and counts its calls so tests can tell that a refused request never reached it.
 */
final class EchoServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private final AtomicInteger calls;

  EchoServlet(AtomicInteger calls) {
    this.calls = calls;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    calls.incrementAndGet();
    Principal principal = request.getUserPrincipal();
    Map<String, Object> seen = new LinkedHashMap<>();
    seen.put("dispatch", request.getDispatcherType());
    seen.put("remoteUser", request.getRemoteUser());
    seen.put("principal", principal == null ? null : principal.getName());
    seen.put("authType", request.getAuthType());
    seen.put("peer", request.getAttribute(GatehouseFilter.PEER_ATTRIBUTE) instanceof dev.gatehouse.Identity peer ? peer.name() : null);
    seen.put(
        "identities.requestPrincipal",
        request.getAttribute(GatehouseFilter.IDENTITIES_ATTRIBUTE) instanceof dev.gatehouse.Identities identities
            ? identities.requestPrincipal().map(dev.gatehouse.Identity::name).orElse(null)
            : "(absent)");
    seen.put("inRole.ops", request.isUserInRole("ops"));
    seen.put("inRole.admin", request.isUserInRole("admin"));
    seen.put("inRole.**", request.isUserInRole("**"));
    seen.put("inRole.*", request.isUserInRole("*"));
    seen.put("getHeaders.X-Forwarded-User", Collections.list(request.getHeaders("X-Forwarded-User")));
    seen.put("getHeader.X-Forwarded-User", request.getHeader("X-Forwarded-User"));
    seen.put("getHeader.x_forwarded_user", request.getHeader("x_forwarded_user"));
    seen.put("getHeader.X-Remote-User", request.getHeader("X-Remote-User"));
    seen.put("getHeaders.X-Remote-User", Collections.list(request.getHeaders("X-Remote-User")));
    seen.put("getIntHeader.X-Remote-User", request.getIntHeader("X-Remote-User"));
    seen.put("getHeaders.X-Forwarded-Groups", Collections.list(request.getHeaders("X-Forwarded-Groups")));
    seen.put("getHeaders.X-Forwarded-Email", Collections.list(request.getHeaders("X-Forwarded-Email")));
    seen.put("getHeaders.X-Forwarded-Client-Cert", Collections.list(request.getHeaders("X-Forwarded-Client-Cert")));
    seen.put("getHeaders.X-Forwarded-For", Collections.list(request.getHeaders("X-Forwarded-For")));
    if ("POST".equals(request.getMethod())) {
      // Trailers are ready only once the body is read.
      request.getInputStream().readAllBytes();
      seen.put("trailers", new java.util.TreeMap<>(request.getTrailerFields()));
    }
    List<String> names = Collections.list(request.getHeaderNames());
    seen.put("identityHeaderNames", names.stream().filter(EchoServlet::looksLikeIdentity).collect(Collectors.toList()));
    StringBuilder body = new StringBuilder();
    seen.forEach((key, value) -> body.append(key).append(": ").append(value).append('\n'));
    if (response.getStatus() < 400) {
      response.setStatus(200);
    }
    response.setContentType("text/plain; charset=UTF-8");
    response.getOutputStream().write(body.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static boolean looksLikeIdentity(String name) {
    String folded = name.toLowerCase().replace('_', '-').replace('.', '-');
    return folded.startsWith("x-forwarded-") && !folded.equals("x-forwarded-for") || folded.endsWith("-user");
  }

  /** Parses the answer back into its lines. */
  static Map<String, String> parse(String body) {
    Map<String, String> seen = new LinkedHashMap<>();
    for (String line : body.split("\n")) {
      int colon = line.indexOf(": ");
      if (colon > 0) {
        seen.put(line.substring(0, colon), line.substring(colon + 2));
      }
    }
    return seen;
  }
}
