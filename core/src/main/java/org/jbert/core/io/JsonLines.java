package org.jbert.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.jbert.core.JbertException;

/**
 * A streaming JSON Lines reader over {@link Utf8Lines}: one JSON object per line, blank lines skipped, a UTF-8
 * byte-order mark at the start dropped. Every error names the source and the 1-based line: a line that is not valid
 * UTF-8, not valid JSON, or not an object.
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

  private final Utf8Lines lines;

  private JsonLines(Utf8Lines lines) {
    this.lines = lines;
  }

  /** Reads {@code file}; a missing or unreadable file is an error that names it. */
  public static JsonLines open(Path file) {
    return new JsonLines(Utf8Lines.open(file, "input file"));
  }

  /** Reads a stream such as standard input; {@code source} names it in messages (e.g. "stdin"). */
  public static JsonLines of(String source, InputStream in) {
    return new JsonLines(Utf8Lines.of(source, in));
  }

  /** The next non-blank line, or null at the end of the input. */
  public Line next() {
    for (String text = lines.next(); text != null; text = lines.next()) {
      if (text.isBlank()) continue;
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        throw new JbertException(lines.where() + ": not valid JSON (" + e.getOriginalMessage() + ")");
      }
      if (node == null || !node.isObject()) {
        throw new JbertException(lines.where() + ": expected a JSON object per line, got " + abbreviate(text));
      }
      return new Line(lines.source(), lines.number(), (ObjectNode) node);
    }
    return null;
  }

  /** Calls {@code action} for every line until the end of the input. */
  public void forEach(Consumer<Line> action) {
    for (Line l = next(); l != null; l = next()) action.accept(l);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  @Override
  public void close() {
    lines.close();
  }
}
