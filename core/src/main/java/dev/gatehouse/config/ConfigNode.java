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

  /** A single value exactly as written, surrounding spaces included; empty only when absent. */
  Optional<String> rawString(String key) {
    read.add(key);
    Object value = values.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof Map || value instanceof List) {
      throw new ConfigException(keyPath(key), "expected a single value, found a " + kind(value));
    }
    return Optional.of(String.valueOf(value));
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

  /** A list of mappings, each bound as its own node named {@code key[i]}; empty when the key is absent. */
  List<ConfigNode> children(String key) {
    List<ConfigNode> nodes = new java.util.ArrayList<>();
    List<?> items = list(key);
    for (int i = 0; i < items.size(); i++) {
      String itemPath = keyPath(key) + "[" + i + "]";
      if (!(items.get(i) instanceof Map<?, ?> map)) {
        throw new ConfigException(itemPath, "expected a mapping, found a " + kind(items.get(i)));
      }
      nodes.add(new ConfigNode(itemPath, map));
    }
    return nodes;
  }

  /** A list of single values; empty when the key is absent. */
  List<String> strings(String key) {
    List<String> strings = new java.util.ArrayList<>();
    List<?> items = list(key);
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      if (item == null || item instanceof Map || item instanceof List) {
        throw new ConfigException(keyPath(key) + "[" + i + "]", "expected a single value, found a " + kind(item));
      }
      String text = String.valueOf(item).strip();
      if (text.isEmpty()) {
        throw new ConfigException(keyPath(key) + "[" + i + "]", "must not be empty");
      }
      strings.add(text);
    }
    return strings;
  }

  /** A mapping of single values, in document order; empty when the key is absent. */
  Map<String, String> stringMap(String key) {
    Map<String, String> result = new LinkedHashMap<>();
    Optional<ConfigNode> child = child(key);
    if (child.isEmpty()) {
      return result;
    }
    ConfigNode node = child.get();
    for (String name : node.values.keySet()) {
      result.put(name, node.string(name).orElseThrow(() -> new ConfigException(node.keyPath(name), "must not be empty")));
    }
    return result;
  }

  /** Whether the key is present at all, read or not. */
  boolean has(String key) {
    return values.get(key) != null;
  }

  private List<?> list(String key) {
    read.add(key);
    Object value = values.get(key);
    if (value == null) {
      return List.of();
    }
    if (value instanceof List<?> list) {
      return list;
    }
    if (value instanceof Map<?, ?> map && isIndexed(map)) {
      // Overrides and flattened property sources spell lists as {0: a, 1: b}.
      List<Object> items = new java.util.ArrayList<>();
      for (int i = 0; i < map.size(); i++) {
        items.add(map.containsKey(String.valueOf(i)) ? map.get(String.valueOf(i)) : map.get(i));
      }
      return items;
    }
    throw new ConfigException(keyPath(key), "expected a list, found a " + kind(value));
  }

  private static boolean isIndexed(Map<?, ?> map) {
    for (int i = 0; i < map.size(); i++) {
      if (!map.containsKey(String.valueOf(i)) && !map.containsKey(i)) {
        return false;
      }
    }
    return !map.isEmpty();
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

  private static String kind(@org.jspecify.annotations.Nullable Object value) {
    if (value instanceof Map) {
      return "mapping";
    }
    if (value instanceof List) {
      return "list";
    }
    return "value";
  }
}
