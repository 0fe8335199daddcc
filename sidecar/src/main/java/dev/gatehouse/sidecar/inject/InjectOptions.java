package dev.gatehouse.sidecar.inject;

import dev.gatehouse.internal.LogText;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What {@code inject} was asked to do.
 *
 * @param input the manifest file, {@code -} for standard input
 * @param output the file to write, empty for standard output
 * @param configSecret the Secret holding {@code gatehouse.yaml} (and what it names), empty for {@code NAME-gatehouse}
 *     per workload
 * @param port the sidecar's listening port, what Services are pointed at
 * @param adminPort the admin listener's port: probes and {@code /metrics}
 * @param appPort the port the app listens on (on 127.0.0.1) and the Services pointed at before
 * @param image the sidecar's image
 */
record InjectOptions(String input, Optional<String> output, Optional<String> configSecret, int port, int adminPort, int appPort, String image) {

  static final int DEFAULT_PORT = 8000;
  static final int DEFAULT_ADMIN_PORT = 9901;
  static final int DEFAULT_APP_PORT = 8080;

  static final String USAGE =
      "Usage: java -jar gatehouse-sidecar.jar inject -f FILE|- [-o FILE] [--config-secret NAME] [--port 8000] [--admin-port 9901] [--app-port 8080] [--image IMAGE]";

  // A DNS-1123 subdomain, what Kubernetes requires of a Secret's name.
  private static final Pattern SECRET_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** A bad command line; the message is one line without the usage. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static String defaultImage() {
    return "gatehouse-sidecar:" + version();
  }

  /** Parses {@code inject}'s arguments, {@code args[0]} being {@code inject} itself. */
  static InjectOptions parse(String[] args) throws UsageException {
    String input = null;
    String output = null;
    String configSecret = null;
    Integer port = null;
    Integer adminPort = null;
    Integer appPort = null;
    String image = null;
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      String flag = arg;
      String value = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        flag = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      }
      if (!isFlag(flag)) {
        throw new UsageException("unknown argument " + LogText.printable(flag));
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException(flag + " needs a value");
        }
        value = args[++i];
      }
      switch (flag) {
        case "-f", "--filename" -> input = once(flag, input, value);
        case "-o", "--output" -> output = once(flag, output, value);
        case "--config-secret" -> configSecret = once(flag, configSecret, secretName(value));
        case "--port" -> port = once(flag, port, listenPort(flag, value));
        case "--admin-port" -> adminPort = once(flag, adminPort, listenPort(flag, value));
        case "--app-port" -> appPort = once(flag, appPort, port(flag, value));
        case "--image" -> image = once(flag, image, image(value));
        default -> throw new AssertionError(flag);
      }
    }
    if (input == null) {
      throw new UsageException("-f FILE (or -f - for standard input) is required");
    }
    if (input.isEmpty() || (output != null && output.isEmpty())) {
      throw new UsageException("-f and -o need a file name");
    }
    int sidecar = port == null ? DEFAULT_PORT : port;
    int admin = adminPort == null ? DEFAULT_ADMIN_PORT : adminPort;
    int app = appPort == null ? DEFAULT_APP_PORT : appPort;
    if (sidecar == admin || sidecar == app || admin == app) {
      throw new UsageException("--port (" + sidecar + "), --admin-port (" + admin + ") and --app-port (" + app + ") must be three different ports");
    }
    return new InjectOptions(input, Optional.ofNullable(output), Optional.ofNullable(configSecret), sidecar, admin, app, image == null ? defaultImage() : image);
  }

  private static boolean isFlag(String flag) {
    return switch (flag) {
      case "-f", "--filename", "-o", "--output", "--config-secret", "--port", "--admin-port", "--app-port", "--image" -> true;
      default -> false;
    };
  }

  private static <T> T once(String flag, T previous, T value) throws UsageException {
    if (previous != null) {
      throw new UsageException(flag + " given twice");
    }
    return value;
  }

  private static int port(String flag, String value) throws UsageException {
    try {
      int port = Integer.parseInt(value);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(flag + ": expected a port number 1-65535, found " + printable(value));
  }

  private static int listenPort(String flag, String value) throws UsageException {
    int port = port(flag, value);
    if (port < 1024) {
      // The sidecar runs as uid 65532 with every capability dropped; a Service can still expose port 80.
      throw new UsageException(flag + " " + port + ": the sidecar runs as a non-root user without capabilities and cannot listen below 1024; keep 8000 and let the Service's port be 80");
    }
    return port;
  }

  private static String secretName(String value) throws UsageException {
    if (value.length() > 253 || !SECRET_NAME.matcher(value).matches()) {
      throw new UsageException("--config-secret: " + printable(value) + " is not a Secret name (lower-case letters, digits, '-' and '.')");
    }
    return value;
  }

  private static String image(String value) throws UsageException {
    if (value.isBlank() || !value.strip().equals(value) || value.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new UsageException("--image: " + printable(value) + " is not an image reference");
    }
    return value;
  }

  private static String printable(String value) {
    return "'" + value.replaceAll("[\\p{Cntrl}]", "?") + "'";
  }

  private static String version() {
    Properties properties = new Properties();
    try (InputStream in = InjectOptions.class.getResourceAsStream("/dev/gatehouse/sidecar/version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // "latest" below: an image tag is not worth failing over
    }
    return properties.getProperty("version", "latest");
  }
}
