package dev.gatehouse.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One key of the configuration tree, declared once in {@link ConfigSchema}: its path, type, default, description, where
 * it applies, and the sidecar flag that sets it, if any. The YAML loader, the Spring Boot binding, the sidecar's flags
 * and {@code GATEHOUSE_*} variables, the configuration metadata and the help texts all read these declarations.
 *
 * <p>Paths are written with dots between sections and {@code []} for the elements of a list of sections, as in {@code
 * authentication.jwt[].clock-skew}. Instances are immutable and thread-safe.
 *
 * @param <T> the Java type of the key's values
 */
public final class ConfigKey<T> {

  /** Where a key may be set. */
  public enum Scope {
    /** Everywhere: the YAML file, the sidecar's flags, and Spring Boot's {@code gatehouse.*}. */
    ALL,
    /** The sidecar alone (its listener, upstream and TLS); Spring Boot and the filter use their container's. */
    SIDECAR,
    /** Spring Boot alone ({@code gatehouse.enabled}, {@code gatehouse.filter.order}). */
    SPRING
  }

  private final String path;
  private final ConfigType<T> type;
  private final String description;
  private final Optional<String> defaultValue;
  private final Scope scope;
  private final Optional<String> flag;
  private final String flagValueName;
  private final boolean secret;

  private ConfigKey(Builder<T> builder) {
    this.path = builder.path;
    this.type = builder.type;
    this.description = builder.description;
    this.defaultValue = builder.defaultValue;
    this.scope = builder.scope;
    this.flag = builder.flag;
    this.flagValueName = builder.flagValueName;
    this.secret = builder.secret;
  }

  static <T> Builder<T> builder(String path, ConfigType<T> type, String description) {
    return new Builder<>(path, type, description);
  }

  /**
   * The full path, such as {@code authentication.jwt[].clock-skew}.
   *
   * @return the path
   */
  public String path() {
    return path;
  }

  /**
   * The last segment of the path, such as {@code clock-skew}.
   *
   * @return the key's own name
   */
  public String name() {
    int dot = path.lastIndexOf('.');
    String last = dot < 0 ? path : path.substring(dot + 1);
    return last.endsWith("[]") ? last.substring(0, last.length() - 2) : last;
  }

  /**
   * The path of the section holding this key; empty for a top-level key.
   *
   * @return the parent path, such as {@code authentication.jwt[]}
   */
  public String parent() {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }

  /**
   * The type of the key's values.
   *
   * @return the type
   */
  public ConfigType<T> type() {
    return type;
  }

  /**
   * One sentence saying what the key does, for help texts and IDE completion.
   *
   * @return the description
   */
  public String description() {
    return description;
  }

  /**
   * The value used when the key is absent, as it would be written.
   *
   * @return the default; empty when there is none or it depends on other keys
   */
  public Optional<String> defaultValue() {
    return defaultValue;
  }

  /**
   * Where the key may be set.
   *
   * @return the scope
   */
  public Scope scope() {
    return scope;
  }

  /**
   * The sidecar flag that sets this key, such as {@code --htpasswd}.
   *
   * @return the flag; empty for keys set only in the file
   */
  public Optional<String> flag() {
    return flag;
  }

  /**
   * The environment variable that sets this key in the sidecar: the flag's name upper-cased behind {@code GATEHOUSE_}.
   *
   * @return the variable, such as {@code GATEHOUSE_HTPASSWD}; empty when the key has no flag
   */
  public Optional<String> environmentVariable() {
    return flag.map(f -> "GATEHOUSE_" + f.substring(2).toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  /**
   * The placeholder for the flag's value in help texts, such as {@code FILE}; empty for a switch.
   *
   * @return the placeholder
   */
  public String flagValueName() {
    return flagValueName;
  }

  /**
   * Whether values of this key are secrets, which never appear in an error message or a log line.
   *
   * @return true for passwords and shared secrets
   */
  public boolean secret() {
    return secret;
  }

  @Override
  public String toString() {
    return path;
  }

  /** Declares a key; only {@link ConfigSchema} does. */
  static final class Builder<T> {
    private final String path;
    private final ConfigType<T> type;
    private final String description;
    private Optional<String> defaultValue = Optional.empty();
    private Scope scope = Scope.ALL;
    private Optional<String> flag = Optional.empty();
    private String flagValueName = "";
    private boolean secret;

    private Builder(String path, ConfigType<T> type, String description) {
      this.path = Objects.requireNonNull(path, "path");
      this.type = Objects.requireNonNull(type, "type");
      this.description = Objects.requireNonNull(description, "description");
    }

    Builder<T> defaultValue(String value) {
      this.defaultValue = Optional.of(value);
      return this;
    }

    Builder<T> scope(Scope scope) {
      this.scope = scope;
      return this;
    }

    /** A flag taking a value, shown as {@code valueName} in the help. */
    Builder<T> flag(String flag, String valueName) {
      this.flag = Optional.of(flag);
      this.flagValueName = valueName;
      return this;
    }

    /** A flag without a value: it sets the key to {@code true}. */
    Builder<T> flagSwitch(String flag) {
      return flag(flag, "");
    }

    Builder<T> secret() {
      this.secret = true;
      return this;
    }

    ConfigKey<T> build() {
      return new ConfigKey<>(this);
    }
  }
}
