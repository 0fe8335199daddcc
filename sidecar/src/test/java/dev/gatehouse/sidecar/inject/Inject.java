package dev.gatehouse.sidecar.inject;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** {@code inject} run in this JVM: the command line, what it read on standard input, and what it printed. */
record Inject(int status, String out, String err) {

  static final String IMAGE = "registry.example/gatehouse-sidecar:0.1.0";

  static Inject run(String stdin, String... args) {
    List<String> command = new ArrayList<>(List.of("inject"));
    command.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        InjectCommand.run(
            command.toArray(String[]::new),
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Inject(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Standard input through {@code -f -}, with the test image. */
  static Inject stdin(String manifests, String... flags) {
    List<String> args = new ArrayList<>(List.of("-f", "-", "--image", IMAGE));
    args.addAll(List.of(flags));
    return run(manifests, args.toArray(String[]::new));
  }
}
