package dev.gatehouse.config;

import java.util.Objects;

/**
 * A configuration Gatehouse refuses to start with.
 *
 * <p>The message names the key by its path in the configuration tree and says what is wrong, in one line, for
 * example {@code authentication.basic.htpasswd: no such file ./htpasswd}. Values of secret keys are never part of the
 * message.
 */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String key;

  /**
   * Creates an exception about one key.
   *
   * @param key the dotted key path, such as {@code authentication.basic.htpasswd}; empty for the whole document
   * @param problem what is wrong with it
   */
  public ConfigException(String key, String problem) {
    super(key.isEmpty() ? problem : key + ": " + problem);
    this.key = Objects.requireNonNull(key, "key");
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
  }

  /**
   * The dotted path of the offending key.
   *
   * @return the key path; empty when the problem is with the document as a whole
   */
  public String key() {
    return key;
  }
}
