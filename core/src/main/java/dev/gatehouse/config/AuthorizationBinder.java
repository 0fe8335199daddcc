package dev.gatehouse.config;

import dev.gatehouse.authz.PolicyEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Binds {@code authorization} and checks every rule by compiling it, so a bad value fails at start with its key path. */
final class AuthorizationBinder {

  private AuthorizationBinder() {}

  static AuthorizationConfig bind(ConfigNode node) {
    List<RuleConfig> rules = new ArrayList<>();
    for (ConfigNode rule : node.children("rules").orElse(List.of())) {
      rules.add(rule(rule));
    }
    AuthorizationConfig.Audit audit =
        node.string("audit").map(value -> audit(node.keyPath("audit"), value)).orElse(AuthorizationConfig.Audit.DENIED);
    node.rejectUnknownKeys();
    AuthorizationConfig config = new AuthorizationConfig(rules, audit);
    // Compiling is the validation: the same code that will match requests says what it cannot match.
    PolicyEngine.compile(config);
    return config;
  }

  private static AuthorizationConfig.Audit audit(String key, String value) {
    return switch (value) {
      case "denied" -> AuthorizationConfig.Audit.DENIED;
      case "all" -> AuthorizationConfig.Audit.ALL;
      case "none" -> AuthorizationConfig.Audit.NONE;
      default -> throw new ConfigException(key, "expected denied, all or none, found " + value);
    };
  }

  private static RuleConfig rule(ConfigNode node) {
    Optional<String> name = node.string("name");
    String actionValue =
        node.string("action").orElseThrow(() -> new ConfigException(node.keyPath("action"), "missing; allow or deny"));
    RuleConfig.Action action =
        switch (actionValue.toLowerCase(Locale.ROOT)) {
          case "allow" -> RuleConfig.Action.ALLOW;
          case "deny" -> RuleConfig.Action.DENY;
          default -> throw new ConfigException(node.keyPath("action"), "expected allow or deny, found " + actionValue);
        };
    Optional<RuleConfig.SourceConfig> from = node.child("from").map(AuthorizationBinder::source);
    Optional<RuleConfig.OperationConfig> to = node.child("to").map(AuthorizationBinder::operation);
    List<RuleConfig.ConditionConfig> when = new ArrayList<>();
    for (ConfigNode condition : node.children("when").orElse(List.of())) {
      when.add(condition(condition));
    }
    node.rejectUnknownKeys();
    return new RuleConfig(name, action, from, to, when);
  }

  private static RuleConfig.SourceConfig source(ConfigNode node) {
    RuleConfig.SourceConfig source =
        new RuleConfig.SourceConfig(
            list(node, "principals"),
            list(node, "not-principals"),
            list(node, "namespaces"),
            list(node, "not-namespaces"),
            list(node, "groups"),
            list(node, "not-groups"),
            list(node, "ip-blocks"),
            list(node, "not-ip-blocks"),
            list(node, "request-principals"),
            list(node, "not-request-principals"));
    node.rejectUnknownKeys();
    return source;
  }

  private static RuleConfig.OperationConfig operation(ConfigNode node) {
    RuleConfig.OperationConfig operation =
        new RuleConfig.OperationConfig(
            list(node, "methods"),
            list(node, "not-methods"),
            list(node, "paths"),
            list(node, "not-paths"),
            list(node, "hosts"),
            list(node, "not-hosts"),
            ports(node, "ports"),
            ports(node, "not-ports"));
    node.rejectUnknownKeys();
    return operation;
  }

  private static RuleConfig.ConditionConfig condition(ConfigNode node) {
    String key = node.string("key").orElseThrow(() -> new ConfigException(node.keyPath("key"), "missing; such as claims.groups or request.headers[X-Tenant]"));
    List<String> values = list(node, "values");
    List<String> notValues = list(node, "not-values");
    node.rejectUnknownKeys();
    if (values.isEmpty() && notValues.isEmpty()) {
      throw new ConfigException(node.keyPath("values"), "missing; give values, not-values or both");
    }
    return new RuleConfig.ConditionConfig(key, values, notValues);
  }

  private static List<String> list(ConfigNode node, String key) {
    return node.strings(key).orElse(List.of());
  }

  private static List<Integer> ports(ConfigNode node, String key) {
    List<String> texts = list(node, key);
    List<Integer> ports = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      int port;
      try {
        port = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new ConfigException(node.keyPath(key) + "[" + i + "]", "expected a port number, found " + text);
      }
      if (port < 1 || port > 65535) {
        throw new ConfigException(node.keyPath(key) + "[" + i + "]", "port must be between 1 and 65535, found " + port);
      }
      ports.add(port);
    }
    return ports;
  }
}
