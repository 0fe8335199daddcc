package dev.gatehouse.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The type of one configuration key: how a value written in YAML, a flag, an environment variable or a Spring Boot
 * property becomes the Java value the configuration records hold.
 *
 * <p>Each type has a {@link Kind}, which is all that adapters need to know to bind it their own way: the starter binds a
 * {@link Kind#DURATION} as a {@code java.time.Duration} and a {@link Kind#SIZE} as a {@code DataSize}, then hands the
 * converted value to the same {@link #parse} as the YAML loader does. Instances are immutable and thread-safe.
 *
 * @param <T> the Java type of a parsed value
 */
public final class ConfigType<T> {

  /** What shape a value has in the tree. */
  public enum Kind {
    /** A single text value. */
    STRING,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** A whole number. */
    INTEGER,
    /** A duration: {@code 30s}, {@code 2m}, {@code 500ms}, or a number of seconds. */
    DURATION,
    /** A size in bytes: {@code 16384}, {@code 16KiB} or {@code 16k}. */
    SIZE,
    /** A file that must exist and be readable when the configuration is loaded. */
    FILE,
    /** A URL. */
    URL,
    /** {@code host:port}, {@code [v6]:port} or {@code :port}. */
    HOST_PORT,
    /** One of a fixed set of words, listed by {@link #allowedValues()}. */
    ENUM,
    /** A list of text values; a single value is read as a list of one. */
    LIST,
    /** A mapping of names to text values. */
    MAP,
    /** A mapping of further keys. */
    SECTION,
    /** A list of mappings of further keys. */
    SECTION_LIST
  }

  /** A single text value, surrounding spaces stripped. */
  public static final ConfigType<String> STRING = new ConfigType<>(Kind.STRING, List.of(), String.class, value -> value);

  /** A single text value exactly as written, surrounding spaces kept, as a token prefix needs. */
  public static final ConfigType<String> RAW_STRING = new ConfigType<>(Kind.STRING, List.of(), String.class, value -> value);

  /** {@code true} or {@code false}. */
  public static final ConfigType<Boolean> BOOLEAN = new ConfigType<>(Kind.BOOLEAN, List.of("true", "false"), Boolean.class, ConfigType::bool);

  /** A whole number. */
  public static final ConfigType<Integer> INTEGER = new ConfigType<>(Kind.INTEGER, List.of(), Integer.class, ConfigType::integer);

  /** A duration. */
  public static final ConfigType<Duration> DURATION = new ConfigType<>(Kind.DURATION, List.of(), Duration.class, ConfigType::duration);

  /** A size in bytes. */
  public static final ConfigType<Integer> SIZE = new ConfigType<>(Kind.SIZE, List.of(), Integer.class, ConfigType::size);

  /** A readable regular file, resolved against the working directory. */
  public static final ConfigType<Path> FILE = new ConfigType<>(Kind.FILE, List.of(), Path.class, ConfigType::readableFile);

  /** A URL. */
  public static final ConfigType<URI> URL = new ConfigType<>(Kind.URL, List.of(), URI.class, ConfigType::uri);

  /** The sidecar's upstream: {@code http(s)://host:port} or {@code unix:/path.sock}. */
  public static final ConfigType<URI> UPSTREAM = new ConfigType<>(Kind.URL, List.of(), URI.class, Upstreams::parse);

  /** An address to listen on. */
  public static final ConfigType<InetSocketAddress> HOST_PORT =
      new ConfigType<>(Kind.HOST_PORT, List.of(), InetSocketAddress.class, ConfigType::hostPort);

  /** A list of text values. */
  @SuppressWarnings("unchecked")
  public static final ConfigType<List<String>> LIST = new ConfigType<>(Kind.LIST, List.of(), (Class<List<String>>) (Class<?>) List.class, value -> {
    throw new IllegalStateException("lists are read element by element");
  });

  /**
   * A list of text values where a single value is split at commas, so that flags and environment variables can set the
   * list too; only for lists whose values never hold a comma, such as TLS protocol names.
   */
  @SuppressWarnings("unchecked")
  public static final ConfigType<List<String>> COMMA_SEPARATED_LIST =
      new ConfigType<>(Kind.LIST, List.of(), (Class<List<String>>) (Class<?>) List.class, value -> {
        throw new IllegalStateException("lists are read element by element");
      });

  /** A mapping of names to text values. */
  @SuppressWarnings("unchecked")
  public static final ConfigType<Map<String, String>> MAP = new ConfigType<>(Kind.MAP, List.of(), (Class<Map<String, String>>) (Class<?>) Map.class, value -> {
    throw new IllegalStateException("maps are read entry by entry");
  });

  /** A mapping of further keys. */
  public static final ConfigType<Void> SECTION = new ConfigType<>(Kind.SECTION, List.of(), Void.class, value -> {
    throw new IllegalStateException("sections are read key by key");
  });

  /** A list of mappings of further keys. */
  public static final ConfigType<Void> SECTION_LIST = new ConfigType<>(Kind.SECTION_LIST, List.of(), Void.class, value -> {
    throw new IllegalStateException("section lists are read element by element");
  });

  private final Kind kind;
  private final List<String> allowedValues;
  private final Class<T> javaType;
  private final Function<String, T> parser;

  private ConfigType(Kind kind, List<String> allowedValues, Class<T> javaType, Function<String, T> parser) {
    this.kind = kind;
    this.allowedValues = List.copyOf(allowedValues);
    this.javaType = javaType;
    this.parser = parser;
  }

  /**
   * One of a fixed set of words, each standing for a value (an enum constant, usually).
   *
   * @param values the words in the order help texts list them, and what each means
   * @param javaType the type of the values
   * @param <E> the type of the values
   * @return the type
   */
  public static <E> ConfigType<E> oneOf(Map<String, E> values, Class<E> javaType) {
    Map<String, E> copy = Map.copyOf(values);
    List<String> words = List.copyOf(values.keySet());
    return new ConfigType<>(
        Kind.ENUM,
        words,
        javaType,
        text -> {
          E value = copy.get(text.strip().toLowerCase(Locale.ROOT));
          if (value == null) {
            throw new IllegalArgumentException("expected " + or(words) + ", found " + text);
          }
          return value;
        });
  }

  /**
   * The words of a {@link java.util.LinkedHashMap}-ordered enum type, in a stable order for help texts.
   *
   * @param constants the enum's constants
   * @param <E> the enum type
   * @return a map from the lower-case name to the constant, in declaration order
   */
  public static <E extends Enum<E>> Map<String, E> lowerCaseNames(E[] constants) {
    Map<String, E> names = new java.util.LinkedHashMap<>();
    for (E constant : constants) {
      names.put(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'), constant);
    }
    return names;
  }

  /**
   * What shape values of this type have.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * The words an {@link Kind#ENUM} accepts, or {@code true}/{@code false} for a boolean.
   *
   * @return the words; empty for other kinds
   */
  public List<String> allowedValues() {
    return allowedValues;
  }

  /**
   * The Java type of parsed values.
   *
   * @return the class
   */
  public Class<T> javaType() {
    return javaType;
  }

  /**
   * Turns one value from the tree into the Java value. Besides text, a value already of the Java type (a {@code
   * Duration} bound by Spring Boot, say) or a number for numeric kinds is accepted as it is.
   *
   * @param value the value as the tree holds it
   * @return the parsed value
   * @throws IllegalArgumentException saying what was expected, if the value does not fit
   */
  public T parse(Object value) {
    Objects.requireNonNull(value, "value");
    if (javaType.isInstance(value) && kind != Kind.FILE) {
      return javaType.cast(value);
    }
    return parser.apply(String.valueOf(value));
  }

  private static String or(List<String> words) {
    if (words.size() == 1) {
      return words.get(0);
    }
    return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
  }

  private static boolean bool(String text) {
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("expected true or false, found " + text);
    };
  }

  private static int integer(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a whole number, found " + text);
    }
  }

  /** Parses {@code 30s}, {@code 2m}, {@code 500ms}, or a plain number of seconds. */
  private static Duration duration(String value) {
    String text = value.toLowerCase(Locale.ROOT);
    try {
      if (text.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
      }
      if (text.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
      }
      if (text.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
      }
      if (text.endsWith("h")) {
        return Duration.ofHours(Long.parseLong(text.substring(0, text.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(text));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a duration such as 30s, 2m or 500ms, found " + value);
    }
  }

  /** Parses a size in bytes: {@code 16384}, {@code 16KiB} or {@code 16k}. */
  private static int size(String value) {
    String text = value.toLowerCase(Locale.ROOT).strip();
    int multiplier = 1;
    if (text.endsWith("kib") || text.endsWith("kb") || text.endsWith("k")) {
      multiplier = 1024;
      text = text.replaceAll("k(i?b)?$", "");
    } else if (text.endsWith("b")) {
      text = text.substring(0, text.length() - 1);
    }
    try {
      return Math.multiplyExact(Integer.parseInt(text.strip()), multiplier);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("expected a size in bytes such as 16384 or 16KiB, found " + value);
    }
  }

  /** Checks a file up front so that a typo fails at start with the key's name, not at the first request. */
  private static Path readableFile(String value) {
    Path path;
    try {
      path = Path.of(value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a valid path: " + value);
    }
    if (!java.nio.file.Files.exists(path)) {
      throw new IllegalArgumentException("no such file " + value);
    }
    if (!java.nio.file.Files.isRegularFile(path)) {
      throw new IllegalArgumentException("not a regular file: " + value);
    }
    if (!java.nio.file.Files.isReadable(path)) {
      throw new IllegalArgumentException("cannot read " + value);
    }
    return path.toAbsolutePath().normalize();
  }

  private static URI uri(String value) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + value);
    }
  }

  /** Parses {@code host:port}, {@code [v6]:port} or {@code :port}. */
  static InetSocketAddress hostPort(String value) {
    int colon = value.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected host:port, such as 0.0.0.0:8000, found " + value);
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException("write IPv6 addresses in brackets, as in [::1]:8000");
    }
    if (host.isEmpty()) {
      host = "0.0.0.0";
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port must be a number, found " + value.substring(colon + 1));
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, found " + port);
    }
    return InetSocketAddress.createUnresolved(host, port);
  }
}
