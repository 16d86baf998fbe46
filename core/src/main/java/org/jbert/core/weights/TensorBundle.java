package org.jbert.core.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.jbert.core.JbertException;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;
import org.tensorflow.framework.TensorShapeProto;
import org.tensorflow.util.BundleEntryProto;
import org.tensorflow.util.BundleHeaderProto;

/**
 * A pure-Java reader of TensorFlow's tensor-bundle format (the "V2" checkpoint format), used by TF1 checkpoints
 * ({@code bert_model.ckpt.index} + {@code bert_model.ckpt.data-00000-of-00001}) and by SavedModels
 * ({@code variables/variables.index} + {@code variables/variables.data-*}). No TensorFlow is needed.
 *
 * <p>Layout, as read here:
 *
 * <ul>
 *   <li>{@code <prefix>.index} is a LevelDB-style sorted table: data blocks of prefix-compressed key/value entries
 *       (each block ends with restart offsets and their count, and is followed on disk by a 1-byte compression type,
 *       always 0 = none in files TensorFlow writes, and a masked CRC32C), an index block mapping separator keys to data-block handles,
 *       and a 48-byte footer (metaindex and index block handles, padding, magic {@code 0xdb4775248b80fb57}).
 *   <li>The entry with the empty key holds a {@code BundleHeaderProto} (number of shards, endianness); every other
 *       entry maps a tensor name to a {@code BundleEntryProto} (dtype, {@code TensorShapeProto}, shard id, offset,
 *       size, masked CRC32C of the bytes). Both are parsed with the generated classes nd4j-api ships
 *       ({@code org.tensorflow.util}).
 *   <li>{@code <prefix>.data-SSSSS-of-NNNNN} shards hold the raw little-endian tensor bytes, row-major.
 * </ul>
 *
 * <p>Every length, offset and count is checked against the file before it is used, so a truncated or corrupt bundle
 * gives a {@link JbertException} naming the file (and tensor), never a huge allocation. Tensor data is checked
 * against its stored CRC32C as it is read. Only {@code DT_FLOAT} tensors can be read as values; others are listed
 * with their dtype. Not thread-safe.
 */
public final class TensorBundle implements AutoCloseable {

  /** TensorFlow's {@code DataType} enum value for float32. */
  public static final int DT_FLOAT = 1;

  private static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
  private static final int FOOTER_LENGTH = 48;
  private static final int BLOCK_TRAILER = 5;
  /** Index files hold only names and small protos; anything larger is not a bundle index. */
  private static final long MAX_INDEX_BYTES = 256L << 20;
  private static final int READ_CHUNK = 1 << 20;

  /**
   * One tensor's index entry.
   *
   * @param name the variable name as stored
   * @param dtype TensorFlow {@code DataType} value (1 = DT_FLOAT)
   * @param shape dimensions, empty for a scalar
   * @param shard which data file holds the bytes
   * @param offset byte offset in that data file
   * @param size number of bytes
   * @param maskedCrc32c the stored masked CRC32C of the bytes, or null when the entry has none
   * @param slices number of partition slices (0 for an ordinary, whole tensor)
   */
  public record Entry(String name, int dtype, long[] shape, int shard, long offset, long size, Integer maskedCrc32c,
      int slices) {
    /** Number of elements (1 for a scalar). */
    public long numElements() {
      long n = 1;
      for (long d : shape) n *= d;
      return n;
    }

    /** TensorFlow's name for the dtype, e.g. {@code DT_FLOAT}. */
    public String dtypeName() {
      return TensorBundle.dtypeName(dtype);
    }
  }

  private final Path prefix;
  private final Path indexFile;
  private final int numShards;
  private final Map<String, Entry> entries;
  private final FileChannel[] shards;

  private TensorBundle(Path prefix, Path indexFile, int numShards, Map<String, Entry> entries) {
    this.prefix = prefix;
    this.indexFile = indexFile;
    this.numShards = numShards;
    this.entries = entries;
    this.shards = new FileChannel[numShards];
  }

