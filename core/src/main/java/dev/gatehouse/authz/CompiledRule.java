package dev.gatehouse.authz;

import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.RuleConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One rule as matchers. A {@code null} matcher is a field that was not configured and so matches everything. Each
 * check is cheap and allocation-free except {@code hosts} (one lower-casing) and {@code ip-blocks} (one parse of the
 * peer address per decision).
 */
final class CompiledRule {

  final String label;
  final boolean deny;
  final PolicyResult result;

  private final @Nullable ValueMatcher principals;
  private final @Nullable ValueMatcher notPrincipals;
  private final @Nullable ValueMatcher requestPrincipals;
  private final @Nullable ValueMatcher notRequestPrincipals;
  private final @Nullable ValueMatcher namespaces;
  private final @Nullable ValueMatcher notNamespaces;
  private final @Nullable ValueMatcher groups;
  private final @Nullable ValueMatcher notGroups;
  private final @Nullable IpBlocks ipBlocks;
  private final @Nullable IpBlocks notIpBlocks;
  private final @Nullable ValueMatcher methods;
  private final @Nullable ValueMatcher notMethods;
  private final @Nullable PathMatcher paths;
  private final @Nullable PathMatcher notPaths;
  private final @Nullable HostMatcher hosts;
  private final @Nullable HostMatcher notHosts;
  private final int @Nullable [] ports;
  private final int @Nullable [] notPorts;
  private final Condition[] conditions;

  CompiledRule(int index, RuleConfig config) {
    String key = "authorization.rules[" + index + "]";
    this.label = config.name().orElse("rules[" + index + "]");
    this.deny = config.action() == RuleConfig.Action.DENY;
    RuleConfig.SourceConfig from = config.from().orElse(null);
    String fromKey = key + ".from.";
    principals = from == null ? null : values(fromKey + "principals", from.principals(), false);
    notPrincipals = from == null ? null : values(fromKey + "not-principals", from.notPrincipals(), false);
    requestPrincipals = from == null ? null : values(fromKey + "request-principals", from.requestPrincipals(), false);
    notRequestPrincipals = from == null ? null : values(fromKey + "not-request-principals", from.notRequestPrincipals(), false);
    this.result =
        new PolicyResult(!deny, Optional.of(label), (deny ? "denied by rule " : "allowed by rule ") + label, deny && notRequestPrincipals != null);
    namespaces = from == null ? null : values(fromKey + "namespaces", from.namespaces(), false);
    notNamespaces = from == null ? null : values(fromKey + "not-namespaces", from.notNamespaces(), false);
    groups = from == null ? null : values(fromKey + "groups", from.groups(), false);
    notGroups = from == null ? null : values(fromKey + "not-groups", from.notGroups(), false);
    ipBlocks = from == null ? null : ipBlocks(fromKey + "ip-blocks", from.ipBlocks());
    notIpBlocks = from == null ? null : ipBlocks(fromKey + "not-ip-blocks", from.notIpBlocks());
    RuleConfig.OperationConfig to = config.to().orElse(null);
    String toKey = key + ".to.";
    methods = to == null ? null : methods(toKey + "methods", to.methods());
    notMethods = to == null ? null : methods(toKey + "not-methods", to.notMethods());
    paths = to == null ? null : paths(toKey + "paths", to.paths());
    notPaths = to == null ? null : paths(toKey + "not-paths", to.notPaths());
    hosts = to == null ? null : hosts(toKey + "hosts", to.hosts());
    notHosts = to == null ? null : hosts(toKey + "not-hosts", to.notHosts());
    ports = to == null || to.ports().isEmpty() ? null : to.ports().stream().mapToInt(Integer::intValue).toArray();
    notPorts = to == null || to.notPorts().isEmpty() ? null : to.notPorts().stream().mapToInt(Integer::intValue).toArray();
    List<RuleConfig.ConditionConfig> when = config.when();
    conditions = new Condition[when.size()];
    for (int i = 0; i < when.size(); i++) {
      conditions[i] = Condition.compile(key + ".when[" + i + "]", when.get(i), deny);
    }
  }

