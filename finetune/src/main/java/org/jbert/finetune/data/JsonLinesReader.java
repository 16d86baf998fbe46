package org.jbert.finetune.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.io.InputRow;
import org.jbert.core.io.JsonLines;

/**
 * Reads task examples from JSON Lines, one object per line, in one of two forms per file:
 * <ul>
 *   <li>text: {@code {"text": "...", "text_b": "...", "label": ...}} ({@code text_b} optional);</li>
 *   <li>pre-tokenized: {@code {"input_word_ids": [...], "input_mask": [...], "input_type_ids": [...], "label": ...}},
 *       with the aliases of {@link InputRow} ({@code input_ids}, {@code attention_mask}, {@code token_type_ids},
 *       {@code segment_ids}); mask and type ids are optional (all ones / all zeros) and must have the length of the
 *       ids; rows may differ in length.</li>
 * </ul>
 * {@code label} is optional (prediction input) and is a string, a number (kept as its JSON text, e.g. {@code 1} or
 * {@code 3.5}) or, for multi-label tasks, a list of those; a file uses one label kind throughout. An optional {@code id}
 * (string or number) is kept. Blank lines are skipped; every error names {@code file:line}.
 */
public final class JsonLinesReader {
  private JsonLinesReader() {}

  /** Every example in {@code file}. */
  public static List<Example> read(Path file) {
    try (JsonLines in = JsonLines.open(file)) {
      return read(in);
    }
  }

  /** Every example in a stream such as standard input; {@code source} names it in messages. */
  public static List<Example> read(String source, InputStream in) {
    try (JsonLines lines = JsonLines.of(source, in)) {
      return read(lines);
    }
  }

  private static List<Example> read(JsonLines in) {
    List<Example> out = new ArrayList<>();
    Example first = null;
    Example firstLabeled = null;
    for (JsonLines.Line line = in.next(); line != null; line = in.next()) {
      Example e = parse(line);
      if (first == null) {
        first = e;
      } else if (e.isTokenized() != first.isTokenized()) {
        throw new JbertException(line.where() + ": " + form(e) + " example, but the first example (" + first.where()
            + ") is " + form(first) + "; expected one form per file");
      }
      if (e.hasLabel() || e.multiLabel()) {
        if (firstLabeled == null) {
          firstLabeled = e;
        } else if (e.multiLabel() != firstLabeled.multiLabel()) {
          throw new JbertException(line.where() + ": \"label\" is " + (e.multiLabel() ? "a list" : "a single value")
              + ", but at " + firstLabeled.where() + " it is " + (firstLabeled.multiLabel() ? "a list" : "a single value")
              + "; expected one label kind per file");
        }
      }
      out.add(e);
    }
    return out;
  }

  private static String form(Example e) {
    return e.isTokenized() ? "a pre-tokenized" : "a text";
  }

  /** One line as an example. */
  static Example parse(JsonLines.Line line) {
    String where = line.where();
    JsonNode json = line.json();
    String id = where;
    JsonNode idNode = json.get("id");
    if (idNode != null && !idNode.isNull()) {
      if (!idNode.isTextual() && !idNode.isNumber()) {
        throw new JbertException(where + ": \"id\" is " + idNode + "; expected a string or a number");
      }
      id = idNode.asText();
    }
    List<String> labels = new ArrayList<>();
    boolean multi = false;
    JsonNode label = json.get("label");
    if (label != null && !label.isNull()) {
      if (label.isArray()) {
        multi = true;
        for (JsonNode l : label) labels.add(labelText(where, l, label));
      } else {
        labels.add(labelText(where, label, label));
      }
    }
    InputRow row = InputRow.parse(line);
    if (row.isTokenized()) {
      return new Example(where, id, null, null, new Example.Tokens(row.ids(), row.mask(), row.types()), labels,
          multi);
    }
    return new Example(where, id, row.text(), row.textB(), null, labels, multi);
  }

  private static String labelText(String where, JsonNode l, JsonNode whole) {
    if (l.isTextual() || l.isNumber()) return l.asText();
    throw new JbertException(where + ": \"label\" is " + whole
        + "; expected a string, a number, or a list of strings/numbers");
  }
}
