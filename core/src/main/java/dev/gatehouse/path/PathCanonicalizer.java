package dev.gatehouse.path;

/**
 * The one function that decides which path authorization rules see and the upstream receives.
 *
 * <p>Path-based rules were bypassed again and again because the rule matched one form of a path while the application
 * served another ({@code ..;/} on Tomcat, encoded slashes, trailing dots and slashes, fragments). Here the form that is
 * matched is the form that is forwarded, and whatever cannot be put in one unambiguous form is refused:
 *
 * <ul>
 *   <li>percent-encoded characters that may also stand unencoded in a path are decoded: the unreserved ones ({@code
 *       A-Z a-z 0-9 - . _ ~}), so {@code %2e%2e} is {@code ..}, and {@code ! $ & ' ( ) * + , = : @}, so {@code %3A} is
 *       {@code :}; any other percent-encoding is kept, in upper case;
 *   <li>empty segments are merged ({@code //a} is {@code /a}), {@code .} segments are dropped and {@code ..} segments
 *       remove the segment before them, as in RFC 3986's {@code remove_dot_segments};
 *   <li>refused with a reason: anything not starting with {@code /} (absolute-form and authority-form targets, {@code
 *       *}); {@code ..} climbing above the root; an encoded {@code /} or {@code \}; a raw {@code \}; {@code ;} (path
 *       parameters, which Tomcat strips before it resolves {@code ..}); {@code #} (a fragment); {@code %00} and every
 *       control character, raw or encoded; a raw space or non-ASCII character; malformed percent-encoding; a doubly
 *       encoded byte such as {@code %252e}, which an application that decodes twice would read as {@code .}; encoded
 *       bytes that are not valid UTF-8 (overlong forms such as {@code %c0%ae} included); whitespace at either end of
 *       a decoded segment ({@code /admin%20}, {@code /%20admin}, {@code %C2%A0}, {@code %E3%80%80}, {@code %EF%BB%BF}
 *       and every other Unicode space or invisible format character), which routers that trim segments (older
 *       Spring {@code AntPathMatcher}, Shiro) would serve as {@code /admin}; and paths over {@value #MAX_LENGTH}
 *       characters.
 * </ul>
 *
 * <p>Case is significant: {@code /ADMIN} is not {@code /admin}, as in Istio and every servlet container. The function is
 * idempotent, never throws for any input, and does not allocate when the path is already canonical.
 */
public final class PathCanonicalizer {

  /** Longer paths are refused; Jetty's and Tomcat's default request-line limits are of the same order. */
  public static final int MAX_LENGTH = 8192;

  private static final CanonicalPath.Valid ROOT = new CanonicalPath.Valid("/");

  private PathCanonicalizer() {}

  /**
   * Canonicalizes a raw request path.
   *
   * @param raw the path as received on the request line, without query string, not decoded
   * @return the canonical path, or why there is none
   */
  public static CanonicalPath canonicalize(String raw) {
    if (raw == null || raw.isEmpty()) {
      return new CanonicalPath.Rejected("empty path");
    }
    if (raw.length() > MAX_LENGTH) {
      return new CanonicalPath.Rejected("path longer than " + MAX_LENGTH + " characters");
    }
    if (raw.charAt(0) != '/') {
      return new CanonicalPath.Rejected("not an origin-form path (absolute-form, authority-form and * are refused)");
    }
    if (raw.length() == 1) {
      return ROOT;
    }
    if (isCanonical(raw)) {
      return new CanonicalPath.Valid(raw);
    }
    return slowPath(raw);
  }

  /** One scan that recognises the common case: only plain path characters, no dot segment, no empty segment. */
  private static boolean isCanonical(String raw) {
    char previous = '/';
    int segmentStart = 1;
    int length = raw.length();
    for (int i = 1; i < length; i++) {
      char c = raw.charAt(i);
      if (c == '/') {
        if (previous == '/' || isDotSegment(raw, segmentStart, i)) {
          return false;
        }
        segmentStart = i + 1;
      } else if (c >= 0x80 || !PLAIN[c]) {
        return false;
      }
      previous = c;
    }
    return !isDotSegment(raw, segmentStart, length);
  }

