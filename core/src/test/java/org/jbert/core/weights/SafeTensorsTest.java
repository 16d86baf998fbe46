package org.jbert.core.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path tmp;

  /** A safetensors file with the given header JSON and {@code dataBytes} zero bytes of data. */
  private Path file(String header, int dataBytes) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Path f = tmp.resolve("model.safetensors");
    Files.write(f, b.array());
    return f;
  }

  @Test
  void writesAndReadsBack() {
    Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
    t.put("a", new SafeTensors.Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f}));
    t.put("b", new SafeTensors.Tensor(new long[] {1}, new float[] {7}));
    Path f = tmp.resolve("x.safetensors");
    SafeTensors.write(f, t, Map.of("format", "pt"));
    try (SafeTensors s = SafeTensors.open(f)) {
      assertArrayEquals(new long[] {2, 3}, s.entries().get("a").shape());
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6.5f}, s.read("a"));
      assertArrayEquals(new float[] {7}, s.read("b"));
      assertEquals("pt", s.metadata().get("format"));
    }
  }

  @Test
  void readsHalfAndBfloat16() throws IOException {
    // F16 0x3C00 = 1.0, 0xC000 = -2.0; BF16 0x3F80 = 1.0, 0x4040 = 3.0
    String h = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}";
    Path f = file(h, 8);
    byte[] all = Files.readAllBytes(f);
    ByteBuffer d = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int start = all.length - 8;
    d.putShort(start, (short) 0x3C00).putShort(start + 2, (short) 0xC000);
    d.putShort(start + 4, (short) 0x3F80).putShort(start + 6, (short) 0x4040);
    Files.write(f, all);
    try (SafeTensors s = SafeTensors.open(f)) {
      assertArrayEquals(new float[] {1, -2}, s.read("h"));
      assertArrayEquals(new float[] {1, 3}, s.read("b"));
    }
  }

  @Test
  void truncatedFileNamesFileAndTensor() throws IOException {
    Path src = HfTiny.folder().resolve("model.safetensors");
    byte[] all = Files.readAllBytes(src);
    Path f = tmp.resolve("model.safetensors");
    Files.write(f, java.util.Arrays.copyOf(all, all.length - 100));
    JbertException e = assertThrows(JbertException.class, () -> SafeTensors.open(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("tensor '"), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void outOfBoundsOffsets() throws IOException {
    Path f = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 16);
    JbertException e = assertThrows(JbertException.class, () -> SafeTensors.open(f));
    assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("outside"), e.getMessage());
  }

  @Test
  void overlappingOffsets() throws IOException {
    Path f = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 16);
    JbertException e = assertThrows(JbertException.class, () -> SafeTensors.open(f));
    assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("'b'")
        && e.getMessage().contains("overlap"), e.getMessage());
  }

  @Test
  void hugeDeclaredSizeFailsWithoutAllocating() throws IOException {
    Path f = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[100000,100000,100],\"data_offsets\":[0,16]}}", 16);
    JbertException e = assertThrows(JbertException.class, () -> SafeTensors.open(f));
    assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("16 bytes"), e.getMessage());
    Path g = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000000],\"data_offsets\":[0,4000000000]}}", 16);
    JbertException e2 = assertThrows(JbertException.class, () -> SafeTensors.open(g));
    assertTrue(e2.getMessage().contains("'w'") && e2.getMessage().contains("outside"), e2.getMessage());
  }

  @Test
  void headerLengthLargerThanFile() throws IOException {
    Path f = tmp.resolve("model.safetensors");
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2).putLong(0);
    Files.write(f, b.array());
    JbertException e = assertThrows(JbertException.class, () -> SafeTensors.open(f));
    assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("header length"), e.getMessage());
  }

  @Test
  void sizeNotMatchingShape() throws IOException {
    Path f = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
    JbertException e = assertThrows(JbertException.class, () -> SafeTensors.open(f));
    assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("[3]"), e.getMessage());
  }

  @Test
  void unsupportedDtype() throws IOException {
    Path f = file("{\"w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
    JbertException e = assertThrows(JbertException.class, () -> SafeTensors.open(f));
    assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("I64"), e.getMessage());
  }
}