  boolean matches(Evaluation evaluation) {
    return matchesCaller(evaluation.caller) && matchesRequest(evaluation);
  }

  /**
   * The {@code from} fields that depend on the caller alone: principals (the peer), request principals, namespaces (the
   * peer's) and groups. Their answer is the same for every request of one caller, which is what lets the engine work
   * out a caller's candidate rules once. A {@code not-} field does not exclude a caller that lacks the identity it
   * names, as in Istio.
   *
   * @param caller the caller, or {@code null} for an anonymous request
   */
  boolean matchesCaller(@Nullable Caller caller) {
    String peer = caller == null ? null : caller.peer();
    if (principals != null && (peer == null || !principals.matches(peer))) {
      return false;
    }
    if (notPrincipals != null && peer != null && notPrincipals.matches(peer)) {
      return false;
    }
    String requestPrincipal = caller == null ? null : caller.requestPrincipal();
    if (requestPrincipals != null && (requestPrincipal == null || !requestPrincipals.matches(requestPrincipal))) {
      return false;
    }
    if (notRequestPrincipals != null && requestPrincipal != null && notRequestPrincipals.matches(requestPrincipal)) {
      return false;
    }
    if (namespaces != null || notNamespaces != null) {
      String namespace = caller == null ? null : caller.namespace();
      if (namespaces != null && (namespace == null || !namespaces.matches(namespace))) {
        return false;
      }
      if (notNamespaces != null && namespace != null && notNamespaces.matches(namespace)) {
        return false;
      }
    }
    if (groups != null && (caller == null || !groups.matchesAny(caller.groups()))) {
      return false;
    }
    return notGroups == null || caller == null || !notGroups.matchesAny(caller.groups());
  }

  /**
   * Whether this rule would match the request if it also had a suitable request principal: its peer fields and its
   * operation match, and it requires a request principal. Groups and {@code when} conditions are left out, since a
   * request principal would bring its own groups and claims. Asked only for refusals of a peer without a request
   * principal, to tell a 401 (presenting a token could help) from a 403.
   */
  boolean couldMatchWithRequestPrincipal(Evaluation evaluation) {
    if (requestPrincipals == null) {
      return false;
    }
    Caller caller = evaluation.caller;
    String peer = caller == null ? null : caller.peer();
    if (principals != null && (peer == null || !principals.matches(peer))) {
      return false;
    }
    if (notPrincipals != null && peer != null && notPrincipals.matches(peer)) {
      return false;
    }
    String namespace = caller == null ? null : caller.namespace();
    if (namespaces != null && (namespace == null || !namespaces.matches(namespace))) {
      return false;
    }
    if (notNamespaces != null && namespace != null && notNamespaces.matches(namespace)) {
      return false;
    }
    return matchesOperation(evaluation);
  }

  /** Everything but {@link #matchesCaller}: the peer address, the operation and the {@code when} conditions. */
  boolean matchesRequest(Evaluation evaluation) {
    if (!matchesOperation(evaluation)) {
      return false;
    }
    for (Condition condition : conditions) {
      if (!condition.holds(evaluation)) {
        return false;
      }
    }
    return true;
  }

  /** The peer address and the {@code to} fields. */
  private boolean matchesOperation(Evaluation evaluation) {
    if (ipBlocks != null && !ipBlocks.contains(evaluation.address())) {
      return false;
    }
    if (notIpBlocks != null && notIpBlocks.contains(evaluation.address())) {
      return false;
    }
    RequestView request = evaluation.request;
    if (methods != null && !methodMatches(methods, evaluation)) {
      return false;
    }
    if (notMethods != null && methodMatches(notMethods, evaluation)) {
      return false;
    }
    // The side of a rule that refuses more also sees /x/ as /x: a deny's paths and an allow's not-paths.
    if (paths != null && !pathMatches(paths, evaluation, /* slashedAsUnslashed= */ deny)) {
      return false;
    }
    if (notPaths != null && pathMatches(notPaths, evaluation, /* slashedAsUnslashed= */ !deny)) {
      return false;
    }
    if (hosts != null && !hosts.matches(request)) {
      return false;
    }
    if (notHosts != null && notHosts.matches(request)) {
      return false;
    }
    if (ports != null && !contains(ports, request.localPort())) {
      return false;
    }
    return notPorts == null || !contains(notPorts, request.localPort());
  }

