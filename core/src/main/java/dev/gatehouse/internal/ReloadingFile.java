package dev.gatehouse.internal;

import java.io.IOException;
import dev.gatehouse.metrics.SourceStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value read from files (an htpasswd file, the configuration file's rules, a certificate and its key) that is read
 * again when the files change, keeping the last good version when the new one is refused: the one reload state machine
 * Gatehouse has.
 *
 * <p>Design: {@link #reloadIfChanged()} compares the files' {@link FileStamp}s with those of the version in force and
 * those of the last refused version; only a change to both loads anything, so a bad file is loaded, logged and counted
 * once, not at every poll, and a later fix is still picked up. The loader's exceptions never escape: a polling thread
 * that died would never see the fix. The owner decides how often to call it ({@link FileWatch#poll}), so one thread can
 * serve several of these. Reads are lock-free ({@code volatile}); only the polling thread writes.
 *
 * @param <T> the loaded value
 */
public final class ReloadingFile<T> implements Supplier<T> {

  /** Reads the files into a value, throwing for content that must not be put in force. */
  @FunctionalInterface
  public interface Loader<T> {
    /**
     * Reads the files.
     *
     * @return the new value
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if the content is invalid; its message says why and is logged
     */
    T load() throws IOException;
  }

  private static final Logger log = LoggerFactory.getLogger(ReloadingFile.class);

  private final String description;
  private final List<Path> files;
  private final Loader<T> loader;
  private final Function<T, String> summary;
  private final AtomicLong successes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile Version<T> current;
  // Written and read under this object's lock by reloadIfChanged (and the constructor).
  private @Nullable List<FileStamp> currentStamps;
  private @Nullable List<FileStamp> refused;
  private volatile @Nullable String lastError;
  private volatile @Nullable Instant lastSuccess;

  /**
   * One version of the value, and which one it is, read together.
   *
   * @param value the value
   * @param generation 1 for the version loaded at start, one more for each reload
   * @param <T> the value
   */
  public record Version<T>(T value, long generation) {}

  private ReloadingFile(String description, List<Path> files, Loader<T> loader, Function<T, String> summary, T initial) {
    this.description = description;
    this.files = List.copyOf(files);
    this.loader = loader;
    this.summary = summary;
    this.current = new Version<>(initial, 1);
    this.currentStamps = stampsOrNull(this.files);
  }

  /**
   * Watches files whose current content is already loaded.
   *
   * @param description what the files are, for log lines, such as {@code "htpasswd file /etc/htpasswd"}
   * @param files the files the value is read from
   * @param loader reads them again
   * @param summary a short account of a loaded value for the log, such as {@code "12 users"}
   * @param initial the value in force now, read from the files as they are
   * @param <T> the value
   * @return the reloading value
   */
  public static <T> ReloadingFile<T> watching(String description, List<Path> files, Loader<T> loader, Function<T, String> summary, T initial) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(loader, "loader");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(initial, "initial");
    return new ReloadingFile<>(description, files, loader, summary, initial);
  }

  /**
   * The version in force.
   *
   * @return the value
   */
  @Override
  public T get() {
    return current.value();
  }

  /**
   * The version in force and its generation, read at once; two separate reads could straddle a reload.
   *
   * @return the version
   */
  public Version<T> current() {
    return current;
  }

  /**
   * Which version is in force: 1 for the one loaded at start, one more for each reload.
   *
   * @return the generation
   */
  public long generation() {
    return current.generation();
  }

  /**
   * How many changed versions were put in force.
   *
   * @return the count, not counting the load at start
   */
  public long successes() {
    return successes.get();
  }

  /**
   * How many changed versions were refused, keeping the one in force.
   *
   * @return the count
   */
  public long failures() {
    return failures.get();
  }

  /**
   * Why the last changed version was refused.
   *
   * @return the reason; empty when the last change was put in force, or there was none
   */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /**
   * A snapshot for health checks and metrics: unhealthy while the last changed version was refused, so that the one
   * in force is being served past its replacement.
   *
   * @param kind what the files are, {@link SourceStatus#kind()}
   * @param name which ones, such as the path
   * @return the status
   */
  public SourceStatus status(String kind, String name) {
    String error = lastError;
    return new SourceStatus(kind, name, successes.get(), failures.get(), Optional.ofNullable(lastSuccess), Optional.ofNullable(error), error == null);
  }

  /**
   * Reads the files again if they changed since the version in force and since the last refused version.
   *
   * @return the new value, when one was put in force
   */
  public synchronized Optional<T> reloadIfChanged() {
    List<FileStamp> stamps;
    try {
      stamps = stamps(files);
    } catch (IOException e) {
      // Mid-swap a link can dangle for a moment; the next poll sees the finished state. A lasting gap is reported once.
      refuse(List.of(), "cannot read it (" + LogText.oneLine(e.toString()) + ")");
      return Optional.empty();
    }
    Version<T> inForce = current;
    if (stamps.equals(currentStamps) || stamps.equals(refused)) {
      return Optional.empty();
    }
    T value;
    try {
      value = loader.load();
    } catch (IOException e) {
      refuse(stamps, "cannot read it (" + LogText.oneLine(e.toString()) + ")");
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      refuse(stamps, LogText.oneLine(e.getMessage()));
      return Optional.empty();
    } catch (RuntimeException e) {
      refuse(stamps, LogText.oneLine(e.toString()));
      return Optional.empty();
    }
    current = new Version<>(value, inForce.generation() + 1);
    currentStamps = stamps;
    refused = null;
    lastError = null;
    lastSuccess = Instant.now();
    successes.incrementAndGet();
    log.info("reloaded {}: {}", description, summary.apply(value));
    return Optional.of(value);
  }

  private void refuse(List<FileStamp> stamps, String why) {
    if (!stamps.equals(refused) || !why.equals(lastError)) {
      failures.incrementAndGet();
      log.warn("{} changed but {}; keeping the previous version ({})", description, why, summary.apply(current.value()));
    }
    refused = stamps;
    lastError = why;
  }

  private static @Nullable List<FileStamp> stampsOrNull(List<Path> files) {
    try {
      return stamps(files);
    } catch (IOException e) {
      return null;
    }
  }

  private static List<FileStamp> stamps(List<Path> files) throws IOException {
    List<FileStamp> stamps = new ArrayList<>(files.size());
    for (Path file : files) {
      stamps.add(FileStamp.of(file));
    }
    return stamps;
  }
}
