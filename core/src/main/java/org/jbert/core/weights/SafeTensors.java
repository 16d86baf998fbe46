package org.jbert.core.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;

/**
 * Reader and writer for the safetensors format: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}}, then the raw
 * little-endian tensor bytes (offsets relative to the end of the header).
 *
 * <p>The reader validates the whole header against the file size before allocating any tensor: header length within
 * the file, offsets in bounds and ordered, byte size = product(shape) x element size, no two tensors overlapping. A
 * lying header therefore cannot cause a huge allocation. F32 is read as is; F16 and BF16 are converted to float32.
 * Tensors are read on demand, so an open reader holds only the header.
 */
public final class SafeTensors implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Headers larger than this are rejected (the format's own reference implementation caps at 100 MB). */
  static final long MAX_HEADER_BYTES = 100L << 20;

  /** One tensor's header entry. Shapes are as stored in the file. */
  public record Entry(String name, String dtype, long[] shape, long begin, long end) {
    /** Number of elements, product(shape). */
    public long size() {
      long n = 1;
      for (long s : shape) n *= s;
      return n;
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private SafeTensors(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
      Map<String, String> metadata) {
    this.file = file;
    this.channel = channel;
    this.dataStart = dataStart;
    this.entries = entries;
    this.metadata = metadata;
  }

  /** Opens and validates {@code file}; throws a JbertException naming the file and the bad tensor. */
  public static SafeTensors open(Path file) {
    if (!Files.isRegularFile(file)) throw new JbertException(file + ": safetensors file not found");
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new JbertException(file + ": cannot open (" + e.getMessage() + ")", e);
    }
    try {
      long size = ch.size();
      if (size < 8) throw new JbertException(file + ": truncated safetensors file (" + size + " bytes, no header)");
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0, file, "header length");
      long headerLen = lenBuf.flip().getLong();
      if (headerLen < 2 || headerLen > size - 8 || headerLen > MAX_HEADER_BYTES) {
        throw new JbertException(file + ": header length " + headerLen + " does not fit the file size " + size
            + " (expected 2.." + Math.min(size - 8, MAX_HEADER_BYTES) + ")");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      readFully(ch, hb, 8, file, "header");
      JsonNode root;
      try {
        root = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new JbertException(file + ": header is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
            + ")", e);
      }
      if (root == null || !root.isObject()) throw new JbertException(file + ": header is not a JSON object");
      long dataStart = 8 + headerLen;
      long dataLen = size - dataStart;
      Map<String, Entry> entries = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String name = f.getKey();
        JsonNode v = f.getValue();
        if (name.equals("__metadata__")) {
          if (!v.isObject()) throw new JbertException(file + ": __metadata__ is not a JSON object");
          v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        entries.put(name, parseEntry(file, name, v, dataLen));
      }
      List<Entry> sorted = new ArrayList<>(entries.values());
      sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
      for (int i = 1; i < sorted.size(); i++) {
        Entry a = sorted.get(i - 1), b = sorted.get(i);
        if (b.begin < a.end) {
          throw new JbertException(file + ": tensors '" + a.name + "' [" + a.begin + "," + a.end + ") and '" + b.name
              + "' [" + b.begin + "," + b.end + ") overlap; expected disjoint data_offsets");
        }
      }
      return new SafeTensors(file, ch, dataStart, Collections.unmodifiableMap(entries),
          Collections.unmodifiableMap(metadata));
    } catch (IOException e) {
      closeQuietly(ch);
      throw new JbertException(file + ": read error (" + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  private static Entry parseEntry(Path file, String name, JsonNode v, long dataLen) {
    String where = file + ": tensor '" + name + "'";
    if (!v.isObject()) throw new JbertException(where + " has no {dtype, shape, data_offsets} object");
    String dtype = v.path("dtype").asText("");
    int elem = elementSize(dtype);
    if (elem < 0) throw new JbertException(where + " has dtype '" + dtype + "'; expected F32, F16 or BF16");
    JsonNode sh = v.get("shape");
    if (sh == null || !sh.isArray()) throw new JbertException(where + " has no shape array");
    long[] shape = new long[sh.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (!sh.get(i).isIntegralNumber() || sh.get(i).asLong() < 0) {
        throw new JbertException(where + " has shape " + sh + "; expected non-negative integers");
      }
      shape[i] = sh.get(i).asLong();
      try {
        count = Math.multiplyExact(count, shape[i]);
      } catch (ArithmeticException e) {
        throw new JbertException(where + " has shape " + sh + " whose size overflows");
      }
    }
    JsonNode off = v.get("data_offsets");
    if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber()
        || !off.get(1).isIntegralNumber()) {
      throw new JbertException(where + " has data_offsets " + off + "; expected [begin, end]");
    }
    long begin = off.get(0).asLong(), end = off.get(1).asLong();
    if (begin < 0 || end < begin || end > dataLen) {
      throw new JbertException(where + " has data_offsets [" + begin + ", " + end + "] outside the data section of "
          + dataLen + " bytes (file truncated or header corrupt)");
    }
    if (count > Long.MAX_VALUE / elem || end - begin != count * elem) {
      throw new JbertException(where + " has shape " + sh + " (" + count + " x " + elem + " bytes) but data_offsets ["
          + begin + ", " + end + "] span " + (end - begin) + " bytes");
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new JbertException(where + " has " + count + " elements; at most " + (Integer.MAX_VALUE - 8)
          + " per tensor are supported");
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  private static int elementSize(String dtype) {
    return switch (dtype) {
      case "F32" -> 4;
      case "F16", "BF16" -> 2;
      default -> -1;
    };
  }

  /** The file this reader reads. */
  public Path file() {
    return file;
  }

  /** Header entries by name, in header order. */
  public Map<String, Entry> entries() {
    return entries;
  }

  /** The {@code __metadata__} map (empty when absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The values of tensor {@code name} as float32, row-major in the file's layout. */
  public float[] read(String name) {
    Entry e = entries.get(name);
    if (e == null) throw new JbertException(file + ": no tensor '" + name + "'");
    int n = (int) e.size();
    ByteBuffer buf = ByteBuffer.allocate((int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
    try {
      readFully(channel, buf, dataStart + e.begin, file, "tensor '" + name + "'");
    } catch (IOException ex) {
      throw new JbertException(file + ": read error in tensor '" + name + "' (" + ex.getMessage() + ")", ex);
    }
    buf.flip();
    float[] out = new float[n];
    switch (e.dtype) {
      case "F32" -> buf.asFloatBuffer().get(out);
      case "BF16" -> {
        for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
      }
      case "F16" -> {
        for (int i = 0; i < n; i++) out[i] = halfToFloat(buf.getShort());
      }
      default -> throw new IllegalStateException(e.dtype);
    }
    return out;
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }

  /** One tensor to write: float32 values, row-major, with their shape. */
  public record Tensor(long[] shape, float[] values) {}

  /**
   * Writes {@code tensors} (in map order) as an F32 safetensors file, atomically: to a temp file beside
   * {@code file}, then renamed over it.
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode m = header.putObject("__metadata__");
      metadata.forEach(m::put);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> t : tensors.entrySet()) {
      long count = 1;
      for (long s : t.getValue().shape) count *= s;
      if (count != t.getValue().values.length) {
        throw new JbertException("tensor '" + t.getKey() + "' has " + t.getValue().values.length
            + " values but shape " + java.util.Arrays.toString(t.getValue().shape));
      }
      ObjectNode e = header.putObject(t.getKey());
      e.put("dtype", "F32");
      ArrayNode sh = e.putArray("shape");
      for (long s : t.getValue().shape) sh.add(s);
      ArrayNode off = e.putArray("data_offsets");
      off.add(offset);
      offset += count * 4;
      off.add(offset);
    }
    byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
    int pad = (8 - h.length % 8) % 8; // align the data section to 8 bytes, padding with spaces as allowed
    byte[] hp = new byte[h.length + pad];
    System.arraycopy(h, 0, hp, 0, h.length);
    for (int i = h.length; i < hp.length; i++) hp[i] = ' ';
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length);
        out.write(len.array());
        out.write(hp);
        for (Tensor t : tensors.values()) {
          ByteBuffer b = ByteBuffer.allocate(t.values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
          b.asFloatBuffer().put(t.values);
          out.write(b.array());
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        if (tmp != null) Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort
      }
      throw new JbertException(file + ": cannot write safetensors (" + e.getMessage() + ")", e);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file, String what) throws IOException {
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) throw new JbertException(file + ": truncated while reading " + what);
      pos += r;
    }
  }

  private static float halfToFloat(short s) {
    int h = s & 0xffff;
    int sign = (h >>> 15) << 31;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    if (exp == 31) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
