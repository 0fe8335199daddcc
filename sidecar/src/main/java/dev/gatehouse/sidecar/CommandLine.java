package dev.gatehouse.sidecar;

import dev.gatehouse.internal.LogText;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigKey;
import dev.gatehouse.config.ConfigSchema;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.tls.SelfSignedCertificate;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sidecar's command line and {@code GATEHOUSE_*} environment, turned into configuration overrides.
 *
 * <p>This class only translates: each flag and variable becomes a dotted key of the configuration tree, and {@link
 * ConfigLoader} validates the result, so a bad value reads the same whether it came from a flag, the environment or the
 * file. Precedence is flags, then environment, then file. Empty environment variables count as unset, since
 * orchestrators often define a variable with no value.
 *
 * @param action what the process should do
 * @param configFile the YAML file, if any
 * @param overrides dotted keys to values, flags over environment
 * @param shutdownTimeout how long SIGTERM waits for in-flight requests
 * @param selfSigned whether to serve TLS with a throwaway self-signed certificate ({@code --self-signed})
 */
record CommandLine(Action action, Optional<Path> configFile, Map<String, String> overrides, Duration shutdownTimeout, boolean selfSigned) {

  /** What the process should do. */
  enum Action {
    RUN,
    HELP,
    VERSION
  }

