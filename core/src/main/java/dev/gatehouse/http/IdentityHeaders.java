package dev.gatehouse.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The request headers through which an upstream learns who the caller is, the rule that keeps clients from forging
 * them, and the one rule for which values may become one ({@link #isSafeValue}, {@link #isSafeListElement}).
 *
 * <p>The sidecar sets {@code X-Forwarded-User} and friends itself; any such header arriving from the client must be
 * removed first, or a client could simply claim to be {@code admin}. Many backends (CGI, PHP, Django, some Node
 * frameworks) fold {@code _} and {@code .} into {@code -} and ignore case, so {@code x_forwarded_user} reaches them as
 * {@code X-Forwarded-User}: names are therefore compared case-insensitively with {@code _} and {@code .} treated as
 * {@code -}. A header the client names in {@code Connection:} is removed too, whatever it is, so a client cannot use
 * hop-by-hop semantics to smuggle or suppress one.
 *
 * <p>The same folding protects framing: a {@code Transfer_Encoding} or {@code Content.Length} header means nothing to
 * the container or the sidecar's codec, but a folding backend reads it as {@code Transfer-Encoding} next to the real
 * framing, which is request smuggling. A framing or hop-by-hop name in any spelling but its own ({@link #FRAMING_HEADERS})
 * is therefore removed at a forwarding hop and hidden from an embedded application. And the {@link #ROUTING_HEADERS}, by
 * which front proxies and frameworks let a header choose the URL, the user or the client certificate they believe, are
 * removed too, unless the configuration {@linkplain #passingFromClient passes} one an application needs.
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
  /**
   * The sidecar's signed assertion about the request it forwards (docs/zero-trust.md). Reserved like the caller headers:
   * a client's is always removed, and the application never sees one.
   */
  public static final String ASSERTION = "X-Gatehouse-Assertion";
  /** The client address chain. */
  public static final String FOR = "X-Forwarded-For";
  /** The scheme the client used. */
  public static final String PROTO = "X-Forwarded-Proto";
  /** The host the client asked for. */
  public static final String HOST = "X-Forwarded-Host";

  /**
   * Headers that say who the caller is. DESIGN's list plus the names other proxies (oauth2-proxy, Apache, nginx) use
   * for the same facts, since a backend written for one of those may read them. No client may ever set these.
   */
  private static final List<String> CALLER =
      List.of(
          USER,
          EMAIL,
          GROUPS,
          CLIENT_CERT,
          ASSERTION,
          "X-Forwarded-Preferred-Username",
          "X-Forwarded-Access-Token",
          "X-Remote-User",
          "Remote-User",
          "X-Auth-Request-User",
          "X-Auth-Request-Email",
          "X-Auth-Request-Groups",
          "X-Auth-Request-Preferred-Username",
          "X-Auth-Request-Access-Token",
          "X-Client-Cert",
          "X-Ssl-Client-Cert");

  /**
   * Headers that describe the connection the client came over. The sidecar is the hop that knows these, so it
   * replaces whatever a client sent; an embedded filter behind a load balancer leaves them to the container.
   */
  private static final List<String> TRANSPORT = List.of(FOR, PROTO, HOST, "X-Forwarded-Port", "Forwarded", "X-Real-Ip");

  /**
   * Headers by which a front proxy or a framework lets the request choose what the backend serves or whom it believes:
   * the URL actually requested (IIS, Symfony, Laminas, Spring's {@code ForwardedHeaderFilter}), the client certificate
   * a TLS terminator verified (Envoy, nginx, Traefik, RFC 9440), the user an authenticating proxy vouched for
   * (Kubernetes' front proxy, oauth2-proxy, Pomerium). Behind Gatehouse none of them comes from anyone who checked it, so
   * a client's are removed by default. A trailing {@code *} stands for any rest of the name. This is the reviewed list;
   * an application that needs one of them (say {@code X-Forwarded-Prefix} from its ingress) names it in {@code
   * headers.pass-from-client}.
   */
  public static final List<String> ROUTING_HEADERS =
      List.of(
          "X-Original-URL",
          "X-Rewrite-URL",
          "X-Original-URI",
          "X-Forwarded-Uri",
          "X-Forwarded-Prefix",
          "Client-Cert",
          "Client-Cert-Chain",
          "X-SSL-Client-*",
          "X-Client-Cert*",
          "X-Remote-User",
          "X-Remote-Group",
          "X-Remote-Extra-*",
          "X-Auth-Request-*",
          "X-Pomerium-*");

  /**
   * Names that frame a request or describe one hop of it. Under their own names they are the container's and the
   * codec's business; under any other spelling that folds to them ({@code Transfer_Encoding}, {@code Content.Length})
   * they are removed and hidden, and none can ever be {@linkplain #passingFromClient passed}.
   */
  public static final List<String> FRAMING_HEADERS =
      List.of(
          "Transfer-Encoding",
          "Content-Length",
          "Connection",
          "Upgrade",
          "TE",
          "Trailer",
          "Keep-Alive",
          "Host",
          "Proxy-Connection",
          "Proxy-Authorization",
          "Proxy-Authenticate",
          "HTTP2-Settings");

  private static final String[] FRAMING = normalizeAll(FRAMING_HEADERS);

  private static final IdentityHeaders DEFAULTS = new IdentityHeaders(List.of(), List.of());

  private final List<String> extra;
  private final String[] caller;
  private final String[] transport;
  /** The exact routing names, folded, less those passed. */
  private final String[] routing;
  /** The routing prefixes ({@code x-pomerium-}), folded. */
  private final String[] routingPrefixes;
  /** Names the configuration passes from the client, folded. */
  private final String[] passed;

  private IdentityHeaders(Collection<String> extra, Collection<String> passed) {
    this.extra = List.copyOf(extra);
    List<String> callerNames = new ArrayList<>(CALLER);
    callerNames.addAll(extra);
    this.caller = normalizeAll(callerNames);
    this.transport = normalizeAll(TRANSPORT);
    this.passed = normalizeAll(List.copyOf(passed));
    List<String> exact = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    for (String name : ROUTING_HEADERS) {
      if (name.endsWith("*")) {
        prefixes.add(name.substring(0, name.length() - 1));
      } else if (!matches(this.passed, name)) {
        exact.add(name);
      }
    }
    this.routing = normalizeAll(exact);
    this.routingPrefixes = normalizeAll(prefixes);
    java.util.Map<String, Integer> kinds = new java.util.HashMap<>();
    addKind(kinds, caller, CALLER_KIND);
    addKind(kinds, transport, TRANSPORT_KIND);
    addKind(kinds, routing, ROUTING_KIND);
    addKind(kinds, FRAMING, FRAMING_KIND);
    addKind(kinds, this.passed, PASSED_KIND);
    this.kinds = new FoldedTable(kinds);
  }

  private static void addKind(java.util.Map<String, Integer> kinds, String[] folded, int kind) {
    for (String name : folded) {
      kinds.merge(name, kind, (a, b) -> a | b);
    }
  }

  private static final int CALLER_KIND = 1;
  private static final int TRANSPORT_KIND = 2;
  private static final int ROUTING_KIND = 4;
  private static final int FRAMING_KIND = 8;
  private static final int PASSED_KIND = 16;

  /**
   * Every protected name, folded, with what it is: one hash of the header name and one probe answer all the questions
   * the per-header checks ask, where walking each list would compare against every name of every list.
   */
  private final FoldedTable kinds;

  private static String[] normalizeAll(List<String> names) {
    return names.stream().map(IdentityHeaders::normalize).distinct().toArray(String[]::new);
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
   * The built-in set plus caller headers the configuration sends upstream (claim headers, for example).
   *
   * @param extra further header names to protect
   * @return a new instance
   */
  public static IdentityHeaders withExtra(Collection<String> extra) {
    Objects.requireNonNull(extra, "extra");
    return extra.isEmpty() ? DEFAULTS : new IdentityHeaders(extra, List.of());
  }

  /**
   * This set, but letting the client's value of some {@link #ROUTING_HEADERS routing headers} reach the application.
   *
   * @param names routing header names (exact names, matched with case, {@code _} and {@code .} folded; a name under a
   *     {@code *} entry passes only itself)
   * @return a new instance, or this one when {@code names} is empty
   * @throws IllegalArgumentException naming the first header that may not pass: a framing or hop-by-hop header, an
   *     identity header (the engine's, or one an authenticator sets), a header the sidecar sets about the connection, or
   *     a name that is not removed in the first place (a typo, most likely)
   */
  public IdentityHeaders passingFromClient(Collection<String> names) {
    Objects.requireNonNull(names, "names");
    if (names.isEmpty()) {
      return this;
    }
    for (String name : names) {
      whyNotPassable(name).ifPresent(reason -> {
        throw new IllegalArgumentException(reason);
      });
    }
    List<String> all = new ArrayList<>(List.of(passed));
    all.addAll(names);
    return new IdentityHeaders(extra, all);
  }

  private Optional<String> whyNotPassable(String name) {
    if (!isFieldName(name)) {
      return Optional.of("\"" + name + "\" is not a header name");
    }
    if (matches(FRAMING, name)) {
      return Optional.of(name + " is a framing or hop-by-hop header; no spelling of it may come from the client");
    }
    if (matches(caller, name)) {
      return Optional.of(name + " is an identity header; only the engine sets it");
    }
    if (matches(transport, name)) {
      return Optional.of(name + " describes the client's connection, which the sidecar sets itself");
    }
    if (!isRoutingName(name)) {
      return Optional.of(name + " is not removed from requests, so there is nothing to pass; the removed ones are " + ROUTING_HEADERS);
    }
    return Optional.empty();
  }

  /**
   * Whether a client-sent header must be removed before the request goes upstream.
   *
   * @param name a header name as received
   * @param connectionValues the values of the request's {@code Connection} headers, as received
   * @return {@code true} if the header is a caller or transport identity header, a routing header not passed, a framing
   *     name in a folded spelling, or is named in {@code Connection:}
   */
  public boolean mustStrip(String name, List<String> connectionValues) {
    int kind = kinds.kindOf(name);
    if ((kind & (CALLER_KIND | TRANSPORT_KIND | ROUTING_KIND)) != 0 || isDisguisedFraming(kind, name) || isRoutingPrefixed(kind, name)) {
      return true;
    }
    for (int i = 0; i < connectionValues.size(); i++) {
      if (namedIn(connectionValues.get(i), name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a header says who the caller is ({@code X-Forwarded-User} and the like, plus configured claim headers).
   * The servlet filter hides client-sent ones from the application; it leaves {@code X-Forwarded-For} and other
   * transport headers alone, as those may come from a trusted load balancer in front of the container.
   *
   * @param name a header name as received
   * @return {@code true} if the header must never come from a client
   */
  public boolean isCallerIdentityHeader(String name) {
    return (kinds.kindOf(name) & CALLER_KIND) != 0;
  }

  /**
   * Whether an embedded application must not see the client's value of a header: a {@linkplain
   * #isCallerIdentityHeader caller identity header}, a {@link #ROUTING_HEADERS routing header} not passed, or a framing
   * name in a folded spelling. Transport headers and the real framing headers are the container's.
   *
   * @param name a header name as asked for or received
   * @return {@code true} if the application must not see it
   */
  public boolean mustHide(String name) {
    int kind = kinds.kindOf(name);
    return (kind & (CALLER_KIND | ROUTING_KIND)) != 0 || isDisguisedFraming(kind, name) || isRoutingPrefixed(kind, name);
  }

  /** Under a routing {@code *} entry and not passed. Every such prefix starts with {@code x-}: most names stop there. */
  private boolean isRoutingPrefixed(int kind, String name) {
    if ((kind & PASSED_KIND) != 0 || name.length() < 2 || fold(name.charAt(0)) != 'x' || fold(name.charAt(1)) != '-') {
      return false;
    }
    for (String prefix : routingPrefixes) {
      if (name.length() >= prefix.length() && sameName(prefix, name, 0, prefix.length())) {
        return true;
      }
    }
    return false;
  }

  private boolean isRoutingName(String name) {
    for (String exact : ROUTING_HEADERS) {
      if (!exact.endsWith("*") && sameName(normalize(exact), name, 0, name.length())) {
        return true;
      }
    }
    for (String prefix : routingPrefixes) {
      if (name.length() >= prefix.length() && sameName(prefix, name, 0, prefix.length())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a name is one of the {@link #FRAMING_HEADERS} in any spelling, its own included: what a trailer may never
   * be (RFC 9110 section 6.5.1), since a backend that merges trailers into the header section would reframe the request.
   *
   * @param name a header or trailer name
   * @return {@code true} for a framing or hop-by-hop name, compared with case, {@code _} and {@code .} folded
   */
  public static boolean isFramingName(String name) {
    return matches(FRAMING, name);
  }

  /** A framing name spelt so that only a folding backend reads it as one: any {@code _} or {@code .} in it. */
  private static boolean isDisguisedFraming(int kind, String name) {
    return (kind & FRAMING_KIND) != 0 && (name.indexOf('_') >= 0 || name.indexOf('.') >= 0);
  }

  /** An open-addressing table from folded names to their kinds, probed without folding the name into a new string. */
  private static final class FoldedTable {
    private final String[] keys;
    private final int[] values;
    private final int mask;

    FoldedTable(java.util.Map<String, Integer> folded) {
      int size = Integer.highestOneBit(Math.max(8, folded.size() * 4 - 1)) << 1;
      keys = new String[size];
      values = new int[size];
      mask = size - 1;
      folded.forEach(
          (name, kind) -> {
            int slot = hash(name) & mask;
            while (keys[slot] != null) {
              slot = (slot + 1) & mask;
            }
            keys[slot] = name;
            values[slot] = kind;
          });
    }

    /** The kinds of a name as received, 0 for an ordinary header. */
    int kindOf(String name) {
      for (int slot = hash(name) & mask; keys[slot] != null; slot = (slot + 1) & mask) {
        if (sameName(keys[slot], name, 0, name.length())) {
          return values[slot];
        }
      }
      return 0;
    }

    /** Length and the two ends only: constant time for any name, and the probe compares whole names anyway. */
    private static int hash(String name) {
      int length = name.length();
      if (length == 0) {
        return 0;
      }
      int h = (length * 31 + fold(name.charAt(0))) * 31 + fold(name.charAt(length - 1));
      return h ^ (h >>> 7) ^ (h >>> 13);
    }
  }

  private static boolean matches(String[] normalizedNames, String name) {
    for (String candidate : normalizedNames) {
      if (sameName(candidate, name, 0, name.length())) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code name} folds to {@code folded}, an already {@link #normalize normalized} name, without allocating. */
  static boolean sameFoldedName(String folded, String name) {
    return sameName(folded, name, 0, name.length());
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
   * Whether a value may become an identity header value, or a {@code Principal} name, as it is: the one boundary every
   * identity passes, whichever authenticator made it.
   *
   * <p>Refused is anything HTTP would read differently from what the authenticator meant: an empty value; leading or
   * trailing space or tab (a field value's surrounding whitespace is not part of it, so {@code " admin"} arrives as
   * {@code admin}); any control character, C0 ({@code U+0000}–{@code U+001F}), {@code DEL} or C1 ({@code
   * U+0080}–{@code U+009F}), which can split, end or smuggle a header line or be rewritten by a server; and anything
   * above {@code U+00FF}, which a header cannot carry (Jetty and Netty write it as another character: {@code
   * "adminĀ"} would arrive as {@code admin} plus a byte).
   *
   * @param value a candidate header value
   * @return {@code true} if it may be sent as it is
   */
  public static boolean isSafeValue(String value) {
    int length = value.length();
    if (length == 0 || isWhitespace(value.charAt(0)) || isWhitespace(value.charAt(length - 1))) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c > 0xff) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a value may be one element of a comma-separated identity header ({@code X-Forwarded-Groups}, a list claim):
   * {@link #isSafeValue} and no comma, which would make {@code "ops,admin"} read as two elements upstream.
   *
   * @param element a candidate list element
   * @return {@code true} if it may be sent as one element
   */
  public static boolean isSafeListElement(String element) {
    return element.indexOf(',') < 0 && isSafeValue(element);
  }

  /**
   * Whether a name is an HTTP field name (RFC 9110 {@code token}), so that a header an authenticator asks for cannot
   * carry a colon, whitespace or a line break into the request head.
   *
   * @param name a candidate header name
   * @return {@code true} if it is a token
   */
  public static boolean isFieldName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
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
