package dev.gatehouse.sidecar;

/**
 * JSON string fields for the sidecar's log lines, escaped to printable ASCII: a quote, a backslash, a control
 * character (CR and LF among them) or anything beyond ASCII becomes an escape, so no value a client sent (a path, a
 * User-Agent) can end a line, close a string early or forge a field. Values are cut at {@value #MAX_FIELD} characters.
 */
final class JsonText {

  static final int MAX_FIELD = 512;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonText() {}

  /** Appends {@code "name":"value"}, or {@code "name":null}. */
  static StringBuilder field(StringBuilder line, String name, String value) {
    line.append('"').append(name).append("\":");
    if (value == null) {
      return line.append("null");
    }
    line.append('"');
    int length = Math.min(value.length(), MAX_FIELD);
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        line.append('\\').append(c);
      } else if (c < 0x20 || c >= 0x7f) {
        line.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
      } else {
        line.append(c);
      }
    }
    if (value.length() > MAX_FIELD) {
      line.append("...");
    }
    return line.append('"');
  }
}
