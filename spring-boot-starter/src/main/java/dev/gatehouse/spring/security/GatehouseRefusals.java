package dev.gatehouse.spring.security;

import dev.gatehouse.Gatehouse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Spring Security's refusals answered as Gatehouse answers its own: a request that Spring Security turns away for
 * want of credentials gets 401 with the engine's {@code WWW-Authenticate} challenges (never a redirect to a login
 * page), and one it turns away as not allowed gets 403; both with Gatehouse's fixed plain-text bodies and {@code
 * Cache-Control: no-store}.
 *
 * <p>Use it as the {@link AuthenticationEntryPoint} and {@link AccessDeniedHandler} of a {@code SecurityFilterChain}:
 * {@code http.exceptionHandling(e -> e.authenticationEntryPoint(refusals).accessDeniedHandler(refusals))}. The starter
 * defines one as a bean when Spring Security is present. Thread-safe.
 */
public final class GatehouseRefusals implements AuthenticationEntryPoint, AccessDeniedHandler {

  private final List<String> challenges;

  /**
   * Refusals with the challenges of an engine.
   *
   * @param gatehouse the engine, for its {@link Gatehouse#challenges()}
   */
  public GatehouseRefusals(Gatehouse gatehouse) {
    this.challenges = Objects.requireNonNull(gatehouse, "gatehouse").challenges();
  }

  /** 401 with the engine's challenges. */
  @Override
  public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException reason) throws IOException {
    write(response, HttpServletResponse.SC_UNAUTHORIZED, challenges, "Unauthorized\n");
  }

  /** 403. */
  @Override
  public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException reason) throws IOException {
    write(response, HttpServletResponse.SC_FORBIDDEN, List.of(), "Forbidden\n");
  }

  private static void write(HttpServletResponse response, int status, List<String> challenges, String body) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.reset();
    challenges.forEach(challenge -> response.addHeader("WWW-Authenticate", challenge));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("text/plain; charset=UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
