package org.jbert.core.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;

/** Snappy blocks hand-encoded from the format description (varint length, literal and copy elements). */
class SnappyTest {

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
    return b;
  }

  @Test
  void literalsAndOverlappingCopies() {
    // "abcd" literal, then a 1-byte-offset copy (len 8, offset 4) repeating it twice: "abcdabcdabcd".
    byte[] in = bytes(12, 3 << 2, 'a', 'b', 'c', 'd', 0b000_100_01, 4);
    assertArrayEquals("abcdabcdabcd".getBytes(StandardCharsets.US_ASCII), Snappy.uncompress(in, 0, in.length, 100, "t"));
    // "xy" then a 2-byte-offset copy (len 5, offset 1): "xyyyyyy" (a run, offset < length).
    byte[] in2 = bytes(7, 1 << 2, 'x', 'y', (5 - 1) << 2 | 2, 1, 0);
    assertArrayEquals("xyyyyyy".getBytes(StandardCharsets.US_ASCII), Snappy.uncompress(in2, 0, in2.length, 100, "t"));
    // 4-byte-offset copy (len 3, offset 2) after "pq": "pqpqp".
    byte[] in3 = bytes(5, 1 << 2, 'p', 'q', (3 - 1) << 2 | 3, 2, 0, 0, 0);
    assertArrayEquals("pqpqp".getBytes(StandardCharsets.US_ASCII), Snappy.uncompress(in3, 0, in3.length, 100, "t"));
  }

  @Test
  void longLiteralWithExtraLengthBytes() {
    byte[] raw = new byte[300];
    for (int i = 0; i < raw.length; i++) raw[i] = (byte) (i * 7);
    byte[] in = TensorBundleTest.snappyLiteral(raw);
    assertArrayEquals(raw, Snappy.uncompress(in, 0, in.length, 1000, "t"));
  }

  @Test
  void corruptInputGivesJbertExceptionNotAnAllocation() {
    // Offset 9 before any output exists.
    byte[] badOffset = bytes(8, 0b000_100_01, 9);
    assertThrows(JbertException.class, () -> Snappy.uncompress(badOffset, 0, badOffset.length, 100, "t"));
    // A 2 GB length claim is refused before allocating.
    byte[] huge = bytes(0xff, 0xff, 0xff, 0xff, 0x07, 0);
    JbertException e = assertThrows(JbertException.class, () -> Snappy.uncompress(huge, 0, huge.length, 1 << 20, "f.index"));
    assertTrue(e.getMessage().contains("f.index") && e.getMessage().contains("limit"), e.getMessage());
    // Literal running past the end of the input, and output shorter than announced.
    byte[] overrun = bytes(10, 9 << 2, 'a');
    assertThrows(JbertException.class, () -> Snappy.uncompress(overrun, 0, overrun.length, 100, "t"));
    byte[] shortOut = bytes(5, 0, 'a');
    assertThrows(JbertException.class, () -> Snappy.uncompress(shortOut, 0, shortOut.length, 100, "t"));
  }
}
