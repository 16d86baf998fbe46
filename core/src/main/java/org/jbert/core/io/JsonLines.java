package org.jbert.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.function.Consumer;
import org.jbert.core.JbertException;

/**
 * A streaming JSON Lines reader: one JSON object per line, blank lines skipped. Every error names the source and the
 * 1-based line: a line that is not valid UTF-8, not valid JSON, or not an object.
 */
public final class JsonLines implements Closeable {

  /** One parsed line. */
  public record Line(String source, long number, ObjectNode json) {
    /** {@code source:line}, the prefix of every message about this line. */
    public String where() {
      return source + ":" + number;
    }

    /** The string field {@code key}; an error naming the line when it is absent or not a string. */
    public String requireText(String key) {
      JsonNode v = json.get(key);
      if (v == null || v.isNull()) throw new JbertException(where() + ": missing \"" + key + "\" (a string)");
      if (!v.isTextual()) throw new JbertException(where() + ": \"" + key + "\" is " + v + "; expected a string");
      return v.asText();
    }

    /** The string field {@code key}, or null when it is absent or JSON null. */
    public String optionalText(String key) {
      JsonNode v = json.get(key);
      if (v == null || v.isNull()) return null;
      if (!v.isTextual()) throw new JbertException(where() + ": \"" + key + "\" is " + v + "; expected a string");
      return v.asText();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String source;
  private final InputStream in;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteArrayOutputStream buf = new ByteArrayOutputStream(4096);
  private long lineNumber;
  private boolean eof;

  private JsonLines(String source, InputStream in) {
    this.source = source;
    this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16);
  }

  /** Reads {@code file}; a missing or unreadable file is an error that names it. */
  public static JsonLines open(Path file) {
    try {
      return new JsonLines(file.toString(), Files.newInputStream(file));
    } catch (NoSuchFileException e) {
      throw new JbertException(file + ": input file not found");
    } catch (IOException e) {
      throw new JbertException(file + ": cannot read input file (" + e.getMessage() + ")", e);
    }
  }

  /** Reads a stream such as standard input; {@code source} names it in messages (e.g. "stdin"). */
  public static JsonLines of(String source, InputStream in) {
    return new JsonLines(source, in);
  }

  /** The next non-blank line, or null at the end of the input. */
  public Line next() {
    while (!eof) {
      byte[] raw = readLineBytes();
      if (raw == null) return null;
      lineNumber++;
      String text;
      try {
        text = utf8.decode(ByteBuffer.wrap(raw)).toString();
      } catch (CharacterCodingException e) {
        throw new JbertException(source + ":" + lineNumber + ": not valid UTF-8 (bad byte sequence); expected UTF-8 text");
      }
      if (text.isBlank()) continue;
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        throw new JbertException(source + ":" + lineNumber + ": not valid JSON (" + e.getOriginalMessage() + ")");
      }
      if (node == null || !node.isObject()) {
        throw new JbertException(source + ":" + lineNumber + ": expected a JSON object per line, got " + abbreviate(text));
      }
      return new Line(source, lineNumber, (ObjectNode) node);
    }
    return null;
  }

  /** Calls {@code action} for every line until the end of the input. */
  public void forEach(Consumer<Line> action) {
    for (Line l = next(); l != null; l = next()) action.accept(l);
  }

  private byte[] readLineBytes() {
    buf.reset();
    try {
      int b;
      while ((b = in.read()) != -1) {
        if (b == '\n') return stripCr(buf.toByteArray());
        buf.write(b);
      }
    } catch (IOException e) {
      throw new JbertException(source + ": read failed after line " + lineNumber + " (" + e.getMessage() + ")", e);
    }
    eof = true;
    return buf.size() == 0 ? null : stripCr(buf.toByteArray());
  }

  private static byte[] stripCr(byte[] b) {
    if (b.length > 0 && b[b.length - 1] == '\r') {
      byte[] c = new byte[b.length - 1];
      System.arraycopy(b, 0, c, 0, c.length);
      return c;
    }
    return b;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
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
