package dev.gatehouse.sidecar.inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The sidecar's JVM flags, from {@code sidecar/jvm.options} as packaged in this jar: one flag a line, {@code #} starts
 * a comment (the format of the {@code java} launcher's {@code @argfiles}, which the image uses as they are).
 */
final class JvmOptions {

  static final String RESOURCE = "jvm.options";

  private JvmOptions() {}

  static List<String> packaged() {
    try (InputStream in = JvmOptions.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("jvm.options is missing from the jar (a build without sidecar/jvm.options?)");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> parse(String text) {
    List<String> flags = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      int comment = line.indexOf('#');
      String flagsOnLine = (comment >= 0 ? line.substring(0, comment) : line).strip();
      for (String flag : flagsOnLine.split("\\s+")) {
        if (!flag.isEmpty()) {
          flags.add(flag);
        }
      }
    }
    return List.copyOf(flags);
  }

  /** The flags as one {@code JDK_JAVA_OPTIONS} value, which the launcher splits at white space. */
  static String asEnvironmentValue(List<String> flags) {
    for (String flag : flags) {
      if (flag.contains("\"") || flag.contains("'")) {
        throw new IllegalStateException("jvm.options flag " + flag + " has a quote, which JDK_JAVA_OPTIONS would read differently");
      }
    }
    return String.join(" ", flags);
  }
}
