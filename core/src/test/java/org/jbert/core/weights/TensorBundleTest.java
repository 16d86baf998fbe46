package org.jbert.core.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TensorBundle on tfbundle/tiny.*, a bundle written by TensorFlow's SaveV2 kernel (see that folder's README.md for
 * its origin and content), and on corrupted copies of it.
 */
class TensorBundleTest {

  static final String FIRST = "scope_000/some/fairly/long/variable/name/kernel";
  static final String LAST = "scope_149/some/fairly/long/variable/name/kernel";

  @TempDir Path tmp;

  /** Copies the fixture into tmp and returns the prefix of the copy. */
  static Path copyFixture(Path dir) throws IOException {
    for (String f : new String[] {"tiny.index", "tiny.data-00000-of-00001"}) {
      try (InputStream in = TensorBundleTest.class.getResourceAsStream("/tfbundle/" + f)) {
        Files.copy(in, dir.resolve(f));
      }
    }
    return dir.resolve("tiny");
  }

  /** The values WriteTinyBundleFixture wrote for tensor i: i + j/8. */
  static float[] expected(int i) {
    float[] v = new float[6];
    for (int j = 0; j < 6; j++) v[j] = i + j / 8f;
    return v;
  }

  @Test
  void readsEveryTensorWrittenByTensorFlow() throws IOException {
    try (TensorBundle b = TensorBundle.open(copyFixture(tmp))) {
      assertEquals(1, b.numShards());
      assertEquals(152, b.entries().size());
      for (int i = 0; i < 150; i++) {
        String name = String.format("scope_%03d/some/fairly/long/variable/name/kernel", i);
        assertArrayEquals(new long[] {2, 3}, b.shape(name), name);
        assertArrayEquals(expected(i), b.readFloats(name), 0f, name);
      }
      assertArrayEquals(new long[0], b.shape("scalar"));
      assertArrayEquals(new float[] {2.5f}, b.readFloats("scalar"));
      TensorBundle.Entry step = b.entry("global_step");
      assertEquals("DT_INT64", step.dtypeName());
      JbertException e = assertThrows(JbertException.class, () -> b.readFloats("global_step"));
      assertTrue(e.getMessage().contains("global_step") && e.getMessage().contains("DT_INT64"), e.getMessage());
      JbertException missing = assertThrows(JbertException.class, () -> b.readFloats("nope"));
      assertTrue(missing.getMessage().contains("tiny.index") && missing.getMessage().contains("nope"));
    }
  }

  @Test
  void truncatedDataNamesFileAndTensor() throws IOException {
    Path prefix = copyFixture(tmp);
    Path data = tmp.resolve("tiny.data-00000-of-00001");
    byte[] d = Files.readAllBytes(data);
    Files.write(data, Arrays.copyOf(d, d.length / 2));
    try (TensorBundle b = TensorBundle.open(prefix)) {
      assertArrayEquals(expected(0), b.readFloats(FIRST), 0f); // still inside the surviving half
      JbertException e = assertThrows(JbertException.class, () -> b.readFloats(LAST));
      assertTrue(e.getMessage().contains("tiny.data-00000-of-00001") && e.getMessage().contains(LAST)
          && e.getMessage().contains("truncated"), e.getMessage());
    }
  }