  private static boolean methodMatches(ValueMatcher matcher, Evaluation evaluation) {
    return matcher.matches(evaluation.method) || (evaluation.head && matcher.matches("GET"));
  }

  private static boolean pathMatches(PathMatcher matcher, Evaluation evaluation, boolean slashedAsUnslashed) {
    if (matcher.matches(evaluation.path)) {
      return true;
    }
    if (!slashedAsUnslashed) {
      return false;
    }
    String unslashed = evaluation.pathWithoutTrailingSlash();
    return unslashed != null && matcher.matches(unslashed);
  }

  private static boolean contains(int[] values, int value) {
    for (int v : values) {
      if (v == value) {
        return true;
      }
    }
    return false;
  }

  private static @Nullable ValueMatcher values(String key, List<String> patterns, boolean ignoreCase) {
    if (patterns.isEmpty()) {
      return null;
    }
    try {
      return ValueMatcher.compile(patterns, ignoreCase);
    } catch (ValueMatcher.PatternException e) {
      throw new ConfigException(key + "[" + e.index + "]", e.getMessage());
    }
  }

  private static @Nullable ValueMatcher methods(String key, List<String> methods) {
    for (int i = 0; i < methods.size(); i++) {
      String method = methods.get(i);
      if (!method.equals("*") && !method.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c == '-' || c == '_')) {
        throw new ConfigException(key + "[" + i + "]", "expected a method in upper case, such as GET, found " + method);
      }
    }
    return values(key, methods, false);
  }

  private static @Nullable PathMatcher paths(String key, List<String> patterns) {
    if (patterns.isEmpty()) {
      return null;
    }
    try {
      return PathMatcher.compile(patterns);
    } catch (ValueMatcher.PatternException e) {
      throw new ConfigException(key + "[" + e.index + "]", e.getMessage());
    }
  }

  private static @Nullable HostMatcher hosts(String key, List<String> patterns) {
    if (patterns.isEmpty()) {
      return null;
    }
    try {
      return HostMatcher.compile(patterns);
    } catch (ValueMatcher.PatternException e) {
      throw new ConfigException(key + "[" + e.index + "]", e.getMessage());
    }
  }

  private static @Nullable IpBlocks ipBlocks(String key, List<String> blocks) {
    if (blocks.isEmpty()) {
      return null;
    }
    try {
      return IpBlocks.compile(blocks);
    } catch (ValueMatcher.PatternException e) {
      throw new ConfigException(key + "[" + e.index + "]", e.getMessage());
    }
  }

  /** The {@code Host} header, port-insensitive unless a pattern names one, case-insensitive. */
  static final class HostMatcher {
    private final ValueMatcher withoutPort;
    private final @Nullable ValueMatcher withPort;

    private HostMatcher(ValueMatcher withoutPort, @Nullable ValueMatcher withPort) {
      this.withoutPort = withoutPort;
      this.withPort = withPort;
    }

    static HostMatcher compile(List<String> patterns) {
      List<String> plain = new java.util.ArrayList<>();
      List<String> ported = new java.util.ArrayList<>();
      for (int i = 0; i < patterns.size(); i++) {
        String pattern = patterns.get(i);
        for (int k = 0; k < pattern.length(); k++) {
          char c = pattern.charAt(k);
          if (!(Character.isLetterOrDigit(c) && c < 0x80) && ".-:[]*_".indexOf(c) < 0) {
            throw new ValueMatcher.PatternException(i, "not a host name, address or host:port, found " + pattern);
          }
        }
        (hasPort(pattern) ? ported : plain).add(withoutTrailingDot(pattern));
      }
      ValueMatcher withoutPort = plain.isEmpty() ? ValueMatcher.compile(List.of(), true) : indexed(plain, patterns);
      ValueMatcher withPort = ported.isEmpty() ? null : indexed(ported, patterns);
      return new HostMatcher(withoutPort, withPort);
    }

    private static ValueMatcher indexed(List<String> subset, List<String> all) {
      try {
        return ValueMatcher.compile(subset, true);
      } catch (ValueMatcher.PatternException e) {
        throw new ValueMatcher.PatternException(all.indexOf(subset.get(e.index)), e.getMessage());
      }
    }

    static boolean hasPort(String host) {
      int colon = host.lastIndexOf(':');
      return colon >= 0 && host.lastIndexOf(']') < colon;
    }

    /**
     * The host without the trailing dot of a fully qualified name: {@code admin.example.com.} is the host nginx, Envoy
     * and Jetty's virtual hosts serve as {@code admin.example.com}, so a rule must see it so too.
     */
    static String withoutTrailingDot(String host) {
      int end = hasPort(host) ? host.lastIndexOf(':') : host.length();
      if (end < 2 || host.charAt(end - 1) != '.' || host.charAt(end - 2) == '*') {
        return host;
      }
      return host.substring(0, end - 1) + host.substring(end);
    }

    boolean matches(RequestView request) {
      String host = request.header("Host").orElse(null);
      if (host == null || host.isEmpty()) {
        return false;
      }
      host = withoutTrailingDot(host.toLowerCase(Locale.ROOT));
      if (withPort != null && withPort.matches(host)) {
        return true;
      }
      String name = hasPort(host) ? host.substring(0, host.lastIndexOf(':')) : host;
      return withoutPort.matches(name);
    }
  }

  /**
   * One {@code when} entry: a claim path or a header name, and the values it must or must not have.
   *
   * <p>A header is a list, however the client spells it: every line of it, split at every comma (quoted or not, as
   * the frameworks that join repeated headers do), each element trimmed of spaces and tabs, empty elements skipped,
   * and an element in quotes read both with and without them; and under every spelling of the name a backend folds
   * into it ({@code X_Role} and {@code X.Role} are {@code X-Role}).
   * A deny rule's condition holds if any element satisfies it; an allow rule's only if every element does (and there
   * is one, for {@code values}). Either way the reading that refuses more wins.
   *
   * <p>{@code claims.email} is compared as an address: exactly one {@code @}, no space or control character, the domain
   * part case-insensitive and without a trailing dot. A claim that is not such an address makes a deny rule's
   * condition hold and an allow rule's fail.
   */
  static final class Condition {
    private static final String CLAIMS = "claims.";
    private static final String HEADERS = "request.headers[";
    private static final String EMAIL = "email";

    private final String @Nullable [] claimPath;
    private final @Nullable String header;
    /** Every spelling of {@link #header} a backend folding {@code _} and {@code .} into {@code -} reads as it. */
    private final String[] headerSpellings;
    private final @Nullable ValueMatcher values;
    private final @Nullable ValueMatcher notValues;
    private final boolean deny;
    private final boolean email;

    private Condition(
        String @Nullable [] claimPath, @Nullable String header, @Nullable ValueMatcher values, @Nullable ValueMatcher notValues, boolean deny) {
      this.claimPath = claimPath;
      this.header = header;
      this.headerSpellings = header == null ? new String[0] : spellings(header);
      this.values = values;
      this.notValues = notValues;
      this.deny = deny;
      this.email = claimPath != null && claimPath.length == 1 && claimPath[0].equals(EMAIL);
    }

    static Condition compile(String key, RuleConfig.ConditionConfig config, boolean deny) {
      String name = config.key();
      String[] claimPath = null;
      String header = null;
      List<String> values = config.values();
      List<String> notValues = config.notValues();
      if (name.startsWith(CLAIMS) && name.length() > CLAIMS.length()) {
        claimPath = name.substring(CLAIMS.length()).split("\\.", -1);
        for (String part : claimPath) {
          if (part.isEmpty()) {
            throw new ConfigException(key + ".key", "empty part in claim path " + name);
          }
        }
        if (claimPath.length == 1 && claimPath[0].equals(EMAIL)) {
          values = emailPatterns(key + ".values", values);
          notValues = emailPatterns(key + ".not-values", notValues);
        }
      } else if (name.startsWith(HEADERS) && name.endsWith("]") && name.length() > HEADERS.length() + 1) {
        header = name.substring(HEADERS.length(), name.length() - 1);
        if (!header.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
          throw new ConfigException(key + ".key", "not a header name: " + header);
        }
        requireNoComma(key + ".values", values);
        requireNoComma(key + ".not-values", notValues);
      } else {
        throw new ConfigException(key + ".key", "expected claims.<name> or request.headers[<Name>], found " + name);
      }
      return new Condition(claimPath, header, values(key + ".values", values, false), values(key + ".not-values", notValues, false), deny);
    }

    /** Most separators whose every spelling is looked up; beyond, only the three uniform spellings are. */
    private static final int MAX_VARIED_SEPARATORS = 3;

    /**
     * The header's name with each of its {@code -}, {@code _} and {@code .} separators in each of the three spellings:
     * CGI, WSGI, Rack, PHP and nginx with {@code underscores_in_headers} read {@code X_Role} as {@code X-Role}, so a
     * condition on one must see the values of all. Names are matched case-insensitively by {@link RequestView#headers}.
     */
    static String[] spellings(String header) {
      List<Integer> separators = new java.util.ArrayList<>();
      for (int i = 0; i < header.length(); i++) {
        if ("-_.".indexOf(header.charAt(i)) >= 0) {
          separators.add(i);
        }
      }
      java.util.Set<String> names = new java.util.LinkedHashSet<>();
      names.add(header);
      if (separators.size() > MAX_VARIED_SEPARATORS) {
        for (char c : new char[] {'-', '_', '.'}) {
          char[] chars = header.toCharArray();
          separators.forEach(at -> chars[at] = c);
          names.add(new String(chars));
        }
        return names.toArray(String[]::new);
      }
      int combinations = (int) Math.pow(3, separators.size());
      for (int n = 0; n < combinations; n++) {
        char[] chars = header.toCharArray();
        int code = n;
        for (int at : separators) {
          chars[at] = "-_.".charAt(code % 3);
          code /= 3;
        }
        names.add(new String(chars));
      }
      return names.toArray(String[]::new);
    }

    private static void requireNoComma(String key, List<String> patterns) {
      for (int i = 0; i < patterns.size(); i++) {
        if (patterns.get(i).indexOf(',') >= 0) {
          throw new ConfigException(
              key + "[" + i + "]", "a header value is matched element by element, split at commas, so a pattern with a comma can never match, found " + patterns.get(i));
        }
      }
    }

    /** Patterns in the form {@link #address} gives values: the part after the {@code @}, or a bare suffix, lower-cased. */
    private static List<String> emailPatterns(String key, List<String> patterns) {
      List<String> normalized = new java.util.ArrayList<>(patterns.size());
      for (int i = 0; i < patterns.size(); i++) {
        String pattern = patterns.get(i);
        int at = pattern.indexOf('@');
        boolean exact = pattern.indexOf('*') < 0;
        if ((at >= 0 && pattern.indexOf('@', at + 1) >= 0) || (exact && (at <= 0 || at == pattern.length() - 1))) {
          throw new ConfigException(key + "[" + i + "]", "an e-mail address has exactly one @, so this can never match, found " + pattern);
        }
        if (at >= 0) {
          normalized.add(pattern.substring(0, at + 1) + domain(pattern.substring(at + 1)));
        } else if (pattern.startsWith("*")) {
          // *.example or *example.com: a suffix of the domain.
          normalized.add(pattern.toLowerCase(Locale.ROOT));
        } else {
          normalized.add(pattern);
        }
      }
      return normalized;
    }

    /** The address with its domain lower-cased, or {@code null} if the claim is not one address with one {@code @}. */
    private static @Nullable String address(@Nullable Object claim) {
      if (!(claim instanceof String text)) {
        return null;
      }
      int at = text.indexOf('@');
      if (at <= 0 || at == text.length() - 1 || text.indexOf('@', at + 1) >= 0) {
        return null;
      }
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        // A space or control character is no part of an address, and a consumer that trims would read another one.
        if (c <= 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.getType(c) == Character.FORMAT) {
          return null;
        }
      }
      return text.substring(0, at + 1) + domain(text.substring(at + 1));
    }

    /** Lower case, without the trailing dot of a fully qualified name ({@code evil.example.} is {@code evil.example}). */
    private static String domain(String domain) {
      String lower = domain.toLowerCase(Locale.ROOT);
      return lower.length() > 1 && lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    boolean holds(Evaluation evaluation) {
      if (header != null) {
        List<String> lines = evaluation.request.headers(header);
        if (headerSpellings.length > 1) {
          List<String> all = null;
          for (int i = 1; i < headerSpellings.length; i++) {
            List<String> more = evaluation.request.headers(headerSpellings[i]);
            if (!more.isEmpty()) {
              if (all == null) {
                all = new java.util.ArrayList<>(lines);
              }
              all.addAll(more);
            }
          }
          if (all != null) {
            lines = all;
          }
        }
        return headerHolds(lines);
      }
      Object claim = claim(evaluation.requestPrincipal);
      if (email && claim != null) {
        String address = address(claim);
        if (address == null) {
          return deny;
        }
        claim = address;
      }
      return (values == null || claimMatches(values, claim)) && (notValues == null || !claimMatches(notValues, claim));
    }

    private boolean headerHolds(List<String> lines) {
      boolean any = false;
      for (String line : lines) {
        int length = line.length();
        int start = 0;
        while (start <= length) {
          int comma = line.indexOf(',', start);
          int end = comma < 0 ? length : comma;
          int from = start;
          int to = end;
          while (from < to && isOws(line.charAt(from))) {
            from++;
          }
          while (to > from && isOws(line.charAt(to - 1))) {
            to--;
          }
          if (to > from) {
            any = true;
            boolean holds = elementHolds(line.substring(from, to));
            if (deny && holds) {
              return true;
            }
            if (!deny && !holds) {
              return false;
            }
          }
          start = end + 1;
        }
      }
      // No element decided it: for a deny none held, for an allow all did; an absent header holds only without values.
      return any ? !deny : values == null;
    }

    private static boolean isOws(char c) {
      return c == ' ' || c == '\t';
    }

    /**
     * An element as it stands and, if it has quotes at its ends, as a framework that unquotes it reads it: a deny needs
     * either reading to hold, an allow both.
     */
    private boolean elementHolds(String element) {
      boolean raw = valueHolds(element);
      if (element.charAt(0) != '"' && element.charAt(element.length() - 1) != '"') {
        return raw;
      }
      int from = element.charAt(0) == '"' ? 1 : 0;
      int to = element.length() > from && element.charAt(element.length() - 1) == '"' ? element.length() - 1 : element.length();
      String unquoted = element.substring(from, to).strip();
      boolean read = valueHolds(unquoted);
      return deny ? raw || read : raw && read;
    }

    private boolean valueHolds(String value) {
      return (values == null || values.matches(value)) && (notValues == null || !notValues.matches(value));
    }

    private @Nullable Object claim(@Nullable Identity identity) {
      if (identity == null) {
        return null;
      }
      Object node = identity.attributes().get(Identity.CLAIMS);
      for (String part : claimPath) {
        if (!(node instanceof Map<?, ?> map)) {
          return null;
        }
        node = map.get(part);
      }
      return node;
    }

    /** A string, number or boolean claim is one value; a list claim matches if any element does. */
    private static boolean claimMatches(ValueMatcher matcher, @Nullable Object claim) {
      if (claim == null || claim instanceof Map) {
        return false;
      }
      if (claim instanceof List<?> list) {
        for (Object element : list) {
          if (element != null && !(element instanceof Map) && !(element instanceof List) && matcher.matches(String.valueOf(element))) {
            return true;
          }
        }
        return false;
      }
      return matcher.matches(String.valueOf(claim));
    }
  }
}
