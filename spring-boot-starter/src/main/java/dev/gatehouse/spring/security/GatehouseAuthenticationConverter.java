package dev.gatehouse.spring.security;

import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import dev.gatehouse.servlet.GatehouseFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Spring Security's {@link AuthenticationConverter} for requests the {@link GatehouseFilter} let in: reads the
 * identities the filter put in the request ({@value GatehouseFilter#IDENTITIES_ATTRIBUTE}) and makes a {@link
 * GatehouseAuthentication} of them. It checks nothing itself: the request attribute can only be set by the filter
 * (its request wrapper refuses anyone else), so a request that did not pass Gatehouse yields {@code null}, as does an
 * anonymous one.
 *
 * <p>Authorities: each group of the identity as {@code <role prefix><group>} (by default {@code ROLE_ops}, what {@code
 * hasRole('ops')} asks for), and each scope of a JWT identity as {@code SCOPE_<scope>} (what Spring Security's resource
 * server gives, so {@code hasAuthority('SCOPE_orders.read')} reads the same), from the {@code scope} claim (space
 * separated, RFC 8693) or {@code scp} (a list or a string, as some issuers send it).
 *
 * <p>Thread-safe and stateless. The starter uses it; an application may use it in a {@code SecurityFilterChain} of its
 * own, with Spring Security's {@code AuthenticationFilter}.
 */
public final class GatehouseAuthenticationConverter implements AuthenticationConverter {

  /** The role prefix Spring Security expects by default. */
  public static final String DEFAULT_ROLE_PREFIX = "ROLE_";

  /** The prefix of authorities made from JWT scopes, as Spring Security's resource server makes them. */
  public static final String SCOPE_PREFIX = "SCOPE_";

  private final String rolePrefix;

  /**
   * Creates a converter.
   *
   * @param rolePrefix the prefix of authorities made from groups; may be empty
   */
  public GatehouseAuthenticationConverter(String rolePrefix) {
    this.rolePrefix = Objects.requireNonNull(rolePrefix, "rolePrefix");
  }

  /**
   * The authentication of a request Gatehouse let in with an identity.
   *
   * @param request the request, as it passed the Gatehouse filter
   * @return the authentication; {@code null} (Spring Security's "nothing to convert") when Gatehouse did not let the
   *     request in, or let it in anonymously
   */
  @Override
  public @Nullable GatehouseAuthentication convert(HttpServletRequest request) {
    if (!(request.getAttribute(GatehouseFilter.IDENTITIES_ATTRIBUTE) instanceof Identities identities) || identities.isAnonymous()) {
      return null;
    }
    HttpSession session = request.getSession(false);
    GatehouseAuthenticationDetails details =
        new GatehouseAuthenticationDetails(request.getRemoteAddr(), Optional.ofNullable(session).map(HttpSession::getId), identities.peer());
    return new GatehouseAuthentication(identities, authorities(identities), details);
  }

  /**
   * The authorities of a request's identities: groups behind the role prefix, then JWT scopes, each once.
   *
   * @param identities the request's identities
   * @return the authorities, sorted
   */
  public List<GrantedAuthority> authorities(Identities identities) {
    TreeSet<String> names = new TreeSet<>();
    for (String group : identities.groups()) {
      names.add(rolePrefix + group);
    }
    identities.primary().ifPresent(identity -> scopes(identity).forEach(scope -> names.add(SCOPE_PREFIX + scope)));
    return names.stream().<GrantedAuthority>map(SimpleGrantedAuthority::new).toList();
  }

  private static Collection<String> scopes(Identity identity) {
    if (!(identity.attributes().get(Identity.CLAIMS) instanceof Map<?, ?> claims)) {
      return List.of();
    }
    TreeSet<String> scopes = new TreeSet<>();
    for (String claim : List.of("scope", "scp")) {
      Object value = claims.get(claim);
      if (value instanceof String text) {
        for (String scope : text.trim().split("\\s+")) {
          if (!scope.isEmpty()) {
            scopes.add(scope);
          }
        }
      } else if (value instanceof List<?> list) {
        for (Object element : list) {
          if (element instanceof String scope && !scope.isBlank()) {
            scopes.add(scope.strip());
          }
        }
      }
    }
    return scopes;
  }
}
