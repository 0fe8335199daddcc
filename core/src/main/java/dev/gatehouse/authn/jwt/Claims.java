package dev.gatehouse.authn.jwt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Verified claims as plain Java values, and the dotted-path lookups that groups and claim headers use. */
final class Claims {

  private Claims() {}

  /** A deep, immutable copy with JSON nulls dropped: maps, lists, strings, numbers and booleans only. */
  @SuppressWarnings("unchecked")
  static @Nullable Object plain(@Nullable Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach(
          (key, child) -> {
            Object plainChild = plain(child);
            if (key != null && plainChild != null) {
              copy.put(String.valueOf(key), plainChild);
            }
          });
      return java.util.Collections.unmodifiableMap(copy);
    }
    if (value instanceof Collection<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object item : list) {
        Object plainItem = plain(item);
        if (plainItem != null) {
          copy.add(plainItem);
        }
      }
      return List.copyOf(copy);
    }
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value instanceof java.util.Date date) {
      return date.getTime() / 1000;
    }
    return value == null ? null : String.valueOf(value);
  }

  /**
   * The value at a path: the claim of that exact name if there is one (Auth0's namespaced claims such as {@code
   * https://example.com/roles} contain dots), else the dotted path through nested objects ({@code realm_access.roles}).
   */
  static @Nullable Object at(Map<String, Object> claims, String path) {
    Object exact = claims.get(path);
    if (exact != null) {
      return exact;
    }
    Object current = claims;
    for (String part : path.split("\\.", -1)) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(part);
    }
    return current;
  }

  /**
   * Groups from a claim value: a list of strings, or one string of space-separated names ({@code scope}, {@code scp}).
   * A name with a comma, a control character or surrounding whitespace is dropped: {@code X-Forwarded-Groups} is
   * comma-separated, so {@code "ops,admin"} would read as two groups upstream, and {@code " admin"} as {@code admin}
   * (whitespace around a list element is not part of it). Dropping a group only ever takes rights away.
   */
  static Set<String> groups(@Nullable Object value) {
    Set<String> groups = new LinkedHashSet<>();
    if (value instanceof String text) {
      for (String name : text.split(" +")) {
        addGroup(groups, name);
      }
    } else if (value instanceof Collection<?> list) {
      for (Object item : list) {
        if (item instanceof String || item instanceof Number || item instanceof Boolean) {
          addGroup(groups, String.valueOf(item));
        }
      }
    }
    return groups;
  }

  private static void addGroup(Set<String> groups, String name) {
    if (!name.isEmpty() && name.indexOf(',') < 0 && isHeaderSafe(name) && name.equals(name.strip())) {
      groups.add(name);
    }
  }

  /**
   * Whether a value can go into a header as it is: no control characters, which could split or smuggle headers, and
   * nothing beyond ISO-8859-1, which a header cannot carry (Jetty writes it as a space: {@code "admin\u0100"} would
   * arrive as {@code admin}).
   */
  static boolean isHeaderSafe(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || c > 0xff) {
        return false;
      }
    }
    return true;
  }

  /**
   * A claim as a header value: strings as they are, numbers and booleans printed, lists joined with commas. Empty for
   * objects and for anything with a control character, which could split or smuggle headers; and for a value that
   * would read differently upstream: one with surrounding whitespace (HTTP drops it), or a list with an element that
   * holds a comma or surrounding whitespace ({@code ["a,b"]} would read as {@code ["a", "b"]}).
   */
  static @Nullable String headerValue(@Nullable Object value) {
    String text;
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      text = String.valueOf(value);
    } else if (value instanceof Collection<?> list) {
      List<String> parts = new ArrayList<>();
      for (Object item : list) {
        if (item instanceof String || item instanceof Number || item instanceof Boolean) {
          String part = String.valueOf(item);
          if (part.indexOf(',') >= 0 || !part.equals(part.strip())) {
            return null;
          }
          parts.add(part);
        }
      }
      text = String.join(",", parts);
    } else {
      return null;
    }
    return text.isEmpty() || text.length() > 4096 || !isHeaderSafe(text) || !text.equals(text.strip()) ? null : text;
  }
}
