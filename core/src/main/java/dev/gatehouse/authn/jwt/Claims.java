package dev.gatehouse.authn.jwt;

import dev.gatehouse.http.IdentityHeaders;
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
   * Which names may become part of {@code X-Forwarded-Groups} is the engine's boundary to decide ({@link
   * IdentityHeaders#isSafeListElement}); it drops the others, which only ever takes rights away.
   */
  static Set<String> groups(@Nullable Object value) {
    Set<String> groups = new LinkedHashSet<>();
    if (value instanceof String text) {
      for (String name : text.split(" +")) {
        if (!name.isEmpty()) {
          groups.add(name);
        }
      }
    } else if (value instanceof Collection<?> list) {
      for (Object item : list) {
        if (item instanceof String || item instanceof Number || item instanceof Boolean) {
          groups.add(String.valueOf(item));
        }
      }
    }
    return groups;
  }

  /**
   * A claim as a header value: strings as they are, numbers and booleans printed, lists joined with commas. Empty for
   * objects, for values over 4 KiB, and for a list with an element that could not be one element of a comma-separated
   * header ({@code ["a,b"]} would read as {@code ["a", "b"]}); whether the whole value may be sent is the engine's
   * boundary to decide ({@link IdentityHeaders#isSafeValue}).
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
          if (!IdentityHeaders.isSafeListElement(part)) {
            return null;
          }
          parts.add(part);
        }
      }
      text = String.join(",", parts);
    } else {
      return null;
    }
    return text.isEmpty() || text.length() > 4096 ? null : text;
  }
}
