package dev.gatehouse.servlet;

import dev.gatehouse.Decision;
import dev.gatehouse.Identity;
import dev.gatehouse.http.IdentityHeaders;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An allowed request as the application sees it: the caller is the one the engine identified, and the identity
 * headers are the engine's.
 *
 * <p>A client could send {@code X-Forwarded-User: admin} itself, and an application written for a proxy would believe
 * it. So every caller identity header the client sent ({@link IdentityHeaders#isCallerIdentityHeader}, which also
 * matches spellings such as {@code x_forwarded_user}) is hidden from every header accessor, and the headers of the
 * {@link Decision.Allow} are shown in their place. Transport headers ({@code X-Forwarded-For} and the like) are left
 * to the container, which may sit behind a trusted load balancer.
 */
final class AuthenticatedRequest extends HttpServletRequestWrapper {

  private final @Nullable Identity identity;
  private final @Nullable Principal principal;
  private final IdentityHeaders identityHeaders;
  /** The engine's headers by folded name, so that any spelling of a name finds the engine's value. */
  private final Map<String, Map.Entry<String, String>> engineHeaders;
  /**
   * Whether every engine header is also a caller identity header, as the built-in ones are. Then a name that is not a
   * caller identity header (checked without allocating) is the client's, and the common header lookup costs nothing.
   */
  private final boolean engineHeadersAreCallerHeaders;
  /** Request headers the decision consumed (a bearer token that is not forwarded): the application never sees them. */
  private final String[] removed;

  AuthenticatedRequest(HttpServletRequest request, Decision.Allow allow, IdentityHeaders identityHeaders) {
    super(request);
    this.identity = allow.identity().orElse(null);
    this.principal = identity == null ? null : new IdentityPrincipal(identity.name());
    this.identityHeaders = identityHeaders;
    Map<String, Map.Entry<String, String>> headers = new LinkedHashMap<>();
    // Sorted, so that getHeaderNames() lists them in the same order on every request.
    allow.headers().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(header -> headers.put(IdentityHeaders.normalize(header.getKey()), header));
    this.engineHeaders = headers;
    this.engineHeadersAreCallerHeaders =
        allow.headers().keySet().stream().allMatch(identityHeaders::isCallerIdentityHeader);
    this.removed = allow.removeHeaders().toArray(String[]::new);
  }

  @Override
  public @Nullable Principal getUserPrincipal() {
    return principal;
  }

  @Override
  public @Nullable String getRemoteUser() {
    return identity == null ? null : identity.name();
  }

  /**
   * Whether the caller is in a group the engine knows of. As the servlet specification asks, {@code "*"} is never a
   * role and {@code "**"} means any authenticated caller.
   */
  @Override
  public boolean isUserInRole(String role) {
    if (identity == null || role == null || role.equals("*")) {
      return false;
    }
    return role.equals("**") || identity.groups().contains(role);
  }

  @Override
  public @Nullable String getAuthType() {
    if (identity == null) {
      return null;
    }
    return switch (identity.authenticationMethod()) {
      case Identity.BASIC -> HttpServletRequest.BASIC_AUTH;
      case Identity.CLIENT_CERTIFICATE -> HttpServletRequest.CLIENT_CERT_AUTH;
      // The servlet API has no constant for bearer tokens; "Bearer" is the RFC 6750 scheme name.
      case Identity.JWT -> "Bearer";
      default -> identity.authenticationMethod();
    };
  }

  @Override
  public @Nullable String getHeader(String name) {
    if (isRemoved(name)) {
      return null;
    }
    if (!isEngineOwned(name)) {
      return super.getHeader(name);
    }
    Map.Entry<String, String> engine = engineHeaders.get(IdentityHeaders.normalize(name));
    return engine == null ? null : engine.getValue();
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    if (isRemoved(name)) {
      return Collections.emptyEnumeration();
    }
    if (!isEngineOwned(name)) {
      return super.getHeaders(name);
    }
    Map.Entry<String, String> engine = engineHeaders.get(IdentityHeaders.normalize(name));
    return engine == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(engine.getValue()));
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    List<String> names = new ArrayList<>();
    Enumeration<String> received = super.getHeaderNames();
    if (received != null) {
      while (received.hasMoreElements()) {
        String name = received.nextElement();
        if (!isEngineOwned(name) && !isRemoved(name)) {
          names.add(name);
        }
      }
    }
    for (Map.Entry<String, String> engine : engineHeaders.values()) {
      names.add(engine.getKey());
    }
    return Collections.enumeration(names);
  }

  @Override
  public int getIntHeader(String name) {
    if (isRemoved(name)) {
      return -1;
    }
    if (!isEngineOwned(name)) {
      return super.getIntHeader(name);
    }
    String value = getHeader(name);
    return value == null ? -1 : Integer.parseInt(value);
  }

  @Override
  public long getDateHeader(String name) {
    if (isRemoved(name)) {
      return -1;
    }
    if (!isEngineOwned(name)) {
      return super.getDateHeader(name);
    }
    if (getHeader(name) == null) {
      return -1;
    }
    // As the container would for any header that does not hold a date.
    throw new IllegalArgumentException("header " + name + " is not a date");
  }

  private boolean isRemoved(String name) {
    for (String header : removed) {
      if (header.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the application must see the engine's answer for this name, never what the client sent. */
  private boolean isEngineOwned(String name) {
    return identityHeaders.isCallerIdentityHeader(name)
        || (!engineHeadersAreCallerHeaders && engineHeaders.containsKey(IdentityHeaders.normalize(name)));
  }

  /** The caller as a {@link Principal}: its name is the identity's name. */
  private record IdentityPrincipal(String name) implements Principal {
    @Override
    public String getName() {
      return name;
    }
  }
}
