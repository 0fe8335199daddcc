package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigKey;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.ConfigSchema;
import dev.gatehouse.config.ConfigType;
import dev.gatehouse.config.GatehouseConfig;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;
import org.springframework.util.unit.DataUnit;

/**
 * Binds {@code gatehouse.*} by walking Gatehouse's {@link ConfigSchema}, key by key, with Spring Boot's {@link Binder}.
 *
 * <p>So every key of the YAML file is a property here with no second declaration: relaxed names ({@code clockSkew},
 * {@code GATEHOUSE_AUTHENTICATION_BASIC_REALM}) come from the binder, durations and sizes take Spring's formats ({@code
 * 30s}, {@code PT30S}, {@code 16KB}; a bare number is seconds or bytes, as in the YAML file) as well as the file's, and
 * the values go to {@link ConfigLoader#fromTree}, whose checks and messages are the sidecar's. A {@code gatehouse.*}
 * property the schema does not know is refused rather than ignored, as a misspelt key in the file is: a typo must not
 * leave an application open.
 */
final class GatehousePropertiesBinder {

  static final String PREFIX = "gatehouse";

  /** No configuration lists more entries than this; the bound stops a hostile property source from looping forever. */
  private static final int MAX_LIST_ENTRIES = 10_000;

  private static final Bindable<Map<String, Object>> ANY = Bindable.mapOf(String.class, Object.class);

  private final Binder binder;

  private GatehousePropertiesBinder(Binder binder) {
    this.binder = binder;
  }

  /**
   * Binds and validates the configuration of an environment.
   *
   * @throws ConfigException naming the key of anything invalid or unknown
   */
  static GatehouseConfig bind(Environment environment) {
    rejectUnknownProperties(ConfigurationPropertySources.get(environment));
    return ConfigLoader.fromTree(new GatehousePropertiesBinder(Binder.get(environment)).section(PREFIX, ""));
  }

  /** The order of the Gatehouse filter, {@code gatehouse.filter.order}. */
  static int filterOrder(Environment environment) {
    int fallback = Integer.parseInt(ConfigSchema.SPRING_FILTER_ORDER.defaultValue().orElseThrow());
    return Binder.get(environment).bind(PREFIX + "." + ConfigSchema.SPRING_FILTER_ORDER.path(), Integer.class).orElse(fallback);
  }

  /** The prefix of the authorities made from groups, {@code gatehouse.security.role-prefix}. */
  static String rolePrefix(Environment environment) {
    String fallback = ConfigSchema.SPRING_SECURITY_ROLE_PREFIX.defaultValue().orElseThrow();
    return Binder.get(environment).bind(PREFIX + "." + ConfigSchema.SPRING_SECURITY_ROLE_PREFIX.path(), String.class).orElse(fallback);
  }

  /** The tree of one section: the keys the schema declares there, as far as properties set them. */
  private Map<String, Object> section(String propertyPrefix, String schemaPath) {
    Map<String, Object> tree = new LinkedHashMap<>();
    for (ConfigKey<?> key : ConfigSchema.children(schemaPath)) {
      if (key.scope() != ConfigKey.Scope.ALL) {
        // Spring Boot's own keys are read where they are used; the sidecar's are refused by rejectUnknownProperties.
        continue;
      }
      String property = propertyPrefix + "." + key.name();
      value(key, property).ifPresent(value -> tree.put(key.name(), value));
    }
    return tree;
  }

  private Optional<Object> value(ConfigKey<?> key, String property) {
    ConfigType<?> type = key.type();
    return switch (type.kind()) {
      case SECTION -> {
        Map<String, Object> child = section(property, key.path());
        yield child.isEmpty() && !isBound(property) ? Optional.empty() : Optional.of(child);
      }
      case SECTION_LIST -> {
        List<Object> elements = new java.util.ArrayList<>();
        for (int i = 0; i < MAX_LIST_ENTRIES && isBound(property + "[" + i + "]"); i++) {
          elements.add(section(property + "[" + i + "]", key.path() + "[]"));
        }
        yield elements.isEmpty() ? Optional.empty() : Optional.of(elements);
      }
      case LIST -> optional(binder.bind(property, Bindable.listOf(String.class)));
      case MAP -> optional(binder.bind(property, Bindable.mapOf(String.class, String.class)));
      case DURATION -> text(property).map(GatehousePropertiesBinder::duration);
      case SIZE -> text(property).map(GatehousePropertiesBinder::size);
      default -> text(property).map(text -> (Object) text);
    };
  }

