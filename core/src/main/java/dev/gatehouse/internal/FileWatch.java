package dev.gatehouse.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * How Gatehouse notices that a file it loaded has changed: one daemon thread per watched file polls its metadata.
 * Polling the size, modification time and file key (following symlinks) catches editors, atomic renames and
 * Kubernetes' {@code ..data} symlink swap, where file-system events often miss the last two.
 */
public final class FileWatch {

  private FileWatch() {}

  /**
   * What identifies one version of a file on disk.
   *
   * @param size the size in bytes
   * @param modifiedNanos the modification time
   * @param fileKey the file system's identity of the file, when it has one
   */
  public record Stamp(long size, long modifiedNanos, @Nullable Object fileKey) {
    /**
     * Reads the stamp of a file, following symlinks.
     *
     * @param path the file
     * @return its stamp
     * @throws IOException if the file cannot be read
     */
    public static Stamp of(Path path) throws IOException {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      return new Stamp(attributes.size(), attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), attributes.fileKey());
    }
  }

  /**
   * Runs {@code check} every {@code interval} on a new daemon thread. The check must catch its own exceptions, as a
   * throwing task is never run again.
   *
   * @param threadName the thread's name, for thread dumps
   * @param interval the delay between two checks
   * @param check the task
   * @return the executor; shut it down to stop polling
   */
  public static ScheduledExecutorService poll(String threadName, Duration interval, Runnable check) {
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, threadName);
              thread.setDaemon(true);
              return thread;
            });
    long millis = interval.toMillis();
    executor.scheduleWithFixedDelay(check, millis, millis, TimeUnit.MILLISECONDS);
    return executor;
  }
}
