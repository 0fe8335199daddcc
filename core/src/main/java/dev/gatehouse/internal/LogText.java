package dev.gatehouse.internal;

import org.jspecify.annotations.Nullable;

/**
 * Text from outside (a client's user name, a token's {@code kid}, a command-line argument, a parser's message) made safe
 * for one log line or one line of an error message: no line breaks or control characters that could forge another
 * line, and a bounded length, so a hostile value can neither split a log record nor fill the disk.
 */
public final class LogText {

  /** How many characters of a value are shown; the rest is marked {@code ...}. */
  public static final int MAX_SHOWN = 64;

  private LogText() {}

  /**
   * A value from outside, quoted: {@code 'alice'}. Control characters (C0, DEL and C1) become {@code ?} and more than
   * {@value #MAX_SHOWN} characters are cut.
   *
   * @param value the value
   * @return the quoted value
   */
  public static String quote(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_SHOWN) + 5).append('\'');
    appendPrintable(out, value);
    return out.append(value.length() > MAX_SHOWN ? "...'" : "'").toString();
  }

  /**
   * A value from outside, unquoted, as {@link #quote} shows it: for messages that already frame it.
   *
   * @param value the value
   * @return the value with control characters replaced and cut to {@value #MAX_SHOWN} characters
   */
  public static String printable(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_SHOWN) + 3);
    appendPrintable(out, value);
    return value.length() > MAX_SHOWN ? out.append("...").toString() : out.toString();
  }

  /**
   * A message on one line: every run of whitespace, line breaks included, becomes one space.
   *
   * @param message the message, possibly null (exceptions' messages are)
   * @return the message on one line; empty for null
   */
  public static String oneLine(@Nullable String message) {
    return message == null ? "" : message.replaceAll("\\s+", " ").strip();
  }

  /** How many characters of a JSON log field are written by {@link #jsonField(StringBuilder, String, String)}. */
  public static final int MAX_JSON_FIELD = 512;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /**
   * Appends a JSON string field to a one-line JSON log record, {@code "name":"value"} or {@code "name":null}, escaped to
   * printable ASCII: a quote, a backslash, a control character (CR and LF among them) or anything beyond ASCII becomes
   * an escape, so no value from outside (a path, a User-Agent, a user name) can end the line, close the string early or
   * forge a field. Values longer than {@value #MAX_JSON_FIELD} characters are cut and marked {@code ...}.
   *
   * @param line the record being written
   * @param name the field's name, a constant
   * @param value the value, or null
   * @return {@code line}
   */
  public static StringBuilder jsonField(StringBuilder line, String name, @Nullable String value) {
    return jsonField(line, name, value, MAX_JSON_FIELD);
  }

  /**
   * As {@link #jsonField(StringBuilder, String, String)}, with another length limit (a log message or a stack trace
   * may be longer than a request's field).
   *
   * @param line the record being written
   * @param name the field's name, a constant
   * @param value the value, or null
   * @param maxLength how many characters of the value are written
   * @return {@code line}
   */
  public static StringBuilder jsonField(StringBuilder line, String name, @Nullable String value, int maxLength) {
    line.append('"').append(name).append("\":");
    if (value == null) {
      return line.append("null");
    }
    line.append('"');
    int length = Math.min(value.length(), maxLength);
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
    if (value.length() > maxLength) {
      line.append("...");
    }
    return line.append('"');
  }

  private static void appendPrintable(StringBuilder out, String value) {
    for (int i = 0; i < value.length() && i < MAX_SHOWN; i++) {
      char c = value.charAt(i);
      out.append(c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029' ? '?' : c);
    }
  }
}
