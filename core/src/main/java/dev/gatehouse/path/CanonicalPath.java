package dev.gatehouse.path;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The outcome of {@link PathCanonicalizer#canonicalize(String)}: either the {@link Valid canonical path} or a {@link
 * Rejected rejection} that the engine answers with 400.
 */
public sealed interface CanonicalPath permits CanonicalPath.Valid, CanonicalPath.Rejected {

  /**
   * A path in canonical form: starts with {@code /}; no empty, {@code .} or {@code ..} segment except that it may end in
   * {@code /}; unreserved characters and {@code ! $ & ' ( ) * + , = : @} never percent-encoded; every other percent-encoding in upper case and standing for
   * a character that is not {@code /}, {@code \}, a control character or {@code %}-followed-by-hex.
   *
   * @param path the canonical path, still percent-encoded where encoding matters
   */
  record Valid(String path) implements CanonicalPath {
    /** Creates the value; only {@link PathCanonicalizer} makes valid ones. */
    public Valid {
      Objects.requireNonNull(path, "path");
    }

    /**
     * The path with every percent-encoding decoded (as UTF-8), which is what a servlet container dispatches on.
     *
     * @return the decoded path
     */
    public String decoded() {
      if (path.indexOf('%') < 0) {
        return path;
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(path.length());
      for (int i = 0; i < path.length(); i++) {
        char c = path.charAt(i);
        if (c == '%' && i + 2 < path.length()) {
          bytes.write(Character.digit(path.charAt(i + 1), 16) << 4 | Character.digit(path.charAt(i + 2), 16));
          i += 2;
        } else {
          bytes.write(c);
        }
      }
      // The canonicalizer checked the UTF-8, so this decoding is exact.
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * A path that is ambiguous or hostile.
   *
   * @param reason why, for logs; never longer than a line and free of control characters
   */
  record Rejected(String reason) implements CanonicalPath {
    /** Creates the value. */
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
