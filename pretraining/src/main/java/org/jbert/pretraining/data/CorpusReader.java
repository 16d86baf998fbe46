package org.jbert.pretraining.data;

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
 * Streams the lines of a UTF-8 corpus one at a time, decoding each line on its own so that a bad byte sequence is
 * reported with its 1-based line number. Line ends are {@code \n} or {@code \r\n}; a UTF-8 byte-order mark at the
 * start is dropped.
 */
final class CorpusReader implements Closeable {
  private final String source;
  private final InputStream in;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int lim;
  private byte[] line = new byte[256];
  private long lineNumber;
  private boolean eof;

  CorpusReader(String source, InputStream in) {
    this.source = source;
    this.in = in;
  }

  /** Opens {@code file}; a missing or unreadable file is an error that names it. */
  static CorpusReader open(Path file) {
    if (Files.isDirectory(file)) {
      throw new JbertException(file + ": is a directory; expected a corpus text file (one sentence per line)");
    }
    try {
      return new CorpusReader(file.toString(), Files.newInputStream(file));
    } catch (NoSuchFileException e) {
      throw new JbertException(file + ": corpus file not found");
    } catch (IOException e) {
      throw new JbertException(file + ": cannot read corpus file (" + e.getMessage() + ")", e);
    }
  }

  /** The source name used in messages (the file path, or e.g. "stdin"). */
  String source() {
    return source;
  }

  /** The 1-based number of the line last returned by {@link #nextLine()}. */
  long lineNumber() {
    return lineNumber;
  }

  /** The next line without its line end, or null at the end of the input. */
  String nextLine() {
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
    lineNumber++;
    if (n > 0 && line[n - 1] == '\r') n--;
    String text;
    try {
      text = utf8.decode(ByteBuffer.wrap(line, 0, n)).toString();
    } catch (CharacterCodingException e) {
      throw new JbertException(
          source + ":" + lineNumber + ": not valid UTF-8 (bad byte sequence); expected UTF-8 text");
    }
    if (lineNumber == 1 && text.startsWith("\uFEFF")) text = text.substring(1);
    return text;
  }

  private void fill() {
    try {
      lim = in.read(buf);
      pos = 0;
    } catch (IOException e) {
      throw new JbertException(source + ": read failed after line " + lineNumber + " (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException ignored) {
      // nothing useful to do: we only read
    }
  }
}
