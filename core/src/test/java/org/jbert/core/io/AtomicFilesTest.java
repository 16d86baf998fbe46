package org.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15 item 13: a command's outputs are all written or none is left. */
class AtomicFilesTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static AtomicFiles.FileBody text(String s) {
    return AtomicFiles.stream(out -> out.write(s.getBytes()));
  }

  @Test
  void allFilesAreWritten() throws IOException {
    Map<Path, AtomicFiles.FileBody> files = new LinkedHashMap<>();
    files.put(dir.resolve("a.npz"), text("A"));
    files.put(dir.resolve("sub/b.jsonl"), text("B"));
    AtomicFiles.writeAll(files);
    assertEquals("A", Files.readString(dir.resolve("a.npz")));
    assertEquals("B", Files.readString(dir.resolve("sub/b.jsonl")));
    assertEquals(List.of("a.npz", "sub"), names(), "no temp files left");
  }

  @Test
  void aFailingSecondOutputLeavesNeitherNorTemps() throws IOException {
    Map<Path, AtomicFiles.FileBody> files = new LinkedHashMap<>();
    files.put(dir.resolve("out.npz"), text("A"));
    files.put(dir.resolve("labels.jsonl"), tmp -> {
      throw new IOException("disk full");
    });
    JbertException e = assertThrows(JbertException.class, () -> AtomicFiles.writeAll(files));
    assertEquals(dir.resolve("labels.jsonl") + ": cannot write (disk full); no output was written", e.getMessage());
    assertEquals(List.of(), names());
  }

  @Test
  void aFailedRenameRestoresThePreviousFiles() throws IOException {
    Files.writeString(dir.resolve("out.npz"), "old");
    Files.writeString(dir.resolve("labels.jsonl"), "old labels");
    Map<Path, AtomicFiles.FileBody> files = new LinkedHashMap<>();
    files.put(dir.resolve("out.npz"), text("new"));
    files.put(dir.resolve("labels.jsonl"), Files::delete); // its temp file is gone when the renames start
    assertThrows(JbertException.class, () -> AtomicFiles.writeAll(files));
    assertEquals("old", Files.readString(dir.resolve("out.npz")), "the first output is put back");
    assertEquals("old labels", Files.readString(dir.resolve("labels.jsonl")));
    assertEquals(List.of("labels.jsonl", "out.npz"), names(), "no temp or aside files left");
  }

  @Test
  void aFolderWhereAnOutputShouldGoIsRefusedBeforeAnythingMoves() throws IOException {
    Path blocked = dir.resolve("labels.jsonl");
    Files.createDirectories(blocked.resolve("x"));
    Map<Path, AtomicFiles.FileBody> files = new LinkedHashMap<>();
    files.put(dir.resolve("out.npz"), text("A"));
    files.put(blocked, text("B"));
    assertEquals(blocked + ": cannot write (is a directory); no output was written",
        assertThrows(JbertException.class, () -> AtomicFiles.writeAll(files)).getMessage());
    assertEquals(List.of("labels.jsonl"), names());
    assertTrue(Files.isDirectory(blocked.resolve("x")));
  }
}
