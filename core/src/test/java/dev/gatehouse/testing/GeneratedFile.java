package dev.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A committed file generated from code (the configuration reference, the Spring Boot metadata): a test renders it and
 * fails when the committed copy differs; with the system property {@code writeProperty=true} it rewrites the copy first.
 */
public final class GeneratedFile {

  private GeneratedFile() {}

  /**
   * Asserts that the committed file equals what the code renders now.
   *
   * @param file the committed file
   * @param rendered what the code renders
   * @param writeProperty the system property that, set to {@code true}, rewrites the file
   */
  public static void assertCommitted(Path file, String rendered, String writeProperty) {
    try {
      if (Boolean.getBoolean(writeProperty)) {
        Files.writeString(file, rendered, StandardCharsets.UTF_8);
      }
      assertThat(Files.readString(file, StandardCharsets.UTF_8))
          .as("%s is out of date; rewrite it by running this test with -D%s=true", file, writeProperty)
          .isEqualTo(rendered);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
