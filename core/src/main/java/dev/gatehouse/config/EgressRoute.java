package dev.gatehouse.config;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code egress.routes[]} entry: requests whose path starts with {@code prefix} go to {@code upstream}, the rest of
 * the path appended to the upstream's path ({@code /orders/} and {@code https://h:8443/api/}: {@code /orders/v1/items}
 * goes to {@code https://h:8443/api/v1/items}).
 *
 * @param name the route's name, for logs and {@code credentials.items[].oauth2-route}
 * @param prefix a canonical path starting and ending with {@code /}
 * @param upstream an {@code https} URL without user info, query or fragment, its path ending with {@code /}
 * @param methods the allowed methods in upper case; any when empty
 * @param tls how the remote is verified and the client certificate shown to it; the JDK's trust and the upstream's
 *     host name when empty
 * @param oauth2 the client credentials whose token replaces the app's {@code Authorization}
 */
public record EgressRoute(String name, String prefix, URI upstream, List<String> methods, Optional<EgressTlsConfig> tls, Optional<OAuth2ClientConfig> oauth2) {

  /**
   * Checks each part.
   *
   * @throws ConfigException naming the key of a bad part
   */
  public EgressRoute {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(upstream, "upstream");
    methods = List.copyOf(methods);
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(oauth2, "oauth2");
    if (name.isEmpty() || !name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
      throw new ConfigException("name", "may hold only letters, digits, '.', '-' and '_', found " + name);
    }
    if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
      throw new ConfigException("prefix", "must start and end with /, as in /orders/; found " + prefix);
    }
    // The prefix is compared with canonical request paths, so it must be canonical itself or it could never match.
    if (prefix.contains("//") || prefix.contains("/./") || prefix.contains("/../") || prefix.contains("%") || prefix.contains("\\") || prefix.contains(";")) {
      throw new ConfigException("prefix", "must be a plain path without //, . or .. segments, %-escapes, \\ or ;; found " + prefix);
    }
    String scheme = upstream.getScheme() == null ? "" : upstream.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") || upstream.getHost() == null) {
      throw new ConfigException("upstream", "must be an https URL such as https://orders.partner.example:8443/api/; found " + upstream);
    }
    if (upstream.getRawUserInfo() != null || upstream.getRawQuery() != null || upstream.getRawFragment() != null) {
      throw new ConfigException("upstream", "must not carry user info, a query or a fragment");
    }
    String path = upstream.getRawPath() == null || upstream.getRawPath().isEmpty() ? "/" : upstream.getRawPath();
    if (!path.endsWith("/")) {
      throw new ConfigException("upstream", "its path must end with /, so that the request's path is appended to it: " + upstream);
    }
    for (String method : methods) {
      if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
        throw new ConfigException("methods", "expected methods in upper case such as GET, found " + method);
      }
      if (method.equals("CONNECT")) {
        throw new ConfigException("methods", "CONNECT is never forwarded: the egress listener is not a tunnel");
      }
    }
  }

  /**
   * The upstream's path, {@code /} when it has none.
   *
   * @return the raw path, ending with {@code /}
   */
  public String upstreamPath() {
    return upstream.getRawPath() == null || upstream.getRawPath().isEmpty() ? "/" : upstream.getRawPath();
  }

  /**
   * The upstream's port, 443 when it names none.
   *
   * @return the port
   */
  public int upstreamPort() {
    return upstream.getPort() < 0 ? 443 : upstream.getPort();
  }

  /**
   * The upstream's host without IPv6 brackets.
   *
   * @return the host
   */
  public String upstreamHost() {
    String host = upstream.getHost();
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
