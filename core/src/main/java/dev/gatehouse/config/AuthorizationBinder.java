package dev.gatehouse.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Binds {@code authorization}. The rules' patterns are checked where they are compiled (the {@code authz} package,
 * when an engine is built), which names the same key paths; this binder checks what the tree alone can tell.
 */
final class AuthorizationBinder {

  private AuthorizationBinder() {}

  static AuthorizationConfig bind(ConfigNode node) {
    List<RuleConfig> rules = new ArrayList<>();
    for (ConfigNode rule : node.sections(ConfigSchema.RULES)) {
      rules.add(rule(rule));
    }
    AuthorizationConfig.Audit audit = node.get(ConfigSchema.AUTHORIZATION_AUDIT, AuthorizationConfig.Audit.DENIED);
    node.rejectUnknownKeys();
    return new AuthorizationConfig(rules, audit);
  }

  private static RuleConfig rule(ConfigNode node) {
    Optional<String> name = node.get(ConfigSchema.RULE_NAME);
    RuleConfig.Action action = node.require(ConfigSchema.RULE_ACTION, "allow or deny");
    Optional<RuleConfig.SourceConfig> from = node.section(ConfigSchema.RULE_FROM).map(AuthorizationBinder::source);
    Optional<RuleConfig.OperationConfig> to = node.section(ConfigSchema.RULE_TO).map(AuthorizationBinder::operation);
    List<RuleConfig.ConditionConfig> when = new ArrayList<>();
    for (ConfigNode condition : node.sections(ConfigSchema.RULE_WHEN)) {
      when.add(condition(condition));
    }
    node.rejectUnknownKeys();
    return new RuleConfig(name, action, from, to, when);
  }

  private static RuleConfig.SourceConfig source(ConfigNode node) {
    RuleConfig.SourceConfig source =
        new RuleConfig.SourceConfig(
            node.list(ConfigSchema.FROM_PRINCIPALS),
            node.list(ConfigSchema.FROM_NOT_PRINCIPALS),
            node.list(ConfigSchema.FROM_NAMESPACES),
            node.list(ConfigSchema.FROM_NOT_NAMESPACES),
            node.list(ConfigSchema.FROM_GROUPS),
            node.list(ConfigSchema.FROM_NOT_GROUPS),
            node.list(ConfigSchema.FROM_IP_BLOCKS),
            node.list(ConfigSchema.FROM_NOT_IP_BLOCKS),
            node.list(ConfigSchema.FROM_REQUEST_PRINCIPALS),
            node.list(ConfigSchema.FROM_NOT_REQUEST_PRINCIPALS));
    node.rejectUnknownKeys();
    return source;
  }

  private static RuleConfig.OperationConfig operation(ConfigNode node) {
    RuleConfig.OperationConfig operation =
        new RuleConfig.OperationConfig(
            node.list(ConfigSchema.TO_METHODS),
            node.list(ConfigSchema.TO_NOT_METHODS),
            node.list(ConfigSchema.TO_PATHS),
            node.list(ConfigSchema.TO_NOT_PATHS),
            node.list(ConfigSchema.TO_HOSTS),
            node.list(ConfigSchema.TO_NOT_HOSTS),
            ports(node, ConfigSchema.TO_PORTS),
            ports(node, ConfigSchema.TO_NOT_PORTS));
    node.rejectUnknownKeys();
    return operation;
  }

  private static RuleConfig.ConditionConfig condition(ConfigNode node) {
    String key = node.require(ConfigSchema.WHEN_KEY, "such as claims.groups or request.headers[X-Tenant]");
    List<String> values = node.list(ConfigSchema.WHEN_VALUES);
    List<String> notValues = node.list(ConfigSchema.WHEN_NOT_VALUES);
    node.rejectUnknownKeys();
    if (values.isEmpty() && notValues.isEmpty()) {
      throw new ConfigException(node.keyPath("values"), "missing; give values, not-values or both");
    }
    return new RuleConfig.ConditionConfig(key, values, notValues);
  }

  private static List<Integer> ports(ConfigNode node, ConfigKey<List<String>> portsKey) {
    String key = portsKey.name();
    List<String> texts = node.list(portsKey);
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
