package dev.gatehouse;

import dev.gatehouse.http.IdentityHeaders;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The one place where what an authenticator said becomes something HTTP carries: a header value or a {@code
 * Principal} name. Every authenticator's identity passes here, built-in or custom, so no authenticator can get a value
 * past {@link IdentityHeaders#isSafeValue} by forgetting to check it.
 *
 * <p>What fails: a name makes the request a 401 (an identity that cannot be named cannot be let in under another
 * name); a group ({@link IdentityHeaders#isSafeListElement}), an e-mail address or an extra header is dropped, which
 * only ever takes information, and so rights, away.
 */
final class IdentityBoundary {

  private IdentityBoundary() {}

  /**
   * The identity with what may not pass dropped, or {@code null} if its name may not pass. The same instance when
   * nothing is dropped, so a cached identity costs no allocation.
   */
  static @Nullable Identity admit(Identity identity) {
    if (!IdentityHeaders.isSafeValue(identity.name())) {
      return null;
    }
    boolean groupsSafe = true;
    for (String group : identity.groups()) {
      groupsSafe &= IdentityHeaders.isSafeListElement(group);
    }
    Object email = identity.attributes().get(Identity.EMAIL);
    boolean emailSafe = email == null || (email instanceof String text && IdentityHeaders.isSafeValue(text));
    if (groupsSafe && emailSafe) {
      return identity;
    }
    Set<String> groups = new LinkedHashSet<>();
    for (String group : identity.groups()) {
      if (IdentityHeaders.isSafeListElement(group)) {
        groups.add(group);
      }
    }
    Map<String, Object> attributes = new LinkedHashMap<>(identity.attributes());
    if (!emailSafe) {
      attributes.remove(Identity.EMAIL);
    }
    return new Identity(identity.name(), identity.authenticationMethod(), groups, attributes);
  }

  /** Adds an authenticator's extra headers that may pass: a field name and a safe value. */
  static void addHeaders(Map<String, String> headers, Map<String, String> extra) {
    extra.forEach(
        (name, value) -> {
          if (IdentityHeaders.isFieldName(name) && IdentityHeaders.isSafeValue(value)) {
            headers.put(name, value);
          }
        });
  }

  /** Adds a header the engine itself formats (XFCC), if its value may pass. */
  static void addHeader(Map<String, String> headers, String name, String value) {
    if (IdentityHeaders.isSafeValue(value)) {
      headers.put(name, value);
    }
  }
}
