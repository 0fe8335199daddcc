package dev.gatehouse.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code authentication.basic}: HTTP Basic against an htpasswd file.
 *
 * @param realm the realm named in the challenge; printable ASCII without quotes or backslashes
 * @param htpasswd the htpasswd file, as written by Apache's {@code htpasswd}
 */
public record BasicConfig(String realm, Path htpasswd) {

  /** The realm used when none is configured, as in nginx examples. */
  public static final String DEFAULT_REALM = "Restricted";

  /**
   * Validates the realm.
   *
   * @throws IllegalArgumentException if the realm is empty, too long, or has characters that would break the
   *     challenge header
   */
  public BasicConfig {
    Objects.requireNonNull(realm, "realm");
    Objects.requireNonNull(htpasswd, "htpasswd");
    if (realm.isEmpty() || realm.length() > 128) {
      throw new IllegalArgumentException("must be 1 to 128 characters");
    }
    for (int i = 0; i < realm.length(); i++) {
      char c = realm.charAt(i);
      // The realm goes inside a quoted-string in WWW-Authenticate: no quote, backslash or control character.
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        throw new IllegalArgumentException("must be printable ASCII without quotes or backslashes");
      }
    }
  }
}
