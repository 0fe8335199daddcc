package dev.gatehouse.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    String issuer = node.require(ConfigSchema.JWT_ISSUER, "the exact iss of the issuer's tokens");
    JwtIssuerConfig.Builder builder = JwtIssuerConfig.builder(issuer);
    node.get(ConfigSchema.JWT_JWKS_URI).ifPresent(builder::jwksUri);
    node.get(ConfigSchema.JWT_JWKS_FILE).ifPresent(builder::jwksFile);
    node.get(ConfigSchema.JWT_JWKS_CA).ifPresent(builder::jwksCa);
    node.get(ConfigSchema.JWT_JWKS_PROXY).ifPresent(builder::jwksProxy);
    builder.discovery(node.get(ConfigSchema.JWT_DISCOVERY, false));
    builder.audiences(node.list(ConfigSchema.JWT_AUDIENCES));
    node.get(ConfigSchema.JWT_ALGORITHMS).ifPresent(builder::algorithms);
    Optional<String> secret = node.get(ConfigSchema.JWT_HMAC_SECRET);
    Optional<Path> secretFile = node.get(ConfigSchema.JWT_HMAC_SECRET_FILE);
    if (secret.isPresent() && secretFile.isPresent()) {
      throw new ConfigException(node.keyPath("hmac-secret"), "set hmac-secret or hmac-secret-file, not both");
    }
    secret.ifPresent(builder::hmacSecret);
    secretFile.ifPresent(file -> builder.hmacSecret(readSecret(node.keyPath("hmac-secret-file"), file)));
    node.get(ConfigSchema.JWT_CLOCK_SKEW).ifPresent(builder::clockSkew);
    List<ConfigNode> headerNodes = node.sections(ConfigSchema.JWT_FROM_HEADERS);
    List<String> cookies = node.list(ConfigSchema.JWT_FROM_COOKIES);
    List<String> params = node.list(ConfigSchema.JWT_FROM_PARAMS);
    if (node.has(ConfigSchema.JWT_FROM_HEADERS) || !cookies.isEmpty() || !params.isEmpty()) {
      // Naming any location replaces the default Authorization header, as in Istio's fromHeaders.
      List<JwtIssuerConfig.TokenHeader> headers = new ArrayList<>();
      for (ConfigNode header : headerNodes) {
        String name = header.require(ConfigSchema.JWT_FROM_HEADER_NAME, "the header that carries the token");
        // The prefix keeps its trailing space ("Bearer "), so its type reads it raw rather than stripped.
        String prefix = header.get(ConfigSchema.JWT_FROM_HEADER_PREFIX, "");
        header.rejectUnknownKeys();
        try {
          headers.add(new JwtIssuerConfig.TokenHeader(name, prefix));
        } catch (ConfigException e) {
          throw e.within(header.path());
        }
      }
      builder.fromHeaders(headers);
    }
    builder.fromCookies(cookies);
    builder.fromParams(params);
    builder.forwardToken(node.get(ConfigSchema.JWT_FORWARD_TOKEN, false));
    builder.claimsToHeaders(node.get(ConfigSchema.JWT_CLAIMS_TO_HEADERS, Map.of()));
    node.get(ConfigSchema.JWT_GROUPS_CLAIM).ifPresent(builder::groupsClaim);
    node.get(ConfigSchema.JWT_MAX_TOKEN_SIZE).ifPresent(builder::maxTokenSize);
    node.rejectUnknownKeys();
    try {
      return builder.build();
    } catch (ConfigException e) {
      // The issuer's own checks name the key relative to the entry, as in "clock-skew: at most 10m".
      throw e.within(node.path());
    }
  }

  private static String readSecret(String key, Path path) {
    try {
      // Secrets mounted from Kubernetes or written by echo often end in a newline that is not part of the secret.
      return Files.readString(path, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read " + path + ": " + e.getMessage());
    }
  }
}
