package dev.gatehouse.authz;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Istio's string match: each pattern is exact, {@code prefix*}, {@code *suffix} or {@code *} (anything). A {@code *}
 * anywhere else is refused at compile time, since a reader would take it for a glob it is not.
 */
final class ValueMatcher {

  private final Set<String> exact;
  private final String[] prefixes;
  private final String[] suffixes;
  private final boolean any;
  private final boolean ignoreCase;

  private ValueMatcher(Set<String> exact, String[] prefixes, String[] suffixes, boolean any, boolean ignoreCase) {
    this.exact = exact;
    this.prefixes = prefixes;
    this.suffixes = suffixes;
    this.any = any;
    this.ignoreCase = ignoreCase;
  }

  /**
   * @throws IllegalArgumentException naming the index of a pattern with a {@code *} in the middle
   */
  static ValueMatcher compile(List<String> patterns, boolean ignoreCase) {
    Set<String> exact = new HashSet<>();
    List<String> prefixes = new ArrayList<>();
    List<String> suffixes = new ArrayList<>();
    boolean any = false;
    for (int i = 0; i < patterns.size(); i++) {
      String pattern = ignoreCase ? patterns.get(i).toLowerCase(java.util.Locale.ROOT) : patterns.get(i);
      if (pattern.equals("*")) {
        any = true;
      } else if (pattern.endsWith("*") && pattern.indexOf('*') == pattern.length() - 1) {
        prefixes.add(pattern.substring(0, pattern.length() - 1));
      } else if (pattern.startsWith("*") && pattern.lastIndexOf('*') == 0) {
        suffixes.add(pattern.substring(1));
      } else if (pattern.indexOf('*') < 0) {
        exact.add(pattern);
      } else {
        throw new PatternException(i, "* is allowed only alone, at the start or at the end, found " + pattern);
      }
    }
    return new ValueMatcher(Set.copyOf(exact), prefixes.toArray(String[]::new), suffixes.toArray(String[]::new), any, ignoreCase);
  }

  boolean matches(String value) {
    if (any) {
      return true;
    }
    if (ignoreCase) {
      value = value.toLowerCase(java.util.Locale.ROOT);
    }
    if (!exact.isEmpty() && exact.contains(value)) {
      return true;
    }
    for (String prefix : prefixes) {
      if (value.startsWith(prefix)) {
        return true;
      }
    }
    for (String suffix : suffixes) {
      if (value.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  boolean matchesAny(Collection<String> values) {
    if (values.isEmpty()) {
      return false;
    }
    if (any) {
      return true;
    }
    for (String value : values) {
      if (matches(value)) {
        return true;
      }
    }
    return false;
  }

  /** A bad pattern, with its index in the list so that the message can name {@code key[i]}. */
  static final class PatternException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    final int index;

    PatternException(int index, String message) {
      super(message);
      this.index = index;
    }
  }
}
