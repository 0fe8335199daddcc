package dev.gatehouse.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What identifies one version of a file on disk, for the pollers that reload files when they change (htpasswd,
 * certificates, keys).
 *
 * <p>The stamp follows symbolic links and records where they lead, as well as the target's size, modification time and
 * file key (inode). Together these catch editors that rewrite in place, atomic renames, and the Kubernetes Secret
 * volume pattern where {@code tls.crt -> ..data/tls.crt} and {@code ..data} is swapped atomically to a new directory:
 * after the swap the real path differs even when size and time happen to match. Comparing stamps is cheap and needs no
 * file content, so polling every few seconds costs a few {@code stat} calls.
 *
 * @param realPath the file after resolving every symbolic link
 * @param size the size in bytes
 * @param modifiedNanos the modification time
 * @param fileKey the file system's identity of the file (inode and device), when it has one
 */
public record FileStamp(Path realPath, long size, long modifiedNanos, @Nullable Object fileKey) {

  /** Checks the arguments. */
  public FileStamp {
    Objects.requireNonNull(realPath, "realPath");
  }

  /**
   * Reads the stamp of a file now.
   *
   * @param path the file, possibly a symbolic link
   * @return its stamp
   * @throws IOException if the file, or a link on the way to it, cannot be read
   */
  public static FileStamp of(Path path) throws IOException {
    Path real = path.toRealPath();
    BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
    return new FileStamp(real, attributes.size(), attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), attributes.fileKey());
  }
}
