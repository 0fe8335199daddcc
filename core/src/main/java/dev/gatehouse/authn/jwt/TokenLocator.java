package dev.gatehouse.authn.jwt;

import dev.gatehouse.RequestView;
import dev.gatehouse.config.JwtIssuerConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Finds the bearer token in a request: in any header, cookie or query parameter that some configured issuer reads
 * tokens from.
 *
 * <p>Exactly one token may be present. Two different tokens (an {@code Authorization} header and a cookie, or two
 * {@code Authorization} headers) are refused, because the application behind might read the other one.
 */
final class TokenLocator {

  /** Where a token was found: a header (with its prefix), a cookie or a query parameter. */
  record Location(String kind, String name, String prefix) {
    static Location header(JwtIssuerConfig.TokenHeader header) {
      return new Location("header", header.name().toLowerCase(Locale.ROOT), header.prefix().toLowerCase(Locale.ROOT));
    }

    static Location cookie(String name) {
      return new Location("cookie", name, "");
    }

    static Location param(String name) {
      return new Location("query parameter", name, "");
    }

    boolean isHeader() {
      return kind.equals("header");
    }

    @Override
    public String toString() {
      return kind + " " + name;
    }
  }

  /** The outcome: no token, one token and where, or a problem to answer 401 with. */
  record Found(@Nullable String token, @Nullable Location location, @Nullable String problem) {
    static final Found NONE = new Found(null, null, null);

    static Found problem(String problem) {
      return new Found(null, null, problem);
    }
  }

  private final JwtIssuerConfig.TokenHeader[] headers;
  private final String[] cookies;
  private final String[] params;

  TokenLocator(List<JwtIssuerConfig> issuers) {
    Set<Location> headerLocations = new LinkedHashSet<>();
    List<JwtIssuerConfig.TokenHeader> headerList = new ArrayList<>();
    Set<String> cookieNames = new LinkedHashSet<>();
    Set<String> paramNames = new LinkedHashSet<>();
    for (JwtIssuerConfig issuer : issuers) {
      for (JwtIssuerConfig.TokenHeader header : issuer.fromHeaders()) {
        if (headerLocations.add(Location.header(header))) {
          headerList.add(header);
        }
      }
      cookieNames.addAll(issuer.fromCookies());
      paramNames.addAll(issuer.fromParams());
    }
    this.headers = headerList.toArray(JwtIssuerConfig.TokenHeader[]::new);
    this.cookies = cookieNames.toArray(String[]::new);
    this.params = paramNames.toArray(String[]::new);
  }

  Found find(RequestView request) {
    String token = null;
    Location location = null;
    for (JwtIssuerConfig.TokenHeader header : headers) {
      List<String> values = request.headers(header.name());
      for (int i = 0; i < values.size(); i++) {
        String value = values.get(i);
        String candidate = afterPrefix(value, header.prefix());
        if (candidate == null) {
          continue;
        }
        if (candidate.isEmpty()) {
          return Found.problem("empty token in header " + header.name());
        }
        if (token != null && !token.equals(candidate)) {
          return Found.problem("more than one token in the request");
        }
        if (values.size() > 1) {
          return Found.problem("more than one " + header.name() + " header");
        }
        token = candidate;
        location = Location.header(header);
      }
    }
    if (cookies.length > 0) {
      List<String> cookieHeaders = request.headers("Cookie");
      for (int h = 0; h < cookieHeaders.size(); h++) {
        String cookieHeader = cookieHeaders.get(h);
        for (String pair : cookieHeader.split(";")) {
          int equals = pair.indexOf('=');
          if (equals < 0) {
            continue;
          }
          String name = pair.substring(0, equals).strip();
          for (String cookie : cookies) {
            if (cookie.equals(name)) {
              String candidate = unquote(pair.substring(equals + 1).strip());
              if (candidate.isEmpty()) {
                continue;
              }
              if (token != null && !token.equals(candidate)) {
                return Found.problem("more than one token in the request");
              }
              if (token == null) {
                token = candidate;
                location = Location.cookie(cookie);
              }
            }
          }
        }
      }
    }
    if (params.length > 0 && request.rawQuery().isPresent()) {
      for (String pair : request.rawQuery().get().split("&")) {
        int equals = pair.indexOf('=');
        if (equals < 0) {
          continue;
        }
        String name = pair.substring(0, equals);
        for (String param : params) {
          if (param.equals(name)) {
            String candidate;
            try {
              candidate = URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8).strip();
            } catch (IllegalArgumentException e) {
              return Found.problem("malformed query parameter " + param);
            }
            if (candidate.isEmpty()) {
              continue;
            }
            if (token != null && !token.equals(candidate)) {
              return Found.problem("more than one token in the request");
            }
            if (token == null) {
              token = candidate;
              location = Location.param(param);
            }
          }
        }
      }
    }
    return token == null ? Found.NONE : new Found(token, location, null);
  }

  /** The token after the prefix, or {@code null} when this value is not of that form (another scheme, say). */
  private static @Nullable String afterPrefix(String value, String prefix) {
    if (prefix.isEmpty()) {
      return value.strip();
    }
    if (value.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return value.substring(prefix.length()).strip();
    }
    String bare = prefix.strip();
    // "Bearer" with nothing after it is a bearer credential that is empty, not some other scheme.
    return !bare.isEmpty() && value.strip().equalsIgnoreCase(bare) ? "" : null;
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
  }
}
