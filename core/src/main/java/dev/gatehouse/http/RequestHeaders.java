package dev.gatehouse.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What an allowed request's headers must become before the application sees them: which client-sent headers go, and
 * which headers the engine sets in their place. Carried by {@link dev.gatehouse.Decision.Allow}, so the servlet filter
 * and the sidecar only apply it and never decide a header themselves.
 *
 * <p>Removed are the engine's {@link IdentityHeaders} (compared with case, {@code _} and {@code .} folded), the {@link
 * IdentityHeaders#ROUTING_HEADERS routing headers} not passed, framing names in a folded spelling, every header the
 * engine sets, every header the decision consumed (a bearer token that is not forwarded) and, at a forwarding hop,
 * every header the client names in {@code Connection:}. Every value to set has passed {@link
 * IdentityHeaders#isSafeValue}.
 *
 * <p>Immutable and thread-safe. Matching allocates nothing.
 */
public final class RequestHeaders {

  private final IdentityHeaders identityHeaders;
  private final String[] consumed;
  private final Map<String, String> toSet;
  private final String[] setNames;

  private RequestHeaders(IdentityHeaders identityHeaders, Set<String> consumed, Map<String, String> toSet) {
    this.identityHeaders = identityHeaders;
    this.consumed = consumed.toArray(String[]::new);
    this.toSet = Collections.unmodifiableMap(new LinkedHashMap<>(toSet));
    this.setNames = toSet.keySet().stream().map(IdentityHeaders::normalize).toArray(String[]::new);
  }

  /**
   * A policy.
   *
   * @param identityHeaders the engine's protected names
   * @param consumed headers the decision consumed, matched case-insensitively
   * @param toSet headers to set, by name, in a stable order; every value already checked
   * @return the policy
   * @throws IllegalArgumentException if a header to set has a bad name or a value {@link IdentityHeaders#isSafeValue}
   *     refuses, since that would be a bug in the engine
   */
  public static RequestHeaders of(IdentityHeaders identityHeaders, Set<String> consumed, Map<String, String> toSet) {
    Objects.requireNonNull(identityHeaders, "identityHeaders");
    Objects.requireNonNull(consumed, "consumed");
    Objects.requireNonNull(toSet, "toSet");
    toSet.forEach(
        (name, value) -> {
          if (!IdentityHeaders.isFieldName(name) || !IdentityHeaders.isSafeValue(value)) {
            throw new IllegalArgumentException("header " + name + " may not be set to this value");
          }
        });
    return new RequestHeaders(identityHeaders, consumed, toSet);
  }

  /**
   * At a hop that forwards (the sidecar): whether a client-sent header must be removed before the request goes on.
   *
   * @param name the header name as received
   * @param connectionValues the values of the request's {@code Connection} headers, as received
   * @return {@code true} for identity and transport headers, routing headers not passed, framing names in a folded
   *     spelling, headers named in {@code Connection:}, headers the engine sets and headers the decision consumed
   */
  public boolean mustRemove(String name, List<String> connectionValues) {
    return identityHeaders.mustStrip(name, connectionValues) || isSet(name) || isConsumed(name);
  }

  /**
   * Whether a client-sent trailer (after a chunked body) must be removed before the request goes on, or hidden from the
   * application: whatever {@link #mustRemove} removes from the header section, and every framing or hop-by-hop name in
   * any spelling, for backends that merge trailers into the headers.
   *
   * @param name the trailer name as received
   * @return {@code true} if the trailer must not reach the application
   */
  public boolean mustRemoveTrailer(String name) {
    return IdentityHeaders.isFramingName(name) || mustRemove(name, List.of());
  }

  /**
   * In an embedded filter: whether the application must not see the client's value of a header. Transport headers
   * ({@code X-Forwarded-For} and the like) are left alone, as they may come from a trusted load balancer in front of
   * the container; the application sees {@link #valueToSet} for the names the engine sets.
   *
   * @param name the header name as asked for
   * @return {@code true} for caller identity headers, routing headers not passed, framing names in a folded spelling,
   *     headers the engine sets and headers the decision consumed
   */
  public boolean mustHide(String name) {
    return identityHeaders.mustHide(name) || isSet(name) || isConsumed(name);
  }

  /**
   * The headers to set, in a stable order.
   *
   * @return name to value; every value passed {@link IdentityHeaders#isSafeValue}
   */
  public Map<String, String> toSet() {
    return toSet;
  }

  /**
   * The value the engine sets for a header, under any spelling of its name.
   *
   * @param name a header name, compared with case, {@code _} and {@code .} folded
   * @return the value, or {@code null} when the engine sets no such header
   */
  public @org.jspecify.annotations.Nullable String valueToSet(String name) {
    String folded = IdentityHeaders.normalize(name);
    int i = 0;
    for (Map.Entry<String, String> header : toSet.entrySet()) {
      if (setNames[i++].equals(folded)) {
        return header.getValue();
      }
    }
    return null;
  }

  private boolean isSet(String name) {
    for (String set : setNames) {
      if (IdentityHeaders.sameFoldedName(set, name)) {
        return true;
      }
    }
    return false;
  }

  private boolean isConsumed(String name) {
    for (String header : consumed) {
      if (header.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RequestHeaders that
        && identityHeaders == that.identityHeaders
        && Set.of(consumed).equals(Set.of(that.consumed))
        && toSet.equals(that.toSet);
  }

  @Override
  public int hashCode() {
    return toSet.hashCode();
  }

  @Override
  public String toString() {
    return "RequestHeaders[set=" + toSet.keySet() + ", consumed=" + List.of(consumed) + "]";
  }
}
