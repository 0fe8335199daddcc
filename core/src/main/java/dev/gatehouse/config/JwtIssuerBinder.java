package dev.gatehouse.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Binds one {@code authentication.jwt[i]} mapping to a {@link JwtIssuerConfig}, naming the bad key on error. */
final class JwtIssuerBinder {

  private JwtIssuerBinder() {}

  static List<JwtIssuerConfig> bindAll(List<ConfigNode> nodes) {
    List<JwtIssuerConfig> issuers = new ArrayList<>();
    for (ConfigNode node : nodes) {
      issuers.add(bind(node));
    }
    return issuers;
  }

  static JwtIssuerConfig bind(ConfigNode node) {
    String issuer =
        node.string("issuer").orElseThrow(() -> new ConfigException(node.keyPath("issuer"), "missing; the exact iss of the issuer's tokens"));
    JwtIssuerConfig.Builder builder = JwtIssuerConfig.builder(issuer);
    node.string("jwks-uri").ifPresent(value -> builder.jwksUri(uri(node.keyPath("jwks-uri"), value)));
    node.string("jwks-file").ifPresent(value -> builder.jwksFile(ConfigLoader.readableFile(node.keyPath("jwks-file"), value)));
    builder.discovery(node.bool("discovery", false));
    builder.audiences(node.strings("audiences").orElse(List.of()));
    List<String> algorithms = node.strings("algorithms").orElse(List.of());
    if (!algorithms.isEmpty()) {
      builder.algorithms(algorithms);
    }
    Optional<String> secret = node.string("hmac-secret");
    Optional<String> secretFile = node.string("hmac-secret-file");
    if (secret.isPresent() && secretFile.isPresent()) {
      throw new ConfigException(node.keyPath("hmac-secret"), "set hmac-secret or hmac-secret-file, not both");
    }
    secret.ifPresent(builder::hmacSecret);
    secretFile.ifPresent(value -> builder.hmacSecret(readSecret(node.keyPath("hmac-secret-file"), value)));
    node.string("clock-skew").ifPresent(value -> builder.clockSkew(duration(node.keyPath("clock-skew"), value)));
    List<ConfigNode> headerNodes = node.children("from-headers").orElse(List.of());
    List<String> cookies = node.strings("from-cookies").orElse(List.of());
    List<String> params = node.strings("from-params").orElse(List.of());
    if (node.has("from-headers") || !cookies.isEmpty() || !params.isEmpty()) {
      // Naming any location replaces the default Authorization header, as in Istio's fromHeaders.
      List<JwtIssuerConfig.TokenHeader> headers = new ArrayList<>();
      for (ConfigNode header : headerNodes) {
        String name = header.string("name").orElseThrow(() -> new ConfigException(header.keyPath("name"), "missing; the header that carries the token"));
        // The prefix keeps its trailing space ("Bearer "), so it is read raw rather than stripped.
        String prefix = header.rawString("prefix").orElse("");
        header.rejectUnknownKeys();
        try {
          headers.add(new JwtIssuerConfig.TokenHeader(name, prefix));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(header.keyPath("name"), e.getMessage());
        }
      }
      builder.fromHeaders(headers);
    }
    builder.fromCookies(cookies);
    builder.fromParams(params);
    builder.forwardToken(node.bool("forward-token", false));
    builder.claimsToHeaders(node.stringMap("claims-to-headers"));
    node.string("groups-claim").ifPresent(builder::groupsClaim);
    node.string("max-token-size").ifPresent(value -> builder.maxTokenSize(size(node.keyPath("max-token-size"), value)));
    node.rejectUnknownKeys();
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      int colon = message.indexOf(": ");
      if (colon > 0 && message.substring(0, colon).matches("[a-z-]+")) {
        throw new ConfigException(node.keyPath(message.substring(0, colon)), message.substring(colon + 2));
      }
      throw new ConfigException(node.keyPath("issuer"), message);
    }
  }

  private static URI uri(String key, String value) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw new ConfigException(key, "not a URL: " + value);
    }
  }

  private static String readSecret(String key, String value) {
    Path path = ConfigLoader.readableFile(key, value);
    try {
      // Secrets mounted from Kubernetes or written by echo often end in a newline that is not part of the secret.
      return Files.readString(path, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read " + value + ": " + e.getMessage());
    }
  }

  /** Parses {@code 30s}, {@code 2m}, {@code 500ms}, or a plain number of seconds. */
  static Duration duration(String key, String value) {
    String text = value.toLowerCase(Locale.ROOT);
    try {
      if (text.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
      }
      if (text.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
      }
      if (text.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(text));
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "expected a duration such as 30s, 2m or 500ms, found " + value);
    }
  }

  /** Parses a size in bytes: {@code 16384}, {@code 16KiB} or {@code 16k}. */
  static int size(String key, String value) {
    String text = value.toLowerCase(Locale.ROOT);
    int multiplier = 1;
    if (text.endsWith("kib") || text.endsWith("kb") || text.endsWith("k")) {
      multiplier = 1024;
      text = text.replaceAll("k(i?b)?$", "");
    }
    try {
      return Math.multiplyExact(Integer.parseInt(text.strip()), multiplier);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new ConfigException(key, "expected a size in bytes such as 16384 or 16KiB, found " + value);
    }
  }
}
