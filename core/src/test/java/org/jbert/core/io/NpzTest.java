package org.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzTest {

  @Test
  void roundTripKeepsNamesShapesAndValues(@TempDir Path dir) {
    Map<String, Npz.Array> m = new LinkedHashMap<>();
    m.put("ids", Npz.Array.of(new int[][] {{101, 7, 102}, {101, 102, 0}}));
    m.put("x", Npz.Array.of(new float[] {1.5f, -2f, 3.25f, 0f, 1e-8f, -0f}, 1, 2, 3));
    m.put("scalar_list", Npz.Array.of(new float[] {4f}, 1));
    Path f = dir.resolve("a.npz");
    Npz.write(f, m);
    Map<String, Npz.Array> r = Npz.read(f);
    assertEquals(m.keySet(), r.keySet());
    assertArrayEquals(new long[] {2, 3}, r.get("ids").shape());
    assertArrayEquals(new int[] {101, 7, 102, 101, 102, 0}, r.get("ids").ints());
    assertArrayEquals(new long[] {1, 2, 3}, r.get("x").shape());
    assertArrayEquals(m.get("x").floats(), r.get("x").floats());
    assertArrayEquals(new long[] {1}, r.get("scalar_list").shape());
  }

  @Test
  void headerIsNumpyFormatOneWithAlignedData() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Npz.write(out, Map.of("v", Npz.Array.of(new float[] {1f, 2f}, 2)));
    byte[] zip = out.toByteArray();
    String s = new String(zip, StandardCharsets.ISO_8859_1);
    int at = s.indexOf("\u0093NUMPY");
    assertTrue(at > 0, "npy magic inside the zip");
    int headerLen = (zip[at + 8] & 0xff) | (zip[at + 9] & 0xff) << 8;
    assertEquals(0, (10 + headerLen) % 64, "numpy pads the header so data starts on a 64-byte boundary");
    assertTrue(s.contains("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"));
  }

  @Test
  void nothingIsLeftBehindWhenWritingFails(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("out.npz");
    Map<String, Npz.Array> bad = new LinkedHashMap<>();
    bad.put("ok", Npz.Array.of(new float[] {1f}, 1));
    bad.put("broken", new Npz.Array(new long[] {1}, null, null));
    try {
      Npz.write(f, bad);
    } catch (RuntimeException expected) {
      // a NullPointerException from the broken entry
    }
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "neither the target nor a temp file remains");
    }
  }

  @Test
  void finishedFilesAreWorldReadableLikeOrdinaryFiles(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("r.npz");
    Npz.write(f, Map.of("v", Npz.Array.of(new float[] {1f}, 1)));
    assertEquals("rw-r--r--",
        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
  }
}
