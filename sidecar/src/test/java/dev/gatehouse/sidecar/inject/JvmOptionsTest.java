package dev.gatehouse.sidecar.inject;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JvmOptionsTest {

  @Test
  void thePackagedFlagsAreSidecarJvmOptions() throws IOException {
    // The build copies sidecar/jvm.options into the jar; this proves it is that file and not a stale copy.
    assertThat(JvmOptions.packaged()).isEqualTo(JvmOptions.parse(Files.readString(Path.of("jvm.options")))).contains("-Xmx64m", "-XX:+UseSerialGC");
  }

  @Test
  void commentsAndBlankLinesAreNotFlags() {
    assertThat(JvmOptions.parse("# a comment\n\n-Xmx64m   # why\n  -Xss256k\n-Da=b -Dc=d\n")).containsExactly("-Xmx64m", "-Xss256k", "-Da=b", "-Dc=d");
  }

  @Test
  void theEnvironmentValueIsTheFlagsSeparatedBySpaces() {
    assertThat(JvmOptions.asEnvironmentValue(JvmOptions.parse("-Xmx64m\n-XX:+UseSerialGC\n"))).isEqualTo("-Xmx64m -XX:+UseSerialGC");
  }
}
