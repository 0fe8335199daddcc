package dev.gatehouse.servlet;

import dev.gatehouse.Decision;
import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import dev.gatehouse.http.RequestHeaders;
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
 * it. So every header the decision's {@link RequestHeaders#mustHide} names (caller identity headers in any spelling,
 * such as {@code x_forwarded_user}, routing and trust headers such as {@code X-Original-URL}, framing names in a folded
 * spelling, the headers the engine sets and those it consumed) is hidden from every header accessor, and the engine's
 * values are shown in their place; trailers pass {@link RequestHeaders#mustRemoveTrailer}. The wrapper only applies
 * the policy; it decides nothing.
 *
 * <p>{@code getUserPrincipal()}, {@code getRemoteUser()}, {@code isUserInRole()} and {@code getAuthType()} answer from
 * the request principal, else the peer ({@link Identities#primary()}); the peer itself is the request attribute
 * {@value GatehouseFilter#PEER_ATTRIBUTE}, as a {@link Identity}, and both are {@value
 * GatehouseFilter#IDENTITIES_ATTRIBUTE}, as {@link Identities}.
 */
final class AuthenticatedRequest extends HttpServletRequestWrapper {

  private final @Nullable Identity identity;
  private final @Nullable Identity peer;
  private final Identities identities;
  private final @Nullable Principal principal;
  private final RequestHeaders policy;

  AuthenticatedRequest(HttpServletRequest request, Decision.Allow allow) {
    super(request);
    this.identity = allow.identity().orElse(null);
    this.peer = allow.identities().peer().orElse(null);
    this.identities = allow.identities();
    this.principal = identity == null ? null : new IdentityPrincipal(identity.name());
    this.policy = allow.requestHeaders();
  }

  /**
   * The peer under {@value GatehouseFilter#PEER_ATTRIBUTE} and both identities under {@value
   * GatehouseFilter#IDENTITIES_ATTRIBUTE}, whatever anything earlier in the chain set there.
   */
  @Override
  public @Nullable Object getAttribute(String name) {
    if (GatehouseFilter.PEER_ATTRIBUTE.equals(name)) {
      return peer;
    }
    if (GatehouseFilter.IDENTITIES_ATTRIBUTE.equals(name)) {
      return identities;
    }
    return super.getAttribute(name);
  }

  private static boolean isEngines(String name) {
    return GatehouseFilter.PEER_ATTRIBUTE.equals(name)
        || GatehouseFilter.IDENTITIES_ATTRIBUTE.equals(name)
        || GatehouseFilter.DECISION_ATTRIBUTE.equals(name);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    List<String> names = new ArrayList<>();
    Enumeration<String> received = super.getAttributeNames();
    while (received != null && received.hasMoreElements()) {
      String name = received.nextElement();
      if (!isEngines(name)) {
        names.add(name);
      }
    }
    if (peer != null) {
      names.add(GatehouseFilter.PEER_ATTRIBUTE);
    }
    names.add(GatehouseFilter.IDENTITIES_ATTRIBUTE);
    return Collections.enumeration(names);
  }

  @Override
  public void setAttribute(String name, @Nullable Object value) {
    if (isEngines(name)) {
      // The engine's answer; nothing downstream may replace it.
      return;
    }
    super.setAttribute(name, value);
  }

  @Override
  public void removeAttribute(String name) {
    if (!isEngines(name)) {
      super.removeAttribute(name);
    }
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
    return policy.mustHide(name) ? policy.valueToSet(name) : super.getHeader(name);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    if (!policy.mustHide(name)) {
      return super.getHeaders(name);
    }
    String value = policy.valueToSet(name);
    return value == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(value));
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    List<String> names = new ArrayList<>();
    Enumeration<String> received = super.getHeaderNames();
    if (received != null) {
      while (received.hasMoreElements()) {
        String name = received.nextElement();
        if (!policy.mustHide(name)) {
          names.add(name);
        }
      }
    }
    // Sorted, so that getHeaderNames() lists them in the same order on every request.
    policy.toSet().keySet().stream().sorted().forEach(names::add);
    return Collections.enumeration(names);
  }

  /** Trailers the policy would not let through as headers (and any framing name) are hidden, as headers are. */
  @Override
  public Map<String, String> getTrailerFields() {
    Map<String, String> received = super.getTrailerFields();
    if (received == null || received.isEmpty()) {
      return received;
    }
    Map<String, String> kept = new LinkedHashMap<>();
    received.forEach(
        (name, value) -> {
          if (!policy.mustRemoveTrailer(name)) {
            kept.put(name, value);
          }
        });
    return kept;
  }

  @Override
  public int getIntHeader(String name) {
    if (!policy.mustHide(name)) {
      return super.getIntHeader(name);
    }
    String value = getHeader(name);
    return value == null ? -1 : Integer.parseInt(value);
  }

  @Override
  public long getDateHeader(String name) {
    if (!policy.mustHide(name)) {
      return super.getDateHeader(name);
    }
    if (getHeader(name) == null) {
      return -1;
    }
    // As the container would for any header that does not hold a date.
    throw new IllegalArgumentException("header " + name + " is not a date");
  }

  /** The caller as a {@link Principal}: its name is the identity's name. */
  private record IdentityPrincipal(String name) implements Principal {
    @Override
    public String getName() {
      return name;
    }
  }
}
