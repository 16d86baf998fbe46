package org.jbert.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.jbert.core.JbertException;

/**
 * Writing files so that nothing half-written is ever left at the destination: write a temp file beside it, then
 * rename it into place.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Body of a write that may throw. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /** Writes {@code target} through {@code body}; on any failure the temp file is removed and target is untouched. */
  public static void write(Path target, Writer body) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        body.write(out);
      }
      makeReadable(tmp);
      moveIntoPlace(tmp, target);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new JbertException(target + ": cannot write (" + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
  }

  /** Renames {@code tmp} onto {@code target}, atomically where the file system allows. */
  public static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Temp files are created owner-only (0600); the finished file gets the usual rw-r--r-- so that it looks like any
   * other file the user writes.
   */
  static void makeReadable(Path p) throws IOException {
    if (Files.getFileStore(p).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
    }
  }

  private static void deleteQuietly(Path p) {
    if (p == null) return;
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: the temp file has a dot name and a .tmp suffix
    }
  }

  /**
   * Deletes {@code root} and everything below it, best effort: a file that cannot be deleted is left behind (callers
   * only delete their own temp or superseded folders, which have dot names and are never read as results).
   */
  public static void deleteTree(Path root) {
    try (java.util.stream.Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort, see above
        }
      }
    } catch (IOException ignored) {
      // already gone
    }
  }
}
