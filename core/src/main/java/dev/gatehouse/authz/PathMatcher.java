package dev.gatehouse.authz;

import dev.gatehouse.path.CanonicalPath;
import dev.gatehouse.path.PathCanonicalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Matches canonical paths against {@code to.paths} patterns without regular expressions, so that no hostile path can
 * make matching slow: every form is a hash lookup or one linear scan.
 *
 * <ul>
 *   <li>{@code /exact}: that path only ({@code /admin} is not {@code /admin/});
 *   <li>{@code /prefix/*}: {@code /prefix} itself and everything below it;
 *   <li>{@code *suffix}: every path ending in {@code suffix}; {@code *}: every path;
 *   <li>templates: {@code {*}} stands for one non-empty segment, {@code {**}} (at most one per pattern) for any number
 *       of segments, none included, as in {@code /api/{*}/orders} or {@code /files/{**}}.
 * </ul>
 *
 * <p>Patterns are written in canonical form, which is checked: {@code /a/../b} or {@code /a;b} could never match.
 */
final class PathMatcher {

  private static final String ONE = "{*}";
  private static final String MANY = "{**}";

  private final Set<String> exact;
  private final String[] prefixes;
  private final String[] suffixes;
  private final boolean any;
  private final Template[] templates;

  private PathMatcher(Set<String> exact, String[] prefixes, String[] suffixes, boolean any, Template[] templates) {
    this.exact = exact;
    this.prefixes = prefixes;
    this.suffixes = suffixes;
    this.any = any;
    this.templates = templates;
  }

  static PathMatcher compile(List<String> patterns) {
    Set<String> exact = new HashSet<>();
    List<String> prefixes = new ArrayList<>();
    List<String> suffixes = new ArrayList<>();
    List<Template> templates = new ArrayList<>();
    boolean any = false;
    for (int i = 0; i < patterns.size(); i++) {
      String pattern = patterns.get(i);
      if (pattern.equals("*")) {
        any = true;
      } else if (pattern.startsWith("*")) {
        String suffix = pattern.substring(1);
        if (suffix.indexOf('*') >= 0 || suffix.indexOf('{') >= 0) {
          throw new ValueMatcher.PatternException(i, "a *suffix pattern has no other wildcard, found " + pattern);
        }
        requireCanonical(i, pattern, suffix.startsWith("/") ? suffix : "/" + suffix, true);
        suffixes.add(suffix);
      } else if (!pattern.startsWith("/")) {
        throw new ValueMatcher.PatternException(i, "must start with / or *, found " + pattern);
      } else if (pattern.indexOf('{') >= 0) {
        templates.add(Template.compile(i, pattern));
      } else if (pattern.endsWith("/*")) {
        String prefix = pattern.substring(0, pattern.length() - 1);
        if (prefix.indexOf('*') >= 0) {
          throw new ValueMatcher.PatternException(i, "* is allowed only as /prefix/* or *suffix; use {*} for one segment, found " + pattern);
        }
        requireCanonical(i, pattern, prefix, false);
        prefixes.add(prefix);
        if (prefix.length() > 1) {
          exact.add(prefix.substring(0, prefix.length() - 1));
        }
      } else if (pattern.indexOf('*') >= 0) {
        throw new ValueMatcher.PatternException(i, "* is allowed only as /prefix/* or *suffix; use {*} for one segment, found " + pattern);
      } else {
        requireCanonical(i, pattern, pattern, false);
        exact.add(pattern);
      }
    }
    return new PathMatcher(
        Set.copyOf(exact), prefixes.toArray(String[]::new), suffixes.toArray(String[]::new), any, templates.toArray(Template[]::new));
  }

  private static void requireCanonical(int index, String pattern, String path, boolean allowDotStart) {
    CanonicalPath canonical = PathCanonicalizer.canonicalize(path);
    if (canonical instanceof CanonicalPath.Rejected rejected) {
      throw new ValueMatcher.PatternException(index, "can never match, since requests with it are refused (" + rejected.reason() + "): " + pattern);
    }
    String form = ((CanonicalPath.Valid) canonical).path();
    if (!form.equals(path) && !(allowDotStart && path.startsWith("/."))) {
      throw new ValueMatcher.PatternException(index, "not in canonical form, so it could never match; write " + form + " instead of " + pattern);
    }
  }

  boolean matches(String path) {
    if (any) {
      return true;
    }
    if (!exact.isEmpty() && exact.contains(path)) {
      return true;
    }
    for (String prefix : prefixes) {
      if (path.startsWith(prefix)) {
        return true;
      }
    }
    for (String suffix : suffixes) {
      if (path.endsWith(suffix)) {
        return true;
      }
    }
    for (Template template : templates) {
      if (template.matches(path)) {
        return true;
      }
    }
    return false;
  }

  /** A pattern split into segments; {@code null} elements stand for {@code {*}}, {@link #many} marks {@code {**}}. */
  private static final class Template {
    private final String[] head;
    private final String[] tail;
    private final boolean many;

    private Template(String[] head, String[] tail, boolean many) {
      this.head = head;
      this.tail = tail;
      this.many = many;
    }

    static Template compile(int index, String pattern) {
      String[] segments = pattern.substring(1).split("/", -1);
      List<String> head = new ArrayList<>();
      List<String> tail = new ArrayList<>();
      boolean many = false;
      StringBuilder literalForm = new StringBuilder();
      for (String segment : segments) {
        if (segment.equals(MANY)) {
          if (many) {
            throw new ValueMatcher.PatternException(index, "{**} may appear only once, found " + pattern);
          }
          many = true;
          literalForm.append("/x");
          continue;
        }
        if (segment.indexOf('{') >= 0 || segment.indexOf('}') >= 0 || segment.indexOf('*') >= 0) {
          if (!segment.equals(ONE)) {
            throw new ValueMatcher.PatternException(index, "{*} and {**} must each be a whole segment, found " + pattern);
          }
          literalForm.append("/x");
        } else {
          literalForm.append('/').append(segment);
        }
        (many ? tail : head).add(segment.equals(ONE) ? null : segment);
      }
      requireCanonical(index, pattern, literalForm.toString(), false);
      return new Template(head.toArray(String[]::new), tail.toArray(String[]::new), many);
    }

    /** Walks the path once: head segments from the left, tail segments from the right, {{**}} takes the rest. */
    boolean matches(String path) {
      int length = path.length();
      int position = 1;
      for (int k = 0; k < head.length; k++) {
        if (position > length) {
          return false;
        }
        int end = path.indexOf('/', position);
        if (end < 0) {
          end = length;
        }
        if (!segmentMatches(head[k], path, position, end)) {
          return false;
        }
        position = end + 1;
      }
      if (!many) {
        return position == length + 1;
      }
      // Tail from the right; its segments must lie at or after position.
      int end = length;
      for (int k = tail.length - 1; k >= 0; k--) {
        int start = path.lastIndexOf('/', end - 1) + 1;
        if (end < position || start < position) {
          return false;
        }
        if (!segmentMatches(tail[k], path, start, end)) {
          return false;
        }
        end = start - 1;
      }
      return true;
    }

    private static boolean segmentMatches(String literal, String path, int start, int end) {
      if (literal == null) {
        return end > start;
      }
      return end - start == literal.length() && path.regionMatches(start, literal, 0, literal.length());
    }
  }
}
