package dev.gatehouse.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How Gatehouse notices that a file it loaded has changed: one daemon thread per watched file (or set of files) polls
 * its {@link FileStamp}. Polling catches editors, atomic renames and Kubernetes' {@code ..data} symlink swap, where
 * file-system events often miss the last two.
 */
public final class FileWatch {

  private FileWatch() {}

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
