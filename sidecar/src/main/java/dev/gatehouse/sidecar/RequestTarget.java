package dev.gatehouse.sidecar;

import java.util.Locale;
import java.util.Optional;

/**
 * The request-target of a request line split into raw path and raw query, nothing decoded: what the engine
 * canonicalizes and decides on. Only origin-form ({@code /path?query}) is accepted, plus absolute-form naming the
 * authority the client also sent as {@code Host} (RFC 9112 section 3.2.2 asks servers to accept it); authority-form
 * (CONNECT), asterisk-form ({@code *}), absolute-form for another authority, a fragment, and characters RFC 3986 does not
 * allow in a path are refused, so no form the engine did not see can reach the upstream.
 *
 * @param path the raw path, starting with {@code /}
 * @param query the raw query without {@code ?}, or {@code null} when there is none
 */
record RequestTarget(String path, String query) {

  /**
   * Parses a target.
   *
   * @param target the request-target as received
   * @param host the request's {@code Host}, or {@code null}
   * @return the target, or empty when it must be answered with 400
   */
  static Optional<RequestTarget> parse(String target, String host) {
    String originForm = target;
    if (!target.startsWith("/")) {
      int schemeEnd = target.indexOf("://");
      if (schemeEnd < 0) {
        return Optional.empty();
      }
      String scheme = target.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
      int pathStart = target.indexOf('/', schemeEnd + 3);
      String authority = target.substring(schemeEnd + 3, pathStart < 0 ? target.length() : pathStart);
      if (!(scheme.equals("http") || scheme.equals("https")) || host == null || !authority.equalsIgnoreCase(host)) {
        return Optional.empty();
      }
      originForm = pathStart < 0 ? "/" : target.substring(pathStart);
    }
    int question = originForm.indexOf('?');
    String path = question < 0 ? originForm : originForm.substring(0, question);
    String query = question < 0 ? null : originForm.substring(question + 1);
    if (!validPath(path) || (query != null && !validQuery(query))) {
      return Optional.empty();
    }
    return Optional.of(new RequestTarget(path, query));
  }

  /**
   * RFC 3986 {@code pchar} and {@code /}: unreserved, sub-delims, {@code :}, {@code @} and {@code %}; the engine then
   * judges the encodings. {@code \}, {@code |}, braces, quotes, spaces, controls and non-ASCII are refused here, as
   * Jetty did.
   */
  private static boolean validPath(String path) {
    for (int i = 0; i < path.length(); i++) {
      if (!isPathChar(path.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Queries are the application's; only what cannot stand on a request line, and a fragment, is refused. */
  private static boolean validQuery(String query) {
    for (int i = 0; i < query.length(); i++) {
      char c = query.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        return false;
      }
    }
    return true;
  }

  private static boolean isPathChar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return true;
    }
    return switch (c) {
      case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@', '%', '/' -> true;
      default -> false;
    };
  }

  /** The target to send upstream: the engine's canonical path and the client's query exactly as received. */
  static String forwarded(String canonicalPath, String query) {
    return query == null ? canonicalPath : canonicalPath + '?' + query;
  }
}
