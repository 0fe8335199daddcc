package dev.gatehouse.authz;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.internal.FileStamp;
import dev.gatehouse.internal.FileWatch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authorization rules of a configuration file, reloaded when the file changes.
 *
 * <p>A daemon thread polls the file's metadata as the htpasswd reload does ({@link FileWatch}). A changed file is loaded
 * and validated whole, with the same overrides as at start; only its {@code authorization} section is taken. A file
 * that is invalid keeps the previous rules in force, logs the reason with the key path once per version of the file,
 * and counts a failure. The request path reads one volatile field and takes no lock.
 *
 * <p>Thread-safe. {@link #close()} stops the polling.
 */
public final class ReloadingPolicy implements Supplier<PolicyEngine>, AutoCloseable {

  /** How often the configuration file is checked for changes. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(ReloadingPolicy.class);

  /** Stands for a file that could not be read at all, so that it is reported once, not at every poll. */

  private final Path file;
  private final Map<String, String> overrides;
  private final @Nullable ScheduledExecutorService poller;
  private final AtomicLong successes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile PolicyEngine current;
  private volatile @Nullable FileStamp loadedStamp;
  private volatile @Nullable FileStamp failedStamp;

  private ReloadingPolicy(Path file, Map<String, String> overrides, PolicyEngine initial, Duration interval) {
    this.file = file;
    this.overrides = Map.copyOf(overrides);
    this.current = initial;
    try {
      this.loadedStamp = FileStamp.of(file);
    } catch (IOException e) {
      this.loadedStamp = null;
    }
    this.poller = interval.isZero() ? null : FileWatch.poll("gatehouse-config-reload", interval, this::reloadIfChanged);
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
    return current;
  }

  /**
   * How many times changed rules were loaded and put in force.
   *
   * @return the count of successful reloads, not counting the load at start
   */
  public long reloadSuccesses() {
    return successes.get();
  }

  /**
   * How many changed versions of the file were refused, keeping the previous rules.
   *
   * @return the count of failed reloads
   */
  public long reloadFailures() {
    return failures.get();
  }

  /** Loads the file again if its metadata changed since the last attempt. Called by the polling thread. */
  public void reloadIfChanged() {
    FileStamp stamp;
    try {
      stamp = FileStamp.of(file);
    } catch (IOException e) {
      // One stamp for "unreadable", so the failure is logged and counted once until the file changes again.
      fail(new FileStamp(file, -1, -1, null), "cannot read it (" + e.getClass().getSimpleName() + ")");
      return;
    }
    if (stamp.equals(loadedStamp) || stamp.equals(failedStamp)) {
      return;
    }
    try {
      PolicyEngine engine = PolicyEngine.compile(ConfigLoader.load(Optional.of(file), overrides).authorization());
      current = engine;
      loadedStamp = stamp;
      failedStamp = null;
      successes.incrementAndGet();
      log.info("reloaded authorization rules from {}: {} rules", file, engine.config().rules().size());
    } catch (ConfigException e) {
      fail(stamp, e.getMessage());
    } catch (RuntimeException e) {
      // Never let the polling thread die: a later fix to the file must still be picked up.
      fail(stamp, e.toString());
    }
  }

  private void fail(FileStamp stamp, String why) {
    if (!stamp.equals(failedStamp)) {
      failures.incrementAndGet();
      log.warn("configuration file {} changed but {}; keeping the previous authorization rules", file, why);
    }
    failedStamp = stamp;
  }

  /** Stops watching the file. Idempotent. */
  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