  /**
   * Opens the bundle at {@code prefix} (e.g. {@code .../bert_model.ckpt} or {@code .../variables/variables}): reads
   * and validates {@code prefix.index}; the data shards are opened when first read.
   */
  public static TensorBundle open(Path prefix) {
    Path index = prefix.resolveSibling(prefix.getFileName() + ".index");
    byte[] file;
    try {
      long n = Files.size(index);
      if (n > MAX_INDEX_BYTES) {
        throw new JbertException(index + ": " + n + " bytes is too large for a TF tensor-bundle index");
      }
      file = Files.readAllBytes(index);
    } catch (NoSuchFileException e) {
      throw new JbertException(index + ": no such file; expected a TensorFlow checkpoint index");
    } catch (IOException e) {
      throw new JbertException(index + ": cannot read (" + e.getMessage() + ")", e);
    }
    Map<String, byte[]> table = readTable(index, file);
    byte[] header = table.remove("");
    if (header == null) {
      throw new JbertException(index + ": no bundle header (empty key); not a TensorFlow V2 checkpoint index");
    }
    int numShards = parseHeader(index, header);
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : table.entrySet()) {
      // Keys of partitioned-variable slices start with a 0 byte (TF's ordered-code encoding); they carry no
      // tensor of their own and are described by the whole-tensor entry.
      if (!e.getKey().isEmpty() && e.getKey().charAt(0) == 0) continue;
      Entry entry = parseEntry(index, e.getKey(), e.getValue());
      if (entry.slices == 0 && entry.shard >= numShards) {
        throw new JbertException(index + ": tensor " + entry.name + " is in shard " + entry.shard + " but the header"
            + " declares " + numShards + " shard(s)");
      }
      entries.put(entry.name, entry);
    }
    return new TensorBundle(prefix, index, numShards, Collections.unmodifiableMap(entries));
  }

  /** The prefix this bundle was opened from. */
  public Path prefix() {
    return prefix;
  }

  /** Number of data shards declared by the header. */
  public int numShards() {
    return numShards;
  }

  /** Every tensor entry, in the index's (sorted) order. */
  public Map<String, Entry> entries() {
    return entries;
  }

  /** The entry of {@code name}; a JbertException naming the index file when there is none. */
  public Entry entry(String name) {
    Entry e = entries.get(name);
    if (e == null) throw new JbertException(indexFile + ": no tensor named " + name);
    return e;
  }

  /** The shape of {@code name}. */
  public long[] shape(String name) {
    return entry(name).shape.clone();
  }

  /**
   * The values of a DT_FLOAT tensor, row-major. Checks the dtype, that size = 4 x elements, that the bytes lie inside
   * the data file, and the stored CRC32C.
   */
  public float[] readFloats(String name) {
    Entry e = entry(name);
    Path data = dataFile(e.shard);
    if (e.slices != 0) {
      throw new JbertException(indexFile + ": tensor " + name + " is partitioned into " + e.slices
          + " slices; only whole tensors can be read");
    }
    if (e.dtype != DT_FLOAT) {
      throw new JbertException(indexFile + ": tensor " + name + " has dtype " + e.dtypeName()
          + "; expected DT_FLOAT");
    }
    long n = e.numElements();
    if (n > Integer.MAX_VALUE - 8) {
      throw new JbertException(indexFile + ": tensor " + name + " has " + n + " elements, more than a Java array");
    }
    if (e.size != 4 * n) {
      throw new JbertException(indexFile + ": tensor " + name + " has " + e.size + " bytes; expected 4 x " + n
          + " for shape " + Arrays.toString(e.shape));
    }
    FileChannel ch = channel(e.shard, data);
    try {
      // Checked before allocating, so a corrupt size can never cause a huge allocation.
      long fileSize = ch.size();
      if (e.offset < 0 || e.offset + e.size > fileSize) {
        throw new JbertException(data + ": truncated or corrupt: tensor " + name + " needs bytes [" + e.offset + ", "
            + (e.offset + e.size) + ") but the file has " + fileSize);
      }
      float[] out = new float[(int) n];
      ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(READ_CHUNK, Math.max(4, e.size)))
          .order(ByteOrder.LITTLE_ENDIAN);
      CRC32C crc = new CRC32C();
      long pos = e.offset;
      long end = e.offset + e.size;
      int k = 0;
      while (pos < end) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), end - pos));
        while (buf.hasRemaining()) {
          int r = ch.read(buf, pos + buf.position());
          if (r < 0) throw new JbertException(data + ": unexpected end of file reading tensor " + name);
        }
        buf.flip();
        crc.update(buf);
        buf.rewind();
        int m = buf.remaining() / 4;
        buf.asFloatBuffer().get(out, k, m);
        k += m;
        pos += buf.limit();
      }
      if (e.maskedCrc32c != null && mask((int) crc.getValue()) != e.maskedCrc32c) {
        throw new JbertException(data + ": checksum mismatch for tensor " + name + " (file corrupt)");
      }
      return out;
    } catch (IOException ex) {
      throw new JbertException(data + ": cannot read tensor " + name + " (" + ex.getMessage() + ")", ex);
    }
  }

  /** The data file of shard {@code shard}: {@code prefix.data-00000-of-00001} style. */
  public Path dataFile(int shard) {
    return prefix.resolveSibling(String.format("%s.data-%05d-of-%05d", prefix.getFileName(), shard, numShards));
  }

  @Override
  public void close() {
    for (int i = 0; i < shards.length; i++) {
      if (shards[i] != null) {
        try {
          shards[i].close();
        } catch (IOException ignored) {
          // Nothing useful to do: the channel was only read.
        }
        shards[i] = null;
      }
    }
  }

  /** TensorFlow's name of a {@code DataType} value. */
  public static String dtypeName(int dtype) {
    return switch (dtype) {
      case 1 -> "DT_FLOAT";
      case 2 -> "DT_DOUBLE";
      case 3 -> "DT_INT32";
      case 4 -> "DT_UINT8";
      case 5 -> "DT_INT16";
      case 6 -> "DT_INT8";
      case 7 -> "DT_STRING";
      case 9 -> "DT_INT64";
      case 10 -> "DT_BOOL";
      case 14 -> "DT_BFLOAT16";
      case 19 -> "DT_HALF";
      case 20 -> "DT_RESOURCE";
      default -> "DataType " + dtype;
    };
  }

  /** LevelDB/TF's CRC mask: rotate right by 15 and add a constant. */
  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }

  private FileChannel channel(int shard, Path data) {
    if (shards[shard] == null) {
      try {
        shards[shard] = FileChannel.open(data, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        throw new JbertException(data + ": no such file; the index " + indexFile.getFileName() + " refers to it");
      } catch (IOException e) {
        throw new JbertException(data + ": cannot open (" + e.getMessage() + ")", e);
      }
    }
    return shards[shard];
  }

  // ---- the sorted-table (SSTable) layer ----

  /** All key/value pairs of the table, in file order; keys decoded as UTF-8. */
  static Map<String, byte[]> readTable(Path file, byte[] f) {
    if (f.length < FOOTER_LENGTH) {
      throw new JbertException(file + ": " + f.length + " bytes is too short for a TF tensor-bundle index (footer is "
          + FOOTER_LENGTH + ")");
    }
    int footer = f.length - FOOTER_LENGTH;
    long magic = ByteBuffer.wrap(f, f.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (magic != TABLE_MAGIC) {
      throw new JbertException(file + ": bad magic number 0x" + Long.toHexString(magic)
          + "; not a TensorFlow checkpoint index (expected table magic 0x" + Long.toHexString(TABLE_MAGIC) + ")");
    }
    Reader r = new Reader(f, footer, footer + FOOTER_LENGTH - 8, file + " footer");
    r.varint64(); // metaindex handle: TF writes no meta blocks that matter here
    r.varint64();
    long indexOffset = r.varint64();
    long indexSize = r.varint64();
    byte[] index = block(file, f, indexOffset, indexSize, footer, "index block");
    Map<String, byte[]> out = new LinkedHashMap<>();
    byte[][] last = {null};
    forEachEntry(file, index, "index block", (k, v) -> {
      Reader h = new Reader(v, 0, v.length, file + " index entry");
      long off = h.varint64();
      long size = h.varint64();
      byte[] data = block(file, f, off, size, footer, "data block at " + off);
      forEachEntry(file, data, "data block at " + off, (key, value) -> {
        if (last[0] != null && Arrays.compareUnsigned(last[0], key) >= 0) {
          throw new JbertException(file + ": keys out of order in data block at " + off + " (corrupt index)");
        }
        last[0] = key;
        out.put(new String(key, StandardCharsets.UTF_8), value);
      });
    });
    return out;
  }

  /** The contents of the block at [offset, offset+size), checksum-verified and decompressed. */
  private static byte[] block(Path file, byte[] f, long offset, long size, int limit, String what) {
    if (offset < 0 || size < 0 || offset + size + BLOCK_TRAILER > limit) {
      throw new JbertException(file + ": " + what + " handle (offset " + offset + ", size " + size
          + ") points outside the file; truncated or corrupt index");
    }
    int o = (int) offset;
    int n = (int) size;
    int type = f[o + n] & 0xff;
    int stored = ByteBuffer.wrap(f, o + n + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    CRC32C crc = new CRC32C();
    crc.update(f, o, n + 1); // block contents and the type byte
    if (mask((int) crc.getValue()) != stored) {
      throw new JbertException(file + ": checksum mismatch in " + what + " (corrupt index)");
    }
    // TensorFlow's BundleWriter writes its table with kNoCompression; the table format's Snappy blocks (type 1)
    // never occur in a checkpoint that TensorFlow wrote.
    if (type != 0) {
      throw new JbertException(file + ": " + what + " has compression type " + type + "; expected 0 (uncompressed,"
          + " as TensorFlow writes checkpoint indexes)");
    }
    return Arrays.copyOfRange(f, o, o + n);
  }

  private interface EntryVisitor {
    void accept(byte[] key, byte[] value);
  }

  /** Walks a block's entries (shared-prefix keys), checking the restart array. */
  private static void forEachEntry(Path file, byte[] b, String what, EntryVisitor visitor) {
    String where = file + " " + what;
    if (b.length < 4) throw new JbertException(where + ": block too short (corrupt index)");
    long numRestarts = Integer.toUnsignedLong(ByteBuffer.wrap(b, b.length - 4, 4)
        .order(ByteOrder.LITTLE_ENDIAN).getInt());
    long restartsStart = b.length - 4 - 4 * numRestarts;
    if (numRestarts == 0 || restartsStart < 0) {
      throw new JbertException(where + ": bad restart count " + numRestarts + " (corrupt index)");
    }
    int[] restarts = new int[(int) numRestarts];
    ByteBuffer rb = ByteBuffer.wrap(b, (int) restartsStart, (int) (4 * numRestarts)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < restarts.length; i++) restarts[i] = rb.getInt();
    Reader r = new Reader(b, 0, (int) restartsStart, where);
    byte[] key = new byte[0];
    int nextRestart = 0;
    while (r.pos < r.end) {
      int entryStart = r.pos;
      int shared = r.varint32();
      int nonShared = r.varint32();
      int valueLength = r.varint32();
      boolean isRestart = nextRestart < restarts.length && restarts[nextRestart] == entryStart;
      if (isRestart) nextRestart++;
      if (shared > key.length || (isRestart && shared != 0)) {
        throw new JbertException(where + ": entry at " + entryStart + " shares " + shared + " key bytes with a "
            + key.length + "-byte previous key (corrupt index)");
      }
      byte[] delta = r.bytes(nonShared);
      byte[] value = r.bytes(valueLength);
      byte[] k = Arrays.copyOf(key, shared + nonShared);
      System.arraycopy(delta, 0, k, shared, nonShared);
      key = k;
      visitor.accept(key, value);
    }
    if (nextRestart != restarts.length) {
      throw new JbertException(where + ": restart point " + restarts[nextRestart] + " is not an entry boundary"
          + " (corrupt index)");
    }
  }

  // ---- the protobuf layer: nd4j-api ships TensorFlow's bundle messages (org.tensorflow.util) ----

  private static int parseHeader(Path file, byte[] v) {
    BundleHeaderProto h;
    try {
      h = BundleHeaderProto.parseFrom(v);
    } catch (InvalidProtocolBufferException e) {
      throw new JbertException(file + " bundle header: truncated or corrupt (" + e.getMessage() + ")");
    }
    if (h.getEndianness() != BundleHeaderProto.Endianness.LITTLE) {
      throw new JbertException(file + ": bundle is big-endian; only little-endian checkpoints are supported");
    }
    int numShards = h.getNumShards() == 0 ? 1 : h.getNumShards();
    if (numShards < 1 || numShards > 100_000) {
      throw new JbertException(file + ": bundle header declares " + numShards + " shards (corrupt index)");
    }
    return numShards;
  }

  private static Entry parseEntry(Path file, String name, byte[] v) {
    BundleEntryProto e;
    try {
      e = BundleEntryProto.parseFrom(v);
    } catch (InvalidProtocolBufferException ex) {
      throw new JbertException(file + " entry of tensor " + name + ": truncated or corrupt (" + ex.getMessage() + ")");
    }
    if (e.getShardId() < 0 || e.getOffset() < 0 || e.getSize() < 0) {
      throw new JbertException(file + ": tensor " + name + " has a negative shard, offset or size (corrupt index)");
    }
    Integer crc = e.getCrc32C() == 0 ? null : e.getCrc32C();
    return new Entry(name, e.getDtypeValue(), shape(file, name, e.getShape()), e.getShardId(), e.getOffset(),
        e.getSize(), crc, e.getSlicesCount());
  }

  private static long[] shape(Path file, String name, TensorShapeProto p) {
    if (p.getUnknownRank()) {
      throw new JbertException(file + ": tensor " + name + " has unknown rank; expected a full shape");
    }
    long[] out = new long[p.getDimCount()];
    long n = 1;
    for (int i = 0; i < out.length; i++) {
      out[i] = p.getDim(i).getSize();
      if (out[i] < 0) {
        throw new JbertException(file + ": tensor " + name + " has an unknown dimension; expected a full shape");
      }
      try {
        n = Math.multiplyExact(n, out[i]);
      } catch (ArithmeticException ex) {
        throw new JbertException(file + ": tensor " + name + " has an overflowing shape (corrupt index)");
      }
    }
    return out;
  }

  /** Bounds-checked little-endian/varint reads over {@code b[pos, end)}. */
  private static final class Reader {
    final byte[] b;
    int pos;
    final int end;
    final String where;

    Reader(byte[] b, int pos, int end, String where) {
      this.b = b;
      this.pos = pos;
      this.end = end;
      this.where = where;
    }

    long varint64() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) throw corrupt("truncated varint");
        int x = b[pos++] & 0xff;
        v |= (long) (x & 0x7f) << shift;
        if (x < 0x80) return v;
      }
      throw corrupt("varint too long");
    }

    int varint32() {
      long v = varint64();
      if (v < 0 || v > Integer.MAX_VALUE) throw corrupt("length " + v + " out of range");
      return (int) v;
    }

    byte[] bytes(int n) {
      if (n < 0 || n > end - pos) throw corrupt(n + " bytes requested, " + (end - pos) + " left");
      byte[] out = Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    JbertException corrupt(String what) {
      return new JbertException(where + ": truncated or corrupt (" + what + ")");
    }
  }
}
