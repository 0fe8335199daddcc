package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.spring.security.GatehouseAuthentication;
import dev.gatehouse.spring.security.GatehouseAuthenticationConverter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * Hands the caller the Gatehouse filter let in to Spring Security, between the two filters.
 *
 * <p>Spring Security's {@code SecurityContextHolderFilter} starts each request from what its {@link
 * SecurityContextRepository} loads, so a context set on the thread before it would be replaced: instead this filter
 * saves the caller's {@link GatehouseAuthentication} through the repository Spring Security reads (a request
 * attribute, the default's first and a stateless chain's only one), and also sets it on the {@link
 * SecurityContextHolderStrategy} for the rest of the request, for code that runs without a {@code
 * SecurityFilterChain} (method security alone). Nothing is stored in the session. A request let in anonymously gets
 * no authentication, as Spring Security expects.
 */
final class GatehouseSecurityContextFilter implements Filter {

  private final GatehouseAuthenticationConverter converter;
  private final SecurityContextRepository repository;
  private final SecurityContextHolderStrategy holder;

  GatehouseSecurityContextFilter(GatehouseAuthenticationConverter converter, SecurityContextRepository repository, SecurityContextHolderStrategy holder) {
    this.converter = converter;
    this.repository = repository;
    this.holder = holder;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest httpRequest) || !(response instanceof HttpServletResponse httpResponse)) {
      throw new ServletException("the Gatehouse security context filter handles HTTP requests only");
    }
    GatehouseAuthentication authentication = converter.convert(httpRequest);
    if (authentication == null) {
      chain.doFilter(request, response);
      return;
    }
    SecurityContext context = holder.createEmptyContext();
    context.setAuthentication(authentication);
    repository.saveContext(context, httpRequest, httpResponse);
    holder.setContext(context);
    try {
      chain.doFilter(request, response);
    } finally {
      // Threads are pooled: the next request on this one must not inherit the caller.
      holder.clearContext();
    }
  }
}
