package dev.gatehouse.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/** Parsing and locality checks for {@code upstream}. */
final class Upstreams {

  private Upstreams() {}

  /**
   * Parses an upstream: {@code http://host:port} or {@code https://host:port} with an empty path, or {@code
   * unix:/absolute/path.sock}.
   */
  static URI parse(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (Exception e) {
      throw new IllegalArgumentException("not a URI: " + value);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "unix" -> {
        String path = uri.getSchemeSpecificPart();
        if (path == null || !path.startsWith("/")) {
          throw new IllegalArgumentException("a unix socket upstream needs an absolute path, as in unix:/run/app.sock");
        }
        return uri;
      }
      case "http", "https" -> {
        if (uri.getHost() == null) {
          throw new IllegalArgumentException("no host in " + value + "; expected http://127.0.0.1:8080");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
          throw new IllegalArgumentException("must be scheme://host:port only, without user info, query or fragment");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
          throw new IllegalArgumentException("must not have a path; requests keep their own paths");
        }
        return uri;
      }
      default -> throw new IllegalArgumentException(
          "scheme must be http, https or unix, in " + value);
    }
  }

  /**
   * Whether an upstream stays on this host. Only literal loopback addresses and {@code localhost} count; {@code
   * localhost} is resolved and every address must be loopback, so an odd hosts file cannot send traffic away.
   */
  static boolean isLocal(URI upstream) {
    if ("unix".equalsIgnoreCase(upstream.getScheme())) {
      return true;
    }
    String host = upstream.getHost();
    if (host == null) {
      return false;
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.equalsIgnoreCase("localhost")) {
      try {
        for (InetAddress address : InetAddress.getAllByName("localhost")) {
          if (!address.isLoopbackAddress()) {
            return false;
          }
        }
        return true;
      } catch (UnknownHostException e) {
        return false;
      }
    }
    if (!isIpLiteral(host)) {
      // A name other than localhost could resolve anywhere, now or later.
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true;
    }
    int dots = 0;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c == '.') {
        dots++;
      } else if (c < '0' || c > '9') {
        return false;
      }
    }
    return dots == 3;
  }
}
