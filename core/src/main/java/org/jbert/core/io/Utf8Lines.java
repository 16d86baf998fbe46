package org.jbert.core.io;

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
import java.util.Arrays;
import org.jbert.core.JbertException;

/**
 * The one strict UTF-8 line reader of every text input (JSON Lines, TSV, CoNLL, corpus text, vocab.txt): lines with
 * 1-based numbers, each decoded on its own so that a bad byte sequence is reported at the line that holds it (a
 * {@code BufferedReader} decodes ahead in chunks and cannot say which line failed). {@code \n} and {@code \r\n} both
 * end a line; a UTF-8 byte-order mark ({@code EF BB BF}, as Windows tools write it) at the start of the input is
 * dropped. Not thread-safe.
 */
public final class Utf8Lines implements Closeable {
  private final String source;
  private final InputStream in;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int lim;
  private byte[] line = new byte[256];
  private long number;
  private boolean eof;

  private Utf8Lines(String source, InputStream in) {
    this.source = source;
    this.in = in;
  }

  /**
   * Reads {@code file}; a missing, unreadable or directory path is an error naming it as a {@code kind} (e.g.
   * "input file": "data.jsonl: input file not found").
   */
  public static Utf8Lines open(Path file, String kind) {
    if (Files.isDirectory(file)) {
      throw new JbertException(file + ": is a directory; expected a" + (startsWithVowel(kind) ? "n " : " ") + kind);
    }
    try {
      return new Utf8Lines(file.toString(), Files.newInputStream(file));
    } catch (NoSuchFileException e) {
      throw new JbertException(file + ": " + kind + " not found");
    } catch (IOException e) {
      throw new JbertException(file + ": cannot read " + kind + " (" + e.getMessage() + ")", e);
    }
  }

  /** Reads a stream such as standard input; {@code source} names it in messages (e.g. "stdin"). */
  public static Utf8Lines of(String source, InputStream in) {
    return new Utf8Lines(source, in);
  }

  private static boolean startsWithVowel(String s) {
    return !s.isEmpty() && "aeiou".indexOf(Character.toLowerCase(s.charAt(0))) >= 0;
  }

  /** The source name used in messages (the file path, or e.g. "stdin"). */
  public String source() {
    return source;
  }

  /** The 1-based number of the line last returned by {@link #next()}. */
  public long number() {
    return number;
  }

  /** {@code source:line} of the line last returned, the prefix of every message about it. */
  public String where() {
    return source + ":" + number;
  }

  /**
   * The next line without its line end, or null at the end of the input.
   *
   * @throws JbertException naming {@code source:line} when the line is not valid UTF-8 or the read fails
   */
  public String next() {
    if (eof) return null;
    int n = 0;
    boolean sawAny = false;
    while (true) {
      if (pos == lim) {
        fill();
        if (lim <= 0) {
          eof = true;
          if (!sawAny) return null;
          break;
        }
      }
      sawAny = true;
      byte b = buf[pos++];
      if (b == '\n') break;
      if (n == line.length) line = Arrays.copyOf(line, n * 2);
      line[n++] = b;
    }
    number++;
    if (n > 0 && line[n - 1] == '\r') n--;
    int off = number == 1 && n >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB
        && (line[2] & 0xFF) == 0xBF ? 3 : 0;
    try {
      return utf8.reset().decode(ByteBuffer.wrap(line, off, n - off)).toString();
    } catch (CharacterCodingException e) {
      throw new JbertException(where() + ": not valid UTF-8 (bad byte sequence); expected UTF-8 text");
    }
  }

  private void fill() {
    try {
      lim = in.read(buf);
      pos = 0;
    } catch (IOException e) {
      throw new JbertException(source + ": read failed after line " + number + " (" + e.getMessage() + ")", e);
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
