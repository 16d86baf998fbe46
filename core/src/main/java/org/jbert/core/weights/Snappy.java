package org.jbert.core.weights;

import org.jbert.core.JbertException;

/**
 * A decompressor for the Snappy block format (the raw format, not the framed one), which TensorFlow's table writer
 * may use for the blocks of a tensor-bundle index. Written from the format description (a varint uncompressed
 * length, then literal and copy elements); every length and offset is bounds-checked so corrupt input gives a
 * {@link JbertException}, never an out-of-range read or a huge allocation.
 */
final class Snappy {

  private Snappy() {}

  /**
   * Decompresses {@code in[off, off+len)}.
   *
   * @param maxLength the largest uncompressed size accepted (guards against a corrupt length field)
   * @param where names the file and block, for messages
   */
  static byte[] uncompress(byte[] in, int off, int len, int maxLength, String where) {
    int end = off + len;
    int ip = off;
    long ulen = 0;
    int shift = 0;
    while (true) {
      if (ip >= end || shift > 28) throw corrupt(where, "bad uncompressed-length varint");
      int b = in[ip++] & 0xff;
      ulen |= (long) (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    if (ulen > maxLength) {
      throw corrupt(where, "uncompressed length " + ulen + " exceeds the limit " + maxLength);
    }
    byte[] out = new byte[(int) ulen];
    int op = 0;
    while (ip < end) {
      int tag = in[ip++] & 0xff;
      int length;
      int offset;
      switch (tag & 3) {
        case 0 -> {
          int n = tag >>> 2;
          if (n < 60) {
            length = n + 1;
          } else {
            int bytes = n - 59;
            if (ip + bytes > end) throw corrupt(where, "truncated literal length");
            long l = 0;
            for (int i = 0; i < bytes; i++) l |= (long) (in[ip++] & 0xff) << (8 * i);
            if (l + 1 > Integer.MAX_VALUE) throw corrupt(where, "literal length " + (l + 1) + " too large");
            length = (int) (l + 1);
          }
          if (length > end - ip || length > out.length - op) throw corrupt(where, "literal overruns the block");
          System.arraycopy(in, ip, out, op, length);
          ip += length;
          op += length;
          continue;
        }
        case 1 -> {
          if (ip >= end) throw corrupt(where, "truncated copy");
          length = ((tag >>> 2) & 7) + 4;
          offset = ((tag >>> 5) << 8) | (in[ip++] & 0xff);
        }
        case 2 -> {
          if (ip + 2 > end) throw corrupt(where, "truncated copy");
          length = (tag >>> 2) + 1;
          offset = (in[ip] & 0xff) | (in[ip + 1] & 0xff) << 8;
          ip += 2;
        }
        default -> {
          if (ip + 4 > end) throw corrupt(where, "truncated copy");
          length = (tag >>> 2) + 1;
          long o = (in[ip] & 0xffL) | (in[ip + 1] & 0xffL) << 8 | (in[ip + 2] & 0xffL) << 16
              | (in[ip + 3] & 0xffL) << 24;
          if (o > Integer.MAX_VALUE) throw corrupt(where, "copy offset " + o + " out of range");
          offset = (int) o;
          ip += 4;
        }
      }
      if (offset <= 0 || offset > op || length > out.length - op) {
        throw corrupt(where, "copy (offset " + offset + ", length " + length + ") out of range at output " + op);
      }
      // Byte by byte: a copy may overlap its own output (offset < length repeats a pattern).
      for (int i = 0; i < length; i++, op++) out[op] = out[op - offset];
    }
    if (op != out.length) {
      throw corrupt(where, "decompressed " + op + " bytes, header says " + out.length);
    }
    return out;
  }

  private static JbertException corrupt(String where, String what) {
    return new JbertException(where + ": corrupt snappy block (" + what + ")");
  }
}