  static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);

  /** A flag and its environment variable; {@code key} is the configuration key it sets, empty for the sidecar's own. */
  private record Option(String flag, String env, String key, String valueName, String description) {
    boolean isSwitch() {
      return valueName.isEmpty();
    }

    /** The option of a schema key: its flag, variable, placeholder and description, with its default. */
    static Option of(ConfigKey<?> key) {
      String flag = key.flag().orElseThrow();
      // A switch turns its key on, so the key's default (what an empty section means) would mislead here.
      boolean isSwitch = key.flagValueName().isEmpty();
      String description =
          key.description().replaceAll("\\.$", "") + (isSwitch ? "" : key.defaultValue().map(value -> " (default " + value + ")").orElse(""));
      return new Option(flag, key.environmentVariable().orElseThrow(), key.path(), key.flagValueName(), description);
    }
  }

  private static final String CONFIG_ENV = "GATEHOUSE_CONFIG";

  /** The sidecar's own options first, then every configuration key that has a flag, as the schema declares them. */
  private static final List<Option> OPTIONS = options();

  private static List<Option> options() {
    List<Option> options = new ArrayList<>();
    options.add(new Option("--config", CONFIG_ENV, "", "FILE", "YAML configuration file"));
    for (ConfigKey<?> key : ConfigSchema.keys()) {
      if (key.flag().isPresent()) {
        options.add(Option.of(key));
      }
    }
    options.add(new Option("--self-signed", "GATEHOUSE_SELF_SIGNED", "", "", "serve HTTPS with a throwaway CA and certificate for localhost (trials only)"));
    options.add(
        new Option(
            "--shutdown-timeout",
            "",
            "",
            "SECONDS",
            "on SIGTERM, how long in-flight requests may take to finish (default " + DEFAULT_SHUTDOWN_TIMEOUT.toSeconds() + ")"));
    return List.copyOf(options);
  }

  static final String HELP = help();

  /**
   * Parses arguments and environment.
   *
   * @param args the command line
   * @param env the environment, such as {@link System#getenv()}
   * @return the parsed command line
   * @throws ConfigException for an unknown flag, a missing value or a bad shutdown timeout
   */
  static CommandLine parse(String[] args, Map<String, String> env) {
    Map<String, String> overrides = new LinkedHashMap<>();
    for (Option option : OPTIONS) {
      if (!option.key().isEmpty()) {
        nonEmpty(env.get(option.env())).ifPresent(value -> overrides.put(option.key(), value));
      }
    }
    Optional<String> config = nonEmpty(env.get(CONFIG_ENV));
    Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    boolean selfSigned = nonEmpty(env.get("GATEHOUSE_SELF_SIGNED")).map(value -> bool("GATEHOUSE_SELF_SIGNED", value)).orElse(false);

    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      int equals = arg.indexOf('=');
      String flag = equals < 0 ? arg : arg.substring(0, equals);
      switch (flag) {
        case "--help", "-h" -> {
          return new CommandLine(Action.HELP, Optional.empty(), Map.of(), shutdownTimeout, false);
        }
        case "--version" -> {
          return new CommandLine(Action.VERSION, Optional.empty(), Map.of(), shutdownTimeout, false);
        }
        default -> {
          Option option = option(flag);
          String value;
          if (equals >= 0) {
            value = arg.substring(equals + 1);
          } else if (option.isSwitch()) {
            // A switch never takes the next argument, so "--allow-remote-upstream --listen ..." reads as meant.
            value = "true";
          } else {
            value = valueAfter(args, i, flag);
            i++;
          }
          switch (flag) {
            case "--config" -> config = Optional.of(value);
            case "--shutdown-timeout" -> shutdownTimeout = seconds(flag, value);
            case "--self-signed" -> selfSigned = bool(flag, value);
            default -> overrides.put(option.key(), value);
          }
        }
      }
    }
    if (selfSigned && (overrides.containsKey("tls.certificate") || overrides.containsKey("tls.private-key"))) {
      throw new ConfigException("", "--self-signed cannot be combined with --tls-cert or --tls-key");
    }
    return new CommandLine(Action.RUN, config.map(CommandLine::path), Map.copyOf(overrides), shutdownTimeout, selfSigned);
  }

  /**
   * Loads and validates the configuration these options describe.
   *
   * @return the configuration
   * @throws ConfigException if it is invalid
   */
  GatehouseConfig load() {
    return ConfigLoader.load(configFile, overrides);
  }

  /**
   * As {@link #load()}, serving TLS with the given throwaway certificate ({@code --self-signed}).
   *
   * @throws ConfigException if it is invalid, or the file configures its own certificate
   */
  GatehouseConfig load(SelfSignedCertificate selfSigned) {
    return ConfigLoader.load(configFile, overridesWith(selfSigned));
  }

  /**
   * The overrides, plus the throwaway certificate and key as {@code tls.certificate} and {@code tls.private-key}.
   *
   * @throws ConfigException if the file or the flags configure a certificate of their own
   */
  Map<String, String> overridesWith(SelfSignedCertificate selfSigned) {
    if (configuresCertificate()) {
      throw new ConfigException("tls", "--self-signed cannot be combined with a configured certificate or keystore");
    }
    Map<String, String> withCertificate = new LinkedHashMap<>(overrides);
    withCertificate.put("tls.certificate", selfSigned.certificate().toString());
    withCertificate.put("tls.private-key", selfSigned.privateKey().toString());
    return Map.copyOf(withCertificate);
  }

  /** Whether the file or the flags name a certificate; a configuration that fails to load names none worth keeping. */
  private boolean configuresCertificate() {
    try {
      return ConfigLoader.load(configFile, overrides).tls().isPresent();
    } catch (ConfigException e) {
      // Incomplete without the throwaway certificate (say, only tls.profile is set): the real load reports the rest.
      return e.key().equals("tls.keystore");
    }
  }

  private static boolean bool(String name, String value) {
    return switch (value.strip()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException("", name + ": expected true or false, found " + LogText.printable(value));
    };
  }

  private static Option option(String flag) {
    for (Option option : OPTIONS) {
      if (option.flag().equals(flag)) {
        return option;
      }
    }
    throw new ConfigException("", "unknown option " + LogText.printable(flag) + "; see --help");
  }

  private static String valueAfter(String[] args, int index, String flag) {
    if (index + 1 >= args.length || args[index + 1].startsWith("--")) {
      throw new ConfigException("", flag + " needs a value; see --help");
    }
    return args[index + 1];
  }

  private static Path path(String value) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new ConfigException("", "--config: not a valid path: " + LogText.printable(value));
    }
  }

  private static Duration seconds(String flag, String value) {
    try {
      long seconds = Long.parseLong(value.strip());
      if (seconds >= 0) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // reported below, with the value
    }
    throw new ConfigException("", flag + ": expected a whole number of seconds, found " + LogText.printable(value));
  }

  private static Optional<String> nonEmpty(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  private static String help() {
    StringBuilder help =
        new StringBuilder()
            .append("Usage: java -jar gatehouse-sidecar.jar [options]\n")
            .append("       java -jar gatehouse-sidecar.jar check --config FILE [--method M --path P --user U --peer P ...]\n")
            .append("       java -jar gatehouse-sidecar.jar keygen --out DIR                 (assertion key pair, docs/zero-trust.md)\n")
            .append("       java -jar gatehouse-sidecar.jar loopback-guard --app-port P --sidecar-uid UID (--print | --apply)\n")
            .append("       java -jar gatehouse-sidecar.jar inject -f app.yaml [-o out.yaml] ...  (Kubernetes manifests, docs/kubernetes.md)\n\n")
            .append("Authenticates every request and forwards the allowed ones to a local app.\n\n")
            .append("Options (--flag VALUE or --flag=VALUE):\n");
    for (Option option : OPTIONS) {
      row(help, option.flag() + (option.isSwitch() ? "" : " " + option.valueName()), option.description());
    }
    row(help, "--help", "print this help and exit");
    row(help, "--version", "print the version and exit");
    help.append("\nEnvironment (flags win over the environment, which wins over the file):\n");
    for (Option option : OPTIONS) {
      if (!option.env().isEmpty()) {
        row(help, option.env(), "as " + option.flag());
      }
    }
    row(help, "GATEHOUSE_LOG_LEVEL", "level of Gatehouse's own log (default INFO; DEBUG logs each refusal)");
    return help.append("\nExit status: 0 after --help, --version or SIGTERM; 2 on bad configuration.\n").toString();
  }

  private static void row(StringBuilder help, String left, String right) {
    help.append("  ").append("%-34s".formatted(left)).append(right).append('\n');
  }
}
