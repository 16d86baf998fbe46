package org.jbert.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import org.jbert.core.JbertException;

/**
 * The model-input part of one JSON Lines row, the one row format of every command and run: a text row
 * ({@code text}, optional {@code text_b}) or a pre-tokenized row, each array [T] (T may differ between rows):
 *
 * <ul>
 *   <li>{@code input_word_ids}, alias {@code input_ids} (required);
 *   <li>{@code input_mask}, alias {@code attention_mask} (default all 1);
 *   <li>{@code input_type_ids}, aliases {@code token_type_ids} and {@code segment_ids} (default all 0).
 * </ul>
 *
 * The TF Hub names come first, then Hugging Face's, then Google's BERT scripts'. A row giving a field under two names,
 * or both text and ids, is an error; other keys (such as {@code label} or {@code id}) are the caller's. Integers may
 * be written as {@code 2.0} (JSON written from float arrays looks like that).
 *
 * @param where {@code file:line}, the prefix of every message about the row
 * @param text the first segment, or null for a pre-tokenized row
 * @param textB the second segment, or null
 * @param ids input_word_ids [T], or null for a text row
 * @param mask input_mask [T], or null for a text row
 * @param types input_type_ids [T], or null for a text row
 */
public record InputRow(String where, String text, String textB, int[] ids, int[] mask, int[] types) {
  /** The names of the ids field, canonical first. */
  public static final List<String> IDS = List.of("input_word_ids", "input_ids");
  /** The names of the mask field, canonical first. */
  public static final List<String> MASK = List.of("input_mask", "attention_mask");
  /** The names of the segment field, canonical first. */
  public static final List<String> TYPES = List.of("input_type_ids", "token_type_ids", "segment_ids");

  /** Whether the row came as ids rather than text. */
  public boolean isTokenized() {
    return ids != null;
  }

  /** T of a pre-tokenized row. */
  public int length() {
    return ids.length;
  }

  /** The model input of {@code line}; see the class comment. */
  public static InputRow parse(JsonLines.Line line) {
    String where = line.where();
    JsonNode json = line.json();
    String idsName = name(json, IDS, where);
    if (idsName == null) {
      String text = line.optionalText("text");
      if (text == null) {
        throw new JbertException(where + ": missing \"text\" (a string) or \"input_ids\" (a list of integers):"
            + " neither \"text\" nor \"input_word_ids\" (or an alias: " + String.join(", ", aliases()) + ") is in"
            + " the row");
      }
      return new InputRow(where, text, line.optionalText("text_b"), null, null, null);
    }
    if (json.has("text")) {
      throw new JbertException(where + ": has both \"text\" and \"" + idsName + "\"; expected text or pre-tokenized"
          + " ids, not both");
    }
    int[] ids = ints(where, idsName, json.get(idsName), -1, Integer.MAX_VALUE);
    if (ids.length == 0) throw new JbertException(where + ": \"" + idsName + "\" is empty; expected tokens");
    String maskName = name(json, MASK, where);
    int[] mask = maskName == null ? fill(ids.length, 1) : ints(where, maskName, json.get(maskName), ids.length, 1);
    String typesName = name(json, TYPES, where);
    int[] types = typesName == null ? new int[ids.length]
        : ints(where, typesName, json.get(typesName), ids.length, Integer.MAX_VALUE);
    return new InputRow(where, null, null, ids, mask, types);
  }

  private static List<String> aliases() {
    return List.of(IDS.get(1), MASK.get(1), TYPES.get(1), TYPES.get(2));
  }

  /** The one name under which {@code json} gives the field, or null; an error when it gives several. */
  private static String name(JsonNode json, List<String> names, String where) {
    String found = null;
    for (String n : names) {
      JsonNode v = json.get(n);
      if (v == null || v.isNull()) continue;
      if (found != null) {
        throw new JbertException(where + ": has both \"" + (found.equals(IDS.get(0)) ? n : found) + "\" and \""
            + (found.equals(IDS.get(0)) ? found : n) + "\"; expected one of them");
      }
      found = n;
    }
    return found;
  }

  /** An int array with values in [0, max] and, when {@code length >= 0}, exactly that length. */
  private static int[] ints(String where, String name, JsonNode node, int length, int max) {
    if (!node.isArray()) {
      String s = node.toString();
      throw new JbertException(where + ": \"" + name + "\" is " + (s.length() <= 40 ? s : s.substring(0, 40) + "...")
          + "; expected a list of integers");
    }
    if (length >= 0 && node.size() != length) {
      throw new JbertException(where + ": \"" + name + "\" has " + node.size() + " values; expected " + length
          + " (the length of the ids)");
    }
    int[] out = new int[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      double d = v.asDouble();
      boolean integral = v.isIntegralNumber() ? v.canConvertToInt() : v.isNumber() && d == Math.rint(d);
      if (!integral || d < 0 || d > max) {
        throw new JbertException(where + ": \"" + name + "\"[" + i + "] is " + v + "; expected an integer in [0, "
            + max + "]");
      }
      out[i] = (int) d;
    }
    return out;
  }

  private static int[] fill(int n, int v) {
    int[] a = new int[n];
    Arrays.fill(a, v);
    return a;
  }
}
