package org.jbert.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** Body of one file of {@link #writeAll}: writes the file at {@code tmp} (a temp path beside the target). */
  @FunctionalInterface
  public interface FileBody {
    void write(Path tmp) throws IOException;
  }

  /** A {@link FileBody} writing through an output stream. */
  public static FileBody stream(Writer body) {
    return tmp -> {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        body.write(out);
      }
    };
  }

  /**
   * Writes several files as one output: all of them or none. Every file is first written to a temp file beside its
   * target; only when all are written are they renamed into place, each previous file kept aside until the last
   * rename succeeds. On any failure the files already renamed are removed, the previous files are put back and the
   * temp files are deleted, so a command's outputs are all written or none is left (a failing second output never
   * leaves the first behind).
   *
   * @param files target to body, renamed in this order
   */
  public static void writeAll(Map<Path, FileBody> files) {
    Map<Path, Path> temps = new LinkedHashMap<>();
    Map<Path, Path> previous = new LinkedHashMap<>();
    List<Path> placed = new ArrayList<>();
    Path current = null;
    try {
      for (Map.Entry<Path, FileBody> e : files.entrySet()) {
        current = e.getKey();
        if (Files.isDirectory(current)) throw new IOException("is a directory");
        Path dir = current.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + current.getFileName() + ".", ".tmp");
        temps.put(current, tmp);
        e.getValue().write(tmp);
        makeReadable(tmp);
      }
      for (Map.Entry<Path, Path> e : temps.entrySet()) {
        current = e.getKey();
        if (Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
          Path old = Files.createTempFile(current.toAbsolutePath().getParent(), "." + current.getFileName() + ".",
              ".old");
          previous.put(current, old);
          Files.move(current, old, StandardCopyOption.REPLACE_EXISTING);
        }
        moveIntoPlace(e.getValue(), current);
        placed.add(current);
      }
    } catch (IOException | RuntimeException e) {
      for (Path p : placed) deleteQuietly(p);
      for (Map.Entry<Path, Path> b : previous.entrySet()) {
        try {
          Files.move(b.getValue(), b.getKey(), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ignored) {
          // best effort: the previous file stays under its dot name
        }
      }
      temps.values().forEach(AtomicFiles::deleteQuietly);
      if (e instanceof IOException io) {
        throw new JbertException(current + ": cannot write (" + io.getMessage() + "); no output was written", io);
      }
      throw (RuntimeException) e;
    }
    previous.values().forEach(AtomicFiles::deleteQuietly);
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
