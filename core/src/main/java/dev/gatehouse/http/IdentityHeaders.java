package dev.gatehouse.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The request headers through which an upstream learns who the caller is, and the rule that keeps clients from
 * forging them.
 *
 * <p>The sidecar sets {@code X-Forwarded-User} and friends itself; any such header arriving from the client must be
 * removed first, or a client could simply claim to be {@code admin}. Many backends (CGI, PHP, Django, some Node
 * frameworks) fold {@code _} and {@code .} into {@code -} and ignore case, so {@code x_forwarded_user} reaches them as
 * {@code X-Forwarded-User}: names are therefore compared case-insensitively with {@code _} and {@code .} treated as
 * {@code -}. A header the client names in {@code Connection:} is removed too, whatever it is, so a client cannot use
 * hop-by-hop semantics to smuggle or suppress one.
 *
 * <p>Instances are immutable and thread-safe. Matching allocates nothing.
 */
public final class IdentityHeaders {

  /** The authenticated principal name. */
  public static final String USER = "X-Forwarded-User";
  /** The caller's e-mail address, when the authentication method knows it. */
  public static final String EMAIL = "X-Forwarded-Email";
  /** The caller's groups, comma-separated. */
  public static final String GROUPS = "X-Forwarded-Groups";
  /** The verified client certificate, in Envoy's XFCC format. */
  public static final String CLIENT_CERT = "X-Forwarded-Client-Cert";
  /** The client address chain. */
  public static final String FOR = "X-Forwarded-For";
  /** The scheme the client used. */
  public static final String PROTO = "X-Forwarded-Proto";
  /** The host the client asked for. */
  public static final String HOST = "X-Forwarded-Host";

  /**
   * Headers no client may set. DESIGN's list, plus the names other proxies (oauth2-proxy, Apache, nginx, RFC 7239) use
   * for the same facts, since a backend written for one of those may read them.
   */
  private static final List<String> BUILT_IN =
      List.of(
          USER,
          EMAIL,
          GROUPS,
          CLIENT_CERT,
          FOR,
          PROTO,
          HOST,
          "X-Forwarded-Port",
          "X-Forwarded-Prefix",
          "X-Forwarded-Preferred-Username",
          "X-Forwarded-Access-Token",
          "Forwarded",
          "X-Real-Ip",
          "X-Remote-User",
          "Remote-User",
          "X-Auth-Request-User",
          "X-Auth-Request-Email",
          "X-Auth-Request-Groups",
          "X-Auth-Request-Preferred-Username",
          "X-Auth-Request-Access-Token",
          "X-Client-Cert",
          "X-Ssl-Client-Cert");

  private static final IdentityHeaders DEFAULTS = new IdentityHeaders(List.of());

  private final String[] normalized;

  private IdentityHeaders(Collection<String> extra) {
    List<String> all = new ArrayList<>(BUILT_IN);
    all.addAll(extra);
    this.normalized = all.stream().map(IdentityHeaders::normalize).distinct().toArray(String[]::new);
  }

  /**
   * The built-in set.
   *
   * @return the shared instance
   */
  public static IdentityHeaders defaults() {
    return DEFAULTS;
  }

  /**
   * The built-in set plus headers the configuration sends upstream (claim headers, for example).
   *
   * @param extra further header names to protect
   * @return a new instance
   */
  public static IdentityHeaders withExtra(Collection<String> extra) {
    Objects.requireNonNull(extra, "extra");
    return extra.isEmpty() ? DEFAULTS : new IdentityHeaders(extra);
  }

  /**
   * Whether a client-sent header must be removed before the request goes upstream.
   *
   * @param name a header name as received
   * @param connectionValues the values of the request's {@code Connection} headers, as received
   * @return {@code true} if the header is an identity header or is named in {@code Connection:}
   */
  public boolean mustStrip(String name, List<String> connectionValues) {
    for (String candidate : normalized) {
      if (sameName(candidate, name, 0, name.length())) {
        return true;
      }
    }
    for (int i = 0; i < connectionValues.size(); i++) {
      if (namedIn(connectionValues.get(i), name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a header name is an identity header, ignoring {@code Connection:}.
   *
   * @param name a header name as received
   * @return {@code true} if the header must never come from a client
   */
  public boolean isIdentityHeader(String name) {
    return mustStrip(name, List.of());
  }

  private static boolean namedIn(String connectionValue, String name) {
    int length = connectionValue.length();
    int start = 0;
    while (start < length) {
      int comma = connectionValue.indexOf(',', start);
      int end = comma < 0 ? length : comma;
      int tokenStart = start;
      int tokenEnd = end;
      while (tokenStart < tokenEnd && isWhitespace(connectionValue.charAt(tokenStart))) {
        tokenStart++;
      }
      while (tokenEnd > tokenStart && isWhitespace(connectionValue.charAt(tokenEnd - 1))) {
        tokenEnd--;
      }
      if (tokenEnd > tokenStart && sameName(name, connectionValue, tokenStart, tokenEnd)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  /** Compares {@code a} with {@code b[from, to)} under the folding rule, without allocating. */
  private static boolean sameName(String a, String b, int from, int to) {
    if (a.length() != to - from) {
      return false;
    }
    for (int i = 0; i < a.length(); i++) {
      if (fold(a.charAt(i)) != fold(b.charAt(from + i))) {
        return false;
      }
    }
    return true;
  }

  private static char fold(char c) {
    if (c == '_' || c == '.') {
      return '-';
    }
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }

  /**
   * The folded form of a header name: lower case, {@code _} and {@code .} as {@code -}.
   *
   * @param name a header name
   * @return its folded form
   */
  public static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-');
  }
}
