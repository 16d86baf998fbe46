package org.jbert.finetune.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jbert.core.JbertException;

/**
 * Strict UTF-8 text lines with 1-based line numbers, for the TSV and CoNLL readers. Each line is decoded on its own,
 * so a bad byte sequence is reported at the line that holds it (a {@code BufferedReader} decodes ahead in chunks and
 * cannot say which line failed). {@code \n} and {@code \r\n} both end a line; a leading UTF-8 byte-order mark is
 * dropped.
 */
final class TextLines implements Closeable {
  private final String source;
  private final InputStream in;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteArrayOutputStream buf = new ByteArrayOutputStream(1024);
  private long number;
  private boolean eof;

  private TextLines(String source, InputStream in) {
    this.source = source;
    this.in = new BufferedInputStream(in, 1 << 16);
  }

  static TextLines open(Path file) {
    try {
      return new TextLines(file.toString(), Files.newInputStream(file));
    } catch (NoSuchFileException e) {
      throw new JbertException(file + ": input file not found");
    } catch (IOException e) {
      throw new JbertException(file + ": cannot read input file (" + e.getMessage() + ")", e);
    }
  }

  /** The 1-based number of the line last returned by {@link #next()}. */
  long number() {
    return number;
  }

  /** The next line without its line end, or null at the end of the file. */
  String next() {
    if (eof) return null;
    buf.reset();
    boolean any = false;
    try {
      int b;
      while ((b = in.read()) != -1) {
        any = true;
        if (b == '\n') break;
        buf.write(b);
      }
      if (b == -1) {
        eof = true;
        if (!any) return null;
      }
    } catch (IOException e) {
      throw new JbertException(source + ": read failed after line " + number + " (" + e.getMessage() + ")", e);
    }
    number++;
    byte[] raw = buf.toByteArray();
    int len = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
    int off = number == 1 && len >= 3 && (raw[0] & 0xFF) == 0xEF && (raw[1] & 0xFF) == 0xBB && (raw[2] & 0xFF) == 0xBF
        ? 3 : 0;
    try {
      return utf8.decode(ByteBuffer.wrap(raw, off, len - off)).toString();
    } catch (CharacterCodingException e) {
      throw new JbertException(source + ":" + number + ": not valid UTF-8 (bad byte sequence); expected UTF-8 text");
    }
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException ignored) {
      // read-only: nothing to flush
    }
  }
}
