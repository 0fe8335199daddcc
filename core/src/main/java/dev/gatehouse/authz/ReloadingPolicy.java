package dev.gatehouse.authz;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.internal.FileWatch;
import dev.gatehouse.internal.ReloadingFile;
import dev.gatehouse.metrics.SourceStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The authorization rules of a configuration file, reloaded when the file changes.
 *
 * <p>A daemon thread polls the file ({@link FileWatch}, {@link ReloadingFile}), as the htpasswd and certificate reloads do. A changed file is loaded
 * and validated whole, with the same overrides as at start; only its {@code authorization} section is taken. A file
 * that is invalid keeps the previous rules in force, logs the reason with the key path once per version of the file,
 * and counts a failure. The request path reads one volatile field and takes no lock.
 *
 * <p>Thread-safe. {@link #close()} stops the polling.
 */
public final class ReloadingPolicy implements Supplier<PolicyEngine>, AutoCloseable {

  /** How often the configuration file is checked for changes. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

  private final ReloadingFile<PolicyEngine> rules;
  private final String file;
  private final @Nullable ScheduledExecutorService poller;

  private ReloadingPolicy(Path file, Map<String, String> overrides, PolicyEngine initial, Duration interval) {
    Map<String, String> fixedOverrides = Map.copyOf(overrides);
    this.file = file.toString();
    this.rules =
        ReloadingFile.watching(
            "configuration file " + file + " (authorization rules)",
            List.of(file),
            () -> PolicyEngine.compile(ConfigLoader.load(Optional.of(file), fixedOverrides).authorization()),
            engine -> engine.config().rules().size() + " rules",
            initial);
    this.poller = interval.isZero() ? null : FileWatch.poll("gatehouse-config-reload", interval, rules::reloadIfChanged);
  }

  /**
   * Starts watching a configuration file whose rules are already in force.
   *
   * @param file the YAML file the configuration was loaded from
   * @param overrides the overrides it was loaded with (the sidecar's flags and environment), applied again on reload
   * @param initial the rules compiled from the file at start
   * @return the watching policy; close it to stop
   */
  public static ReloadingPolicy watch(Path file, Map<String, String> overrides, PolicyEngine initial) {
    return watch(file, overrides, initial, DEFAULT_INTERVAL);
  }

  /**
   * As {@link #watch(Path, Map, PolicyEngine)}, with an explicit interval; {@link Duration#ZERO} disables polling so
   * that tests call {@link #reloadIfChanged()} themselves.
   *
   * @param file the YAML file
   * @param overrides the overrides
   * @param initial the rules in force
   * @param interval how often to check
   * @return the watching policy
   */
  public static ReloadingPolicy watch(Path file, Map<String, String> overrides, PolicyEngine initial, Duration interval) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(interval, "interval");
    return new ReloadingPolicy(file, overrides, initial, interval);
  }

  /**
   * The rules in force.
   *
   * @return the current engine
   */
  @Override
  public PolicyEngine get() {
    return rules.get();
  }

  /**
   * How many times changed rules were loaded and put in force.
   *
   * @return the count of successful reloads, not counting the load at start
   */
  public long reloadSuccesses() {
    return rules.successes();
  }

  /**
   * How many changed versions of the file were refused, keeping the previous rules.
   *
   * @return the count of failed reloads
   */
  public long reloadFailures() {
    return rules.failures();
  }

  /**
   * How the reloading is doing: unhealthy while a changed file was refused and the previous rules are still served.
   *
   * @return the status, of kind {@link SourceStatus#RULES}, named by the file's path
   */
  public SourceStatus status() {
    return rules.status(SourceStatus.RULES, file);
  }

  /** Loads the file again if it changed since the last attempt. Called by the polling thread; tests call it directly. */
  public void reloadIfChanged() {
    rules.reloadIfChanged();
  }

  /** Stops watching the file. Idempotent. */
  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
