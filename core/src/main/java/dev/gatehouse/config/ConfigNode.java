package dev.gatehouse.config;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One mapping of the configuration tree during binding. It remembers which keys were read, so that {@link
 * #rejectUnknownKeys()} can name a misspelt key instead of silently ignoring it.
 */
final class ConfigNode {

  private final String path;
  private final Map<String, Object> values;
  private final Set<String> read = new LinkedHashSet<>();

  ConfigNode(String path, Map<?, ?> values) {
    this.path = path;
    this.values = new LinkedHashMap<>();
    values.forEach((key, value) -> this.values.put(String.valueOf(key), value));
  }

  String path() {
    return path;
  }

  String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  Optional<String> string(String key) {
    read.add(key);
    Object value = values.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof Map || value instanceof List) {
      throw new ConfigException(keyPath(key), "expected a single value, found a " + kind(value));
    }
    String text = String.valueOf(value).strip();
    if (text.isEmpty()) {
      throw new ConfigException(keyPath(key), "must not be empty");
    }
    return Optional.of(text);
  }

  boolean bool(String key, boolean defaultValue) {
    Optional<String> text = string(key);
    if (text.isEmpty()) {
      return defaultValue;
    }
    return switch (text.get()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(keyPath(key), "expected true or false, found " + text.get());
    };
  }

  /**
   * A list of single values; a single value is read as a comma-separated list, so that flags and environment
   * variables can set lists too.
   */
  Optional<List<String>> strings(String key) {
    read.add(key);
    Object value = values.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof Map) {
      throw new ConfigException(keyPath(key), "expected a list, found a mapping");
    }
    List<?> items = value instanceof List<?> list ? list : List.of(String.valueOf(value).split(","));
    List<String> result = new java.util.ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      if (item == null || item instanceof Map || item instanceof List) {
        throw new ConfigException(keyPath(key) + "[" + i + "]", "expected a single value");
      }
      String text = String.valueOf(item).strip();
      if (text.isEmpty()) {
        throw new ConfigException(keyPath(key) + "[" + i + "]", "must not be empty");
      }
      result.add(text);
    }
    if (result.isEmpty()) {
      throw new ConfigException(keyPath(key), "must not be empty");
    }
    return Optional.of(List.copyOf(result));
  }

  Optional<ConfigNode> child(String key) {
    read.add(key);
    Object value = values.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new ConfigException(keyPath(key), "expected a mapping, found " + kind(value));
    }
    return Optional.of(new ConfigNode(keyPath(key), map));
  }

  /** Refuses a key Gatehouse knows of but this version cannot honour, rather than running without it. */
  void rejectUnsupported(String key, String feature) {
    read.add(key);
    if (values.containsKey(key)) {
      throw new ConfigException(keyPath(key), feature + " is not supported by this version of Gatehouse");
    }
  }

  void rejectUnknownKeys() {
    for (String key : values.keySet()) {
      if (!read.contains(key)) {
        throw new ConfigException(keyPath(key), "unknown key" + (read.isEmpty() ? "" : "; expected one of " + read));
      }
    }
  }

  private static String kind(Object value) {
    if (value instanceof Map) {
      return "mapping";
    }
    if (value instanceof List) {
      return "list";
    }
    return "value";
  }
}