  private Optional<String> text(String property) {
    return binder.bind(property, String.class).map(Optional::of).orElse(Optional.empty());
  }

  private static Optional<Object> optional(org.springframework.boot.context.properties.bind.BindResult<?> result) {
    return result.isBound() ? Optional.of(result.get()) : Optional.empty();
  }

  private boolean isBound(String property) {
    return binder.bind(property, ANY).isBound();
  }

  /** Spring's formats, a bare number being seconds as in the file; anything else goes on to the core's own parser. */
  private static Object duration(String text) {
    try {
      return DurationStyle.detectAndParse(text.strip(), ChronoUnit.SECONDS);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  /** Spring's {@code DataSize} formats ({@code 16KB}); anything else ({@code 16KiB}) goes on to the core's parser. */
  private static Object size(String text) {
    try {
      return DataSize.parse(text.strip(), DataUnit.BYTES).toBytes();
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  /** Refuses {@code gatehouse.*} properties that name no key of the schema, or a key of the sidecar alone. */
  private static void rejectUnknownProperties(Iterable<ConfigurationPropertySource> sources) {
    ConfigurationPropertyName prefix = ConfigurationPropertyName.of(PREFIX);
    for (ConfigurationPropertySource source : sources) {
      if (!(source instanceof IterableConfigurationPropertySource iterable)) {
        continue;
      }
      for (ConfigurationPropertyName name : iterable) {
        if (prefix.isAncestorOf(name)) {
          check(name);
        }
      }
    }
  }

  private static void check(ConfigurationPropertyName name) {
    String schemaPath = "";
    StringBuilder keyPath = new StringBuilder();
    // Element 0 is "gatehouse"; walk the rest, stopping where a leaf's own list indexes or map keys begin.
    for (int i = 1; i < name.getNumberOfElements(); i++) {
      if (name.isNumericIndex(i)) {
        schemaPath += "[]";
        keyPath.append('[').append(name.getElement(i, ConfigurationPropertyName.Form.ORIGINAL)).append(']');
        continue;
      }
      String element = name.getElement(i, ConfigurationPropertyName.Form.UNIFORM);
      String parent = schemaPath;
      Optional<ConfigKey<?>> key = ConfigSchema.children(parent).stream().filter(k -> uniform(k.name()).equals(element)).findFirst();
      if (!keyPath.isEmpty()) {
        keyPath.append('.');
      }
      keyPath.append(key.map(ConfigKey::name).orElse(name.getElement(i, ConfigurationPropertyName.Form.DASHED)));
      if (key.isEmpty()) {
        List<String> expected = ConfigSchema.children(parent).stream().filter(k -> k.scope() != ConfigKey.Scope.SIDECAR).map(ConfigKey::name).toList();
        throw new ConfigException(keyPath.toString(), "unknown key; expected one of " + expected);
      }
      if (key.get().scope() == ConfigKey.Scope.SIDECAR) {
        throw new ConfigException(
            keyPath.toString(), "applies to the sidecar only; in Spring Boot, configure TLS with server.ssl and spring.ssl.bundle");
      }
      schemaPath = key.get().path();
      ConfigType.Kind kind = key.get().type().kind();
      if (kind != ConfigType.Kind.SECTION && kind != ConfigType.Kind.SECTION_LIST) {
        // A leaf: what follows is a list index or a map key, both the key's own business.
        return;
      }
    }
  }

  /** Spring's uniform form of a name: lower case, without dashes, as {@code hmacSecret} and {@code hmac-secret} both read. */
  private static String uniform(String name) {
    return name.replace("-", "").toLowerCase(java.util.Locale.ROOT);
  }

}
