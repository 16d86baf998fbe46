package org.jbert.core.io;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.jbert.core.JbertException;

/**
 * NumPy {@code .npz} archives (a zip of {@code .npy} files, format 1.0, little-endian, C order) so Python reads
 * jbert's arrays with {@code numpy.load}. Holds float32 ({@code <f4}) and int32 ({@code <i4}) arrays.
 */
public final class Npz {
  private Npz() {}

  /** One array: exactly one of {@code floats}/{@code ints} is non-null; {@code shape} in C order. */
  public record Array(long[] shape, float[] floats, int[] ints) {
    public static Array of(float[] data, long... shape) {
      check(data.length, shape);
      return new Array(shape, data, null);
    }

    public static Array of(int[] data, long... shape) {
      check(data.length, shape);
      return new Array(shape, null, data);
    }

    /** An int32 [rows, cols] array from a rectangular int matrix. */
    public static Array of(int[][] m) {
      int cols = m.length == 0 ? 0 : m[0].length;
      int[] flat = new int[m.length * cols];
      for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, flat, i * cols, cols);
      return of(flat, m.length, cols);
    }

    private static void check(int n, long[] shape) {
      long p = 1;
      for (long s : shape) p *= s;
      if (p != n) throw new IllegalArgumentException(n + " values do not fill shape " + Arrays.toString(shape));
    }
  }

  /** Writes {@code arrays} (name without {@code .npy} -> array) to {@code file}, atomically. */
  public static void write(Path file, Map<String, Array> arrays) {
    AtomicFiles.write(file, out -> write(out, arrays));
  }

  /** Writes an npz to a stream. */
  public static void write(OutputStream out, Map<String, Array> arrays) throws IOException {
    ZipOutputStream zip = new ZipOutputStream(out);
    zip.setLevel(0);
    for (Map.Entry<String, Array> e : arrays.entrySet()) {
      zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
      writeNpy(zip, e.getValue());
      zip.closeEntry();
    }
    zip.finish();
  }

  private static void writeNpy(OutputStream out, Array a) throws IOException {
    String descr = a.floats != null ? "<f4" : "<i4";
    StringBuilder shape = new StringBuilder("(");
    for (long s : a.shape) shape.append(s).append(", ");
    if (a.shape.length > 1) shape.setLength(shape.length() - 2);
    else if (a.shape.length == 1) shape.setLength(shape.length() - 1);
    shape.append(")");
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int unpadded = 10 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    pre.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    pre.putShort((short) header.length());
    out.write(pre.array());
    out.write(header.getBytes(StandardCharsets.US_ASCII));
    int n = a.floats != null ? a.floats.length : a.ints.length;
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      if (a.floats != null) buf.putFloat(a.floats[i]);
      else buf.putInt(a.ints[i]);
      if (!buf.hasRemaining()) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
    }
    out.write(buf.array(), 0, buf.position());
  }

  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<|>]?[fi]4)'");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  /** Reads an npz written by {@link #write} (or by NumPy with {@code <f4}/{@code <i4} C-order arrays). */
  public static Map<String, Array> read(Path file) {
    Map<String, Array> out = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
        out.put(name, readNpy(file, name, new DataInputStream(zip)));
      }
    } catch (IOException e) {
      throw new JbertException(file + ": not a readable npz file (" + e.getMessage() + ")", e);
    }
    return out;
  }

  private static Array readNpy(Path file, String name, DataInputStream in) throws IOException {
    byte[] magic = new byte[8];
    in.readFully(magic);
    if ((magic[0] & 0xff) != 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
      throw new JbertException(file + ": entry " + name + " is not a .npy array");
    }
    int hl = magic[6] == 1 ? Short.toUnsignedInt(Short.reverseBytes(in.readShort())) : Integer.reverseBytes(in.readInt());
    byte[] h = new byte[hl];
    in.readFully(h);
    String header = new String(h, StandardCharsets.US_ASCII);
    Matcher d = DESCR.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !s.find() || header.contains("'fortran_order': True")) {
      throw new JbertException(file + ": entry " + name + " has an unsupported header " + header.trim()
          + "; expected little-endian f4 or i4 in C order");
    }
    long[] shape = Arrays.stream(s.group(1).split(",")).map(String::trim).filter(x -> !x.isEmpty())
        .mapToLong(Long::parseLong).toArray();
    long n = 1;
    for (long x : shape) n *= x;
    if (n > Integer.MAX_VALUE / 4) throw new JbertException(file + ": entry " + name + " is too large");
    byte[] raw = new byte[(int) n * 4];
    in.readFully(raw);
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    if (d.group(1).endsWith("f4")) {
      float[] f = new float[(int) n];
      b.asFloatBuffer().get(f);
      return new Array(shape, f, null);
    }
    int[] v = new int[(int) n];
    b.asIntBuffer().get(v);
    return new Array(shape, null, v);
  }
}