  private static boolean isDotSegment(CharSequence path, int start, int end) {
    int n = end - start;
    return (n == 1 && path.charAt(start) == '.') || (n == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.');
  }

  private static CanonicalPath slowPath(String raw) {
    // Pass 1: decode unreserved characters, normalise the rest of the encodings, refuse what is ambiguous.
    StringBuilder decoded = new StringBuilder(raw.length());
    int length = raw.length();
    for (int i = 0; i < length; i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= length) {
          return new CanonicalPath.Rejected("malformed percent-encoding");
        }
        if (!isHex(raw.charAt(i + 1)) || !isHex(raw.charAt(i + 2))) {
          return new CanonicalPath.Rejected("malformed percent-encoding");
        }
        int b = Character.digit(raw.charAt(i + 1), 16) << 4 | Character.digit(raw.charAt(i + 2), 16);
        if (b >= 0x80) {
          int consumed = utf8Sequence(raw, i, b, decoded);
          if (consumed < 0) {
            return new CanonicalPath.Rejected("encoded bytes that are not valid UTF-8");
          }
          i += consumed - 1;
          continue;
        }
        if (b == '/' || b == '\\') {
          return new CanonicalPath.Rejected("encoded / or \\ in the path");
        }
        if (b < 0x20 || b == 0x7f) {
          return new CanonicalPath.Rejected("encoded control character in the path");
        }
        if (PLAIN[b]) {
          // Servers decode %3A to ':' as they decode %61 to 'a': a rule on *:delete must see /x%3Adelete as /x:delete.
          decoded.append((char) b);
        } else {
          appendEncoded(decoded, b);
        }
        i += 2;
      } else if (c < 0x80 && PLAIN[c]) {
        decoded.append(c);
      } else if (c == '/') {
        decoded.append(c);
      } else {
        return new CanonicalPath.Rejected(refusal(c));
      }
    }
    // An encoded % followed by two hex digits, once decoded, is a second encoding an application might decode again:
    // %252e would become %2e and then '.'. Checked on the decoded form, since %25%61b turns into %25ab only there.
    for (int i = decoded.indexOf("%25"); i >= 0; i = decoded.indexOf("%25", i + 1)) {
      if (i + 4 < decoded.length() && isHex(decoded.charAt(i + 3)) && isHex(decoded.charAt(i + 4))) {
        return new CanonicalPath.Rejected("doubly percent-encoded byte in the path");
      }
    }
    // Pass 2: remove empty and dot segments. Decoding never produced a '/', so segments are those of the raw path.
    StringBuilder out = new StringBuilder(decoded.length());
    int n = decoded.length();
    int start = 1;
    while (start <= n) {
      int end = indexOf(decoded, '/', start);
      boolean last = end < 0;
      if (last) {
        end = n;
      }
      int segmentLength = end - start;
      if (segmentLength == 0) {
        // An empty segment: merged, except that a final one keeps the trailing slash.
        if (last && out.length() > 0) {
          out.append('/');
        }
      } else if (segmentLength == 1 && decoded.charAt(start) == '.') {
        if (last) {
          out.append('/');
        }
      } else if (segmentLength == 2 && decoded.charAt(start) == '.' && decoded.charAt(start + 1) == '.') {
        if (out.length() == 0) {
          return new CanonicalPath.Rejected(".. above the root of the path");
        }
        out.setLength(out.lastIndexOf("/"));
        if (last) {
          out.append('/');
        }
      } else {
        if (decoded.charAt(start) == '%' || (segmentLength >= 3 && decoded.charAt(end - 3) == '%')) {
          if (isTrimmed(firstCodePoint(decoded, start)) || isTrimmed(lastCodePoint(decoded, start, end))) {
            return new CanonicalPath.Rejected("whitespace at the start or end of a path segment");
          }
        }
        out.append('/').append(decoded, start, end);
      }
      start = end + 1;
    }
    if (out.length() == 0) {
      return ROOT;
    }
    return new CanonicalPath.Valid(out.toString());
  }

  /**
   * Whether a router that trims path segments would drop this character: ASCII space, every Unicode space separator,
   * line and paragraph separator ({@code Character.isWhitespace} and {@code isSpaceChar}), and the invisible format
   * characters that {@code String.trim} in other languages (JavaScript, .NET) or a normalising router removes too.
   * Control characters are refused before this is asked; they are listed for completeness.
   */
  private static boolean isTrimmed(int codePoint) {
    return codePoint <= 0x20
        || codePoint == 0x7f
        || Character.isWhitespace(codePoint)
        || Character.isSpaceChar(codePoint)
        || codePoint == 0x180e
        || (codePoint >= 0x200b && codePoint <= 0x200d)
        || codePoint == 0x2060
        || codePoint == 0xfeff;
  }

  /** The code point a segment of the decoded form starts with; a plain character is itself, an escape is decoded. */
  private static int firstCodePoint(CharSequence decoded, int start) {
    if (decoded.charAt(start) != '%') {
      return decoded.charAt(start);
    }
    return codePointAt(decoded, start);
  }

  /** The code point a segment ends with; escapes in the decoded form were checked as UTF-8 in pass 1. */
  private static int lastCodePoint(CharSequence decoded, int start, int end) {
    if (end - start < 3 || decoded.charAt(end - 3) != '%') {
      return decoded.charAt(end - 1);
    }
    int at = end - 3;
    // Walk back over continuation bytes (10xxxxxx) to the lead byte of the sequence.
    while (at - 3 >= start && (escapedByte(decoded, at) & 0xc0) == 0x80 && decoded.charAt(at - 3) == '%') {
      at -= 3;
    }
    return codePointAt(decoded, at);
  }

  private static int codePointAt(CharSequence decoded, int at) {
    int first = escapedByte(decoded, at);
    if (first < 0x80) {
      return first;
    }
    int count = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : 2;
    int codePoint = first & (0xff >> (count + 1));
    for (int k = 1; k < count; k++) {
      codePoint = codePoint << 6 | (escapedByte(decoded, at + 3 * k) & 0x3f);
    }
    return codePoint;
  }

  private static int escapedByte(CharSequence decoded, int at) {
    return Character.digit(decoded.charAt(at + 1), 16) << 4 | Character.digit(decoded.charAt(at + 2), 16);
  }

  private static String refusal(char c) {
    return switch (c) {
      case '\\' -> "\\ in the path";
      case ';' -> "; (path parameter) in the path";
      case '#' -> "fragment in the request target";
      case '?' -> "? in the path";
      case '%' -> "malformed percent-encoding";
      default -> {
        if (c < 0x20 || c == 0x7f) {
          yield "control character in the path";
        }
        if (c >= 0x80) {
          yield "raw non-ASCII character in the path; percent-encode it";
        }
        yield "character 0x" + Integer.toHexString(c) + " not allowed unencoded in a path";
      }
    };
  }

  /**
   * Checks one UTF-8 sequence of percent-encoded bytes starting at {@code index} and appends it, re-encoded in upper
   * case. Refuses overlong forms, surrogates, code points above U+10FFFF and truncated sequences.
   *
   * @return the number of characters consumed, or -1 if the bytes are not valid UTF-8
   */
  private static int utf8Sequence(String raw, int index, int first, StringBuilder out) {
    int count;
    int min;
    int codePoint;
    if (first >= 0xc2 && first <= 0xdf) {
      count = 2;
      min = 0x80;
      codePoint = first & 0x1f;
    } else if (first >= 0xe0 && first <= 0xef) {
      count = 3;
      min = 0x800;
      codePoint = first & 0x0f;
    } else if (first >= 0xf0 && first <= 0xf4) {
      count = 4;
      min = 0x10000;
      codePoint = first & 0x07;
    } else {
      return -1;
    }
    if (index + count * 3 > raw.length()) {
      return -1;
    }
    for (int k = 1; k < count; k++) {
      int at = index + k * 3;
      if (raw.charAt(at) != '%' || !isHex(raw.charAt(at + 1)) || !isHex(raw.charAt(at + 2))) {
        return -1;
      }
      int b = Character.digit(raw.charAt(at + 1), 16) << 4 | Character.digit(raw.charAt(at + 2), 16);
      if ((b & 0xc0) != 0x80) {
        return -1;
      }
      codePoint = codePoint << 6 | (b & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      return -1;
    }
    // C1 control characters are as dangerous in logs and headers as C0 ones.
    if (codePoint >= 0x80 && codePoint <= 0x9f) {
      return -1;
    }
    for (int k = 0; k < count; k++) {
      int at = index + k * 3;
      appendEncoded(out, Character.digit(raw.charAt(at + 1), 16) << 4 | Character.digit(raw.charAt(at + 2), 16));
    }
    return count * 3;
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static void appendEncoded(StringBuilder out, int b) {
    out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
  }

  private static int indexOf(CharSequence text, char c, int from) {
    for (int i = from; i < text.length(); i++) {
      if (text.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
  }

  /**
   * Characters that may appear unencoded in a canonical path segment: RFC 3986's pchar without {@code %} and {@code ;}.
   * {@code %} is handled by the decoder and {@code ;} is refused.
   */
  private static final boolean[] PLAIN = new boolean[128];

  static {
    for (int c = 0; c < 128; c++) {
      PLAIN[c] = isUnreserved(c);
    }
    for (char c : "!$&'()*+,=:@".toCharArray()) {
      PLAIN[c] = true;
    }
  }
}
