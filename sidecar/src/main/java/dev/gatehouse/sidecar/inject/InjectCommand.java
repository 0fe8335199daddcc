package dev.gatehouse.sidecar.inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.ByteBuffer;

/**
 * {@code gatehouse-sidecar inject -f app.yaml [-o out.yaml] [--config-secret NAME] [--port 8000] [--admin-port 9901]
 * [--app-port 8080] [--image IMAGE]}: writes Kubernetes manifests guarded by Gatehouse (docs/kubernetes.md).
 *
 * <p>Exit status: 0 written; 1 the output could not be written; 2 a bad command line (with the usage line), an input
 * that cannot be read, or a document that cannot be guarded (one line naming it and why). Nothing is written unless
 * every document could be guarded.
 */
public final class InjectCommand {

  static final String HELP =
      InjectOptions.USAGE
          + "\n\n"
          + """
          Reads Kubernetes manifests (multi-document YAML; -f - for standard input) and writes them guarded by
          Gatehouse (to standard output unless -o): each Deployment, StatefulSet, DaemonSet and Pod gets the sidecar
          as a native sidecar (an init container with restartPolicy: Always, Kubernetes 1.29+) listening on --port
          and forwarding to the app on 127.0.0.1:--app-port, with probes on --admin-port, its configuration from the
          Secret --config-secret (default NAME-gatehouse, keys gatehouse.yaml and the files it names), a locked-down
          securityContext, resources and JDK_JAVA_OPTIONS; Services that pointed at --app-port point at --port; and
          a NetworkPolicy NAME-gatehouse admits ingress to the pod only on --port and --admin-port. Other documents
          pass through unchanged. Running it again on its output changes nothing.

            -f, --filename FILE     the manifests to read, - for standard input
            -o, --output FILE       where to write them (default standard output)
            --config-secret NAME    the Secret with gatehouse.yaml (default NAME-gatehouse, NAME the workload's)
            --port PORT             the sidecar's port, which Services are pointed at (default 8000)
            --admin-port PORT       /livez, /readyz and /metrics (default 9901)
            --app-port PORT         the app's port, on 127.0.0.1 in the pod (default 8080)
            --image IMAGE           the sidecar's image (default %s)

          Exit status: 0 written, 1 the output could not be written, 2 bad command line or a document that cannot
          be guarded (nothing is written then).
          """.formatted(InjectOptions.defaultImage());

  private InjectCommand() {}

  /**
   * Runs {@code inject}.
   *
   * @param args the command line, {@code args[0]} being {@code inject}
   * @param stdin read for {@code -f -}
   * @param out the manifests without {@code -o}, and the help
   * @param err the one-line reason of a failure
   * @return the exit status
   */
  public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        out.print(HELP);
        return 0;
      }
    }
    InjectOptions options;
    try {
      options = InjectOptions.parse(args);
    } catch (InjectOptions.UsageException e) {
      err.println("gatehouse inject: " + e.getMessage());
      err.println(InjectOptions.USAGE);
      return 2;
    }
    String source;
    try {
      byte[] bytes = options.input().equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(options.input()));
      source = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (NoSuchFileException e) {
      err.println("gatehouse inject: no such file " + options.input());
      return 2;
    } catch (CharacterCodingException e) {
      err.println("gatehouse inject: " + options.input() + " is not UTF-8 text");
      return 2;
    } catch (IOException | InvalidPathException e) {
      err.println("gatehouse inject: cannot read " + options.input() + ": " + e.getMessage());
      return 2;
    }
    String guarded;
    try {
      guarded = new Injector(options, JvmOptions.packaged()).inject(source);
    } catch (InjectRefusal e) {
      err.println("gatehouse inject: " + e.getMessage());
      return 2;
    }
    if (options.output().isEmpty()) {
      out.print(guarded);
      out.flush();
      return out.checkError() ? 1 : 0;
    }
    try {
      write(Path.of(options.output().get()), guarded);
      return 0;
    } catch (IOException | InvalidPathException e) {
      err.println("gatehouse inject: cannot write " + options.output().get() + ": " + e.getMessage());
      return 1;
    }
  }

  /** Whole or not at all: a reader of the file never sees half of it, and a failed write leaves the old one. */
  private static void write(Path file, String text) throws IOException {
    Path directory = file.toAbsolutePath().getParent();
    Path temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp");
    try {
      Files.writeString(temporary, text, StandardCharsets.UTF_8);
      try {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
