package org.jbert.finetune.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.io.JsonLines;

/**
 * Reads task examples from JSON Lines, one object per line, in one of two forms per file:
 * <ul>
 *   <li>text: {@code {"text": "...", "text_b": "...", "label": ...}} ({@code text_b} optional);</li>
 *   <li>pre-tokenized: {@code {"input_ids": [...], "input_mask": [...], "segment_ids": [...], "label": ...}}, with the
 *       TF Hub names {@code input_word_ids} / {@code input_type_ids} accepted as aliases; mask and segment ids are
 *       optional (all ones / all zeros) and must have the length of the ids.</li>
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
    JsonNode ids = field(json, "input_ids", "input_word_ids", where);
    if (ids != null) {
      if (json.has("text")) {
        throw new JbertException(where + ": has both \"text\" and \"" + idsName(json)
            + "\"; expected text or pre-tokenized ids, not both");
      }
      int[] inputIds = ints(where, idsName(json), ids, -1, Integer.MAX_VALUE);
      if (inputIds.length == 0) throw new JbertException(where + ": \"" + idsName(json) + "\" is empty");
      JsonNode maskNode = json.get("input_mask");
      int[] mask = maskNode == null || maskNode.isNull() ? fill(inputIds.length, 1)
          : ints(where, "input_mask", maskNode, inputIds.length, 1);
      JsonNode segNode = field(json, "segment_ids", "input_type_ids", where);
      String segName = json.has("segment_ids") ? "segment_ids" : "input_type_ids";
      int[] seg = segNode == null ? new int[inputIds.length] : ints(where, segName, segNode, inputIds.length,
          Integer.MAX_VALUE);
      return new Example(where, id, null, null, new Example.Tokens(inputIds, mask, seg), labels, multi);
    }
    String text = line.optionalText("text");
    if (text == null) {
      throw new JbertException(where + ": missing \"text\" (a string) or \"input_ids\" (a list of integers)");
    }
    return new Example(where, id, text, line.optionalText("text_b"), null, labels, multi);
  }

  private static String idsName(JsonNode json) {
    return json.has("input_ids") ? "input_ids" : "input_word_ids";
  }

  /** The field under either name; an error when both are present. */
  private static JsonNode field(JsonNode json, String name, String alias, String where) {
    JsonNode a = json.get(name);
    JsonNode b = json.get(alias);
    if (a != null && !a.isNull() && b != null && !b.isNull()) {
      throw new JbertException(where + ": has both \"" + name + "\" and \"" + alias + "\"; expected one of them");
    }
    return a != null && !a.isNull() ? a : b != null && !b.isNull() ? b : null;
  }

  private static String labelText(String where, JsonNode l, JsonNode whole) {
    if (l.isTextual() || l.isNumber()) return l.asText();
    throw new JbertException(where + ": \"label\" is " + whole
        + "; expected a string, a number, or a list of strings/numbers");
  }

  /** An int array with values in [0, max] and, when {@code length >= 0}, exactly that length. */
  private static int[] ints(String where, String name, JsonNode node, int length, int max) {
    if (!node.isArray()) throw new JbertException(where + ": \"" + name + "\" is " + abbreviate(node)
        + "; expected a list of integers");
    if (length >= 0 && node.size() != length) {
      throw new JbertException(where + ": \"" + name + "\" has " + node.size() + " values; expected " + length
          + " (the length of the ids)");
    }
    int[] out = new int[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() > max) {
        throw new JbertException(where + ": \"" + name + "\"[" + i + "] is " + v + "; expected an integer in [0, "
            + max + "]");
      }
      out[i] = v.intValue();
    }
    return out;
  }

  private static int[] fill(int n, int v) {
    int[] a = new int[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  private static String abbreviate(JsonNode n) {
    String s = n.toString();
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
