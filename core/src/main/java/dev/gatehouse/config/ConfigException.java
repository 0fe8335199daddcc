package dev.gatehouse.config;

import java.util.Objects;

/**
 * A configuration Gatehouse refuses to start with.
 *
 * <p>The message names the key by its path in the configuration tree and says what is wrong, in one line, for
 * example {@code authentication.basic.htpasswd: no such file ./htpasswd}. Values of secret keys are never part of the
 * message.
 *
 * <p>It is an {@link IllegalArgumentException}, so that the validating constructors of the configuration records can
 * throw it with the key relative to their own section ({@code clock-skew}); the binder that knows where the section
 * sits in the tree turns that into the full path with {@link #within(String)}.
 */
public final class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String key;
  private final String problem;

  /**
   * Creates an exception about one key.
   *
   * @param key the dotted key path, such as {@code authentication.basic.htpasswd}; empty for the whole document
   * @param problem what is wrong with it
   */
  public ConfigException(String key, String problem) {
    super(key.isEmpty() ? problem : key + ": " + problem);
    this.key = Objects.requireNonNull(key, "key");
    this.problem = problem;
  }

  /**
   * Creates an exception about one key, keeping the underlying cause for debugging.
   *
   * @param key the dotted key path
   * @param problem what is wrong with it
   * @param cause the underlying failure
   */
  public ConfigException(String key, String problem, Throwable cause) {
    super(key.isEmpty() ? problem : key + ": " + problem, cause);
    this.key = Objects.requireNonNull(key, "key");
    this.problem = problem;
  }

  /**
   * The dotted path of the offending key.
   *
   * @return the key path; empty when the problem is with the document as a whole
   */
  public String key() {
    return key;
  }

  /**
   * What is wrong, without the key.
   *
   * @return the problem
   */
  public String problem() {
    return problem;
  }

  /**
   * The same problem with the key placed inside a section.
   *
   * @param section the section's path, such as {@code authentication.jwt[0]}
   * @return an exception naming {@code section.key}
   */
  public ConfigException within(String section) {
    if (section.isEmpty()) {
      return this;
    }
    return new ConfigException(key.isEmpty() ? section : section + "." + key, problem, getCause());
  }
}