  @Test
  void flippedDataByteFailsTheChecksum() throws IOException {
    Path prefix = copyFixture(tmp);
    Path data = tmp.resolve("tiny.data-00000-of-00001");
    byte[] d = Files.readAllBytes(data);
    long off;
    try (TensorBundle b = TensorBundle.open(prefix)) {
      off = b.entry(LAST).offset();
    }
    d[(int) off + 1] ^= 0x40;
    Files.write(data, d);
    try (TensorBundle b = TensorBundle.open(prefix)) {
      JbertException e = assertThrows(JbertException.class, () -> b.readFloats(LAST));
      assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains(LAST), e.getMessage());
    }
  }

  @Test
  void missingDataFileIsNamed() throws IOException {
    Path prefix = copyFixture(tmp);
    Files.delete(tmp.resolve("tiny.data-00000-of-00001"));
    try (TensorBundle b = TensorBundle.open(prefix)) {
      JbertException e = assertThrows(JbertException.class, () -> b.readFloats(FIRST));
      assertTrue(e.getMessage().contains("tiny.data-00000-of-00001"), e.getMessage());
    }
  }

  @Test
  void garbageIndexIsRejectedNamingTheFile() throws IOException {
    Path prefix = copyFixture(tmp);
    byte[] junk = new byte[5000];
    new Random(1).nextBytes(junk);
    Files.write(tmp.resolve("tiny.index"), junk);
    JbertException e = assertThrows(JbertException.class, () -> TensorBundle.open(prefix));
    assertTrue(e.getMessage().contains("tiny.index"), e.getMessage());
  }

  @Test
  void badMagicIsRejected() throws IOException {
    Path prefix = copyFixture(tmp);
    Path index = tmp.resolve("tiny.index");
    byte[] f = Files.readAllBytes(index);
    f[f.length - 1] ^= 1;
    Files.write(index, f);
    JbertException e = assertThrows(JbertException.class, () -> TensorBundle.open(prefix));
    assertTrue(e.getMessage().contains("tiny.index") && e.getMessage().contains("magic"), e.getMessage());
  }

  @Test
  void truncatedOrTinyIndexIsRejected() throws IOException {
    Path prefix = copyFixture(tmp);
    Path index = tmp.resolve("tiny.index");
    byte[] f = Files.readAllBytes(index);
    Files.write(index, Arrays.copyOf(f, f.length - 10));
    assertTrue(assertThrows(JbertException.class, () -> TensorBundle.open(prefix)).getMessage().contains("tiny.index"));
    Files.write(index, Arrays.copyOf(f, 10));
    JbertException e = assertThrows(JbertException.class, () -> TensorBundle.open(prefix));
    assertTrue(e.getMessage().contains("tiny.index") && e.getMessage().contains("too short"), e.getMessage());
  }

  @Test
  void corruptBlockFailsItsChecksum() throws IOException {
    Path prefix = copyFixture(tmp);
    Path index = tmp.resolve("tiny.index");
    byte[] f = Files.readAllBytes(index);
    f[100] ^= 0x10; // inside the first data block (a key byte or a proto field)
    Files.write(index, f);
    JbertException e = assertThrows(JbertException.class, () -> TensorBundle.open(prefix));
    assertTrue(e.getMessage().contains("tiny.index") && e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void missingIndexIsNamed() {
    JbertException e = assertThrows(JbertException.class, () -> TensorBundle.open(tmp.resolve("nothing")));
    assertTrue(e.getMessage().contains("nothing.index"), e.getMessage());
  }

  /**
   * TF's bundle writer leaves blocks uncompressed (kNoCompression), though the table format allows Snappy blocks:
   * rewrite the fixture's table with every block Snappy-compressed and check it is refused with one line naming the
   * file and the compression type, not misread.
   */
  @Test
  void refusesCompressedBlocks() throws IOException {
    Path prefix = copyFixture(tmp);
    Path index = tmp.resolve("tiny.index");
    byte[] original = Files.readAllBytes(index);
    Files.write(index, compressAllBlocks(original));
    JbertException e = assertThrows(JbertException.class, () -> TensorBundle.open(prefix));
    assertTrue(e.getMessage().contains("tiny.index") && e.getMessage().contains("compression type 1"),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  /** Rewrites an uncompressed table with Snappy data and index blocks (test helper; the format is in TensorBundle). */
  private static byte[] compressAllBlocks(byte[] f) {
    ByteBuffer footer = ByteBuffer.wrap(f, f.length - 48, 48);
    long[] h = new long[4];
    for (int i = 0; i < 4; i++) h[i] = varint(footer);
    byte[] indexBlock = Arrays.copyOfRange(f, (int) h[2], (int) (h[2] + h[3]));
    Map<String, byte[]> indexEntries = new java.util.LinkedHashMap<>();
    entries(indexBlock, indexEntries);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Map<String, byte[]> newIndex = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : indexEntries.entrySet()) {
      ByteBuffer v = ByteBuffer.wrap(e.getValue());
      long off = varint(v);
      long size = varint(v);
      byte[] block = Arrays.copyOfRange(f, (int) off, (int) (off + size));
      long newOff = out.size();
      byte[] c = snappyLiteral(block);
      writeBlock(out, c);
      ByteArrayOutputStream handle = new ByteArrayOutputStream();
      putVarint(handle, newOff);
      putVarint(handle, c.length);
      newIndex.put(e.getKey(), handle.toByteArray());
    }
    ByteArrayOutputStream ib = new ByteArrayOutputStream();
    int[] restarts = new int[newIndex.size()];
    int k = 0;
    for (Map.Entry<String, byte[]> e : newIndex.entrySet()) {
      restarts[k++] = ib.size();
      byte[] key = e.getKey().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      putVarint(ib, 0);
      putVarint(ib, key.length);
      putVarint(ib, e.getValue().length);
      ib.writeBytes(key);
      ib.writeBytes(e.getValue());
    }
    ByteBuffer rs = ByteBuffer.allocate(4 * restarts.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int r : restarts) rs.putInt(r);
    rs.putInt(restarts.length);
    ib.writeBytes(rs.array());
    long metaOff = out.size();
    // An empty metaindex block: one restart at 0, restart count 1.
    byte[] emptyMeta = snappyLiteral(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(1).array());
    writeBlock(out, emptyMeta);
    long idxOff = out.size();
    byte[] ci = snappyLiteral(ib.toByteArray());
    writeBlock(out, ci);
    ByteArrayOutputStream ft = new ByteArrayOutputStream();
    putVarint(ft, metaOff);
    putVarint(ft, emptyMeta.length);
    putVarint(ft, idxOff);
    putVarint(ft, ci.length);
    while (ft.size() < 40) ft.write(0);
    ft.writeBytes(Arrays.copyOfRange(f, f.length - 8, f.length));
    out.writeBytes(ft.toByteArray());
    return out.toByteArray();
  }

  private static void writeBlock(ByteArrayOutputStream out, byte[] contents) {
    out.writeBytes(contents);
    out.write(1); // snappy
    CRC32C crc = new CRC32C();
    crc.update(contents);
    crc.update(1);
    int masked = TensorBundle.mask((int) crc.getValue());
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(masked).array());
  }

  /** Snappy encoding of {@code raw} as literal elements only (60-byte-or-shorter tags and 2-byte lengths). */
  static byte[] snappyLiteral(byte[] raw) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    putVarint(o, raw.length);
    for (int p = 0; p < raw.length; ) {
      int n = Math.min(raw.length - p, 60000);
      if (n <= 60) {
        o.write((n - 1) << 2);
      } else {
        o.write(61 << 2); // length-1 in the next 2 bytes
        o.write((n - 1) & 0xff);
        o.write((n - 1) >>> 8);
      }
      o.write(raw, p, n);
      p += n;
    }
    return o.toByteArray();
  }

  private static void entries(byte[] b, Map<String, byte[]> out) {
    int n = ByteBuffer.wrap(b, b.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    ByteBuffer bb = ByteBuffer.wrap(b, 0, b.length - 4 - 4 * n);
    byte[] key = new byte[0];
    while (bb.hasRemaining()) {
      int shared = (int) varint(bb);
      int non = (int) varint(bb);
      int vl = (int) varint(bb);
      byte[] k = Arrays.copyOf(key, shared + non);
      bb.get(k, shared, non);
      byte[] v = new byte[vl];
      bb.get(v);
      key = k;
      out.put(new String(k, java.nio.charset.StandardCharsets.ISO_8859_1), v);
    }
  }

  private static long varint(ByteBuffer b) {
    long v = 0;
    for (int s = 0; ; s += 7) {
      int x = b.get() & 0xff;
      v |= (long) (x & 0x7f) << s;
      if (x < 0x80) return v;
    }
  }

  private static void putVarint(ByteArrayOutputStream o, long v) {
    while (v >= 0x80) {
      o.write((int) (v & 0x7f) | 0x80);
      v >>>= 7;
    }
    o.write((int) v);
  }
}
