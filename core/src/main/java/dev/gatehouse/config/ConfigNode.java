package dev.gatehouse.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One mapping of the configuration tree during binding. Values are read through the {@link ConfigKey} declarations of
 * {@link ConfigSchema}, which parse them and name the key in every error; {@link #rejectUnknownKeys()} refuses any key
 * the schema does not declare for this section, so a misspelt key is named instead of silently ignored.
 */
final class ConfigNode {

  private final String path;
  private final String schemaPath;
  private final Map<String, Object> values;

  ConfigNode(String path, Map<?, ?> values) {
    this.path = path;
    this.schemaPath = ConfigSchema.schemaPath(path);
    this.values = new LinkedHashMap<>();
    values.forEach((key, value) -> this.values.put(String.valueOf(key), value));
  }

  /**
   * The value of a key of this section, parsed by the key's type.
   *
   * @return the value; empty when the key is absent
   * @throws ConfigException naming the key if the value does not fit its type (a secret's value is never quoted)
   */
  <T> Optional<T> get(ConfigKey<T> key) {
    String name = own(key);
    ConfigType<T> type = key.type();
    Object bound = values.get(name);
    if (bound != null && !(bound instanceof String) && type.javaType().isInstance(bound) && isConvertedScalar(type.kind())) {
      // Already converted by the adapter that bound it (Spring Boot's Duration, say).
      return Optional.of(type.javaType().cast(bound));
    }
    Optional<?> raw =
        switch (type.kind()) {
          case LIST -> strings(name, type == ConfigType.COMMA_SEPARATED_LIST);
          case MAP -> has(name) ? Optional.of(stringMap(name)) : Optional.empty();
          case SECTION, SECTION_LIST -> throw new IllegalStateException(key + " is a section");
          default -> type == ConfigType.RAW_STRING ? rawString(name) : string(name);
        };
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    if (type.kind() == ConfigType.Kind.LIST || type.kind() == ConfigType.Kind.MAP) {
      @SuppressWarnings("unchecked")
      T value = (T) raw.get();
      return Optional.of(value);
    }
    try {
      return Optional.of(type.parse(raw.get()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(keyPath(name), key.secret() ? "not a valid value (not shown: the key holds a secret)" : e.getMessage());
    }
  }

  /** Kinds whose values an adapter may hand over already converted; files are checked here, lists element by element. */
  private static boolean isConvertedScalar(ConfigType.Kind kind) {
    return switch (kind) {
      case DURATION, SIZE, INTEGER, BOOLEAN -> true;
      default -> false;
    };
  }

  /** The value of a key, or {@code fallback} when it is absent. */
  <T> T get(ConfigKey<T> key, T fallback) {
    return get(key).orElse(fallback);
  }

  /** The value of a key that must be present. */
  <T> T require(ConfigKey<T> key, String why) {
    return get(key).orElseThrow(() -> new ConfigException(keyPath(key.name()), "missing; " + why));
  }

  /** A list of text values, or an empty list when the key is absent. */
  List<String> list(ConfigKey<List<String>> key) {
    return get(key).orElse(List.of());
  }

  /** The section a key names. */
  Optional<ConfigNode> section(ConfigKey<Void> key) {
    if (key.type().kind() != ConfigType.Kind.SECTION) {
      throw new IllegalStateException(key + " is not a section");
    }
    return child(own(key));
  }

  /** The elements of a list of sections; empty when the key is absent. */
  List<ConfigNode> sections(ConfigKey<Void> key) {
    if (key.type().kind() != ConfigType.Kind.SECTION_LIST) {
      throw new IllegalStateException(key + " is not a list of sections");
    }
    return children(own(key)).orElse(List.of());
  }

  /** Whether a key is present at all, read or not. */
  boolean has(ConfigKey<?> key) {
    return has(own(key));
  }

  /** The key's name, after checking that the key belongs to this section: binding code that reads another's is a bug. */
  private String own(ConfigKey<?> key) {
    if (!key.parent().equals(schemaPath)) {
      throw new IllegalStateException(key + " is not a key of " + (schemaPath.isEmpty() ? "the top level" : schemaPath));
    }
    return key.name();
  }

  String path() {
    return path;
  }

  String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** A single value without surrounding spaces; empty only when absent. */
  private Optional<String> string(String key) {
    Optional<String> text = rawString(key).map(String::strip);
    if (text.isPresent() && text.get().isEmpty()) {
      throw new ConfigException(keyPath(key), "must not be empty");
    }
    return text;
  }

  /** A single value exactly as written, surrounding spaces included; empty only when absent. */
  private Optional<String> rawString(String key) {
    Object value = values.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof Map || value instanceof List) {
      throw new ConfigException(keyPath(key), "expected a single value, found a " + kind(value));
    }
    return Optional.of(String.valueOf(value));
  }

  private Optional<ConfigNode> child(String key) {
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
   * A list of single values. A single value is read as a list of one, so that {@code methods: GET} means what it says;
   * with {@code splitCommas} it is split at commas instead.
   *
   * @return the values, or empty when the key is absent
   * @throws ConfigException if the list is empty or holds a mapping or a list, naming the element as {@code key[i]}
   */
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
  private Optional<List<ConfigNode>> children(String key) {
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
  private Map<String, String> stringMap(String key) {
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
  private boolean has(String key) {
    return values.get(key) != null;
  }

  /**
   * The elements of a list value. Overrides and flattened property sources spell lists as {@code {0: a, 1: b}}, which is
   * read as a list too.
   */
  private Optional<List<?>> list(String key, boolean scalarIsListOfOne) {
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
  void rejectUnsupported(ConfigKey<?> key, String feature) {
    String name = own(key);
    if (values.containsKey(name)) {
      throw new ConfigException(keyPath(name), feature + " is not supported by this version of Gatehouse");
    }
  }

  /**
   * Refuses every key of this mapping that the schema does not declare for this section, or declares only for Spring
   * Boot, naming the keys that are expected.
   */
  void rejectUnknownKeys() {
    List<String> known = new java.util.ArrayList<>();
    for (ConfigKey<?> key : ConfigSchema.children(schemaPath)) {
      if (key.scope() != ConfigKey.Scope.SPRING) {
        known.add(key.name());
      }
    }
    for (String key : values.keySet()) {
      if (!known.contains(key)) {
        throw new ConfigException(keyPath(key), "unknown key; expected one of " + known);
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
