package dev.gatehouse.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Copies the shared fixtures (htpasswd files made by the real htpasswd tool) out of the test jar. */
public final class Fixtures {

  private Fixtures() {}

  /**
   * Copies a fixture from {@code dev/gatehouse/fixtures/} into a directory, so tests can also change it on disk.
   *
   * @param name the fixture file name, such as {@code formats.htpasswd}
   * @param directory where to put the copy (a JUnit {@code @TempDir})
   * @return the copy
   */
  public static Path copy(String name, Path directory) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/dev/gatehouse/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      // Flat: "tls/rsa.crt" lands as directory/rsa.crt.
      Path target = directory.resolve(Path.of(name).getFileName().toString());
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
