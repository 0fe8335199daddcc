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

  /** A single value without surrounding spaces; empty only when absent. */
  Optional<String> string(String key) {
    Optional<String> text = rawString(key).map(String::strip);
    if (text.isPresent() && text.get().isEmpty()) {
      throw new ConfigException(keyPath(key), "must not be empty");
    }
    return text;
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

  /**
   * A list of single values. A single value is read as a list of one, so that {@code methods: GET} means what it says.
   *
   * @return the values, or empty when the key is absent
   * @throws ConfigException if the list is empty or holds a mapping or a list, naming the element as {@code key[i]}
   */
  Optional<List<String>> strings(String key) {
    return strings(key, false);
  }

  /**
   * Like {@link #strings(String)}, but a single value is read as a comma-separated list, so that flags and environment
   * variables can set the list too. Only for lists whose values can never contain a comma, such as TLS protocol names.
   */
  Optional<List<String>> commaSeparatedStrings(String key) {
    return strings(key, true);
  }

  private Optional<List<String>> strings(String key, boolean splitCommas) {
    Optional<List<?>> elements = list(key, true);
    if (splitCommas && elements.isPresent() && elements.get().size() == 1 && elements.get().get(0) instanceof String text) {
      elements = Optional.of(List.of(text.split(",", -1)));
    }
    if (elements.isEmpty()) {
      return Optional.empty();
    }
    if (elements.get().isEmpty()) {
      throw new ConfigException(keyPath(key), "must not be empty; leave the key out instead");
    }
    List<String> texts = new java.util.ArrayList<>(elements.get().size());
    for (int i = 0; i < elements.get().size(); i++) {
      Object element = elements.get().get(i);
      String elementPath = keyPath(key) + "[" + i + "]";
      if (element == null || element instanceof Map || element instanceof List) {
        throw new ConfigException(elementPath, "expected a single value, found " + (element == null ? "nothing" : "a " + kind(element)));
      }
      String text = String.valueOf(element).strip();
      if (text.isEmpty()) {
        throw new ConfigException(elementPath, "must not be empty");
      }
      texts.add(text);
    }
    return Optional.of(List.copyOf(texts));
  }

  /**
   * A list of mappings, each bound as a node whose key path is {@code key[i]}.
   *
   * @return the nodes, or empty when the key is absent
   */
  Optional<List<ConfigNode>> children(String key) {
    Optional<List<?>> elements = list(key, false);
    if (elements.isEmpty()) {
      return Optional.empty();
    }
    List<ConfigNode> nodes = new java.util.ArrayList<>(elements.get().size());
    for (int i = 0; i < elements.get().size(); i++) {
      Object element = elements.get().get(i);
      String elementPath = keyPath(key) + "[" + i + "]";
      if (!(element instanceof Map<?, ?> map)) {
        throw new ConfigException(elementPath, "expected a mapping, found " + (element == null ? "nothing" : "a " + kind(element)));
      }
      nodes.add(new ConfigNode(elementPath, map));
    }
    return Optional.of(nodes);
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

  /**
   * The elements of a list value. Overrides and flattened property sources spell lists as {@code {0: a, 1: b}}, which is
   * read as a list too.
   */
  private Optional<List<?>> list(String key, boolean scalarIsListOfOne) {
    read.add(key);
    Object value = values.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof List<?> list) {
      return Optional.of(list);
    }
    if (value instanceof Map<?, ?> map) {
      if (!isIndexed(map)) {
        throw new ConfigException(keyPath(key), "expected a list, found a mapping");
      }
      List<Object> items = new java.util.ArrayList<>(map.size());
      for (int i = 0; i < map.size(); i++) {
        items.add(map.containsKey(String.valueOf(i)) ? map.get(String.valueOf(i)) : map.get(i));
      }
      return Optional.of(items);
    }
    if (scalarIsListOfOne) {
      return Optional.of(List.of(value));
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
