package org.jbert.pretraining.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.io.JsonLines;

/**
 * Reads the JSON Lines that {@link InstanceWriter} writes ({@code bin/jbert pretrain-data}) back into
 * {@link TrainingInstance}s: the token rows are cut to their real length (the ones of {@code input_mask}) and the
 * predictions to the entries with weight 1. Every error names {@code file:line} and the field.
 *
 * <p>Checked per line: {@code input_ids}, {@code input_mask} and {@code segment_ids} have the same length T;
 * {@code input_mask} is ones then zeros (at least one 1); segment ids are 0 or 1; the three {@code masked_lm_*} lists
 * have the same length M &gt;= 1; weights are 1.0 then 0.0; every weighted position is inside the real tokens; ids are
 * below {@code vocabSize}; {@code next_sentence_label} is 0 or 1.
 */
public final class InstanceReader {
  private InstanceReader() {}

  /**
   * Every instance of {@code file}.
   *
   * @param vocabSize V of the model the instances are for: every id must be in [0, V) ({@code Integer.MAX_VALUE}
   *     to skip that check)
   */
  public static List<TrainingInstance> read(Path file, int vocabSize) {
    return read(file, vocabSize, Integer.MAX_VALUE);
  }

  /**
   * As {@link #read(Path, int)}, and every instance has at most {@code maxLength} real tokens (e.g. the model's
   * max_position_embeddings).
   */
  public static List<TrainingInstance> read(Path file, int vocabSize, int maxLength) {
    List<TrainingInstance> out = new ArrayList<>();
    try (JsonLines in = JsonLines.open(file)) {
      in.forEach(line -> out.add(parse(line, vocabSize, maxLength)));
    }
    return out;
  }

  static TrainingInstance parse(JsonLines.Line line, int vocabSize, int maxLength) {
    int[] ids = ints(line, "input_ids", vocabSize);
    int[] mask = ints(line, "input_mask", 2);
    int[] seg = ints(line, "segment_ids", 2);
    int t = ids.length;
    sameLength(line, "input_mask", mask.length, "input_ids", t);
    sameLength(line, "segment_ids", seg.length, "input_ids", t);
    int len = prefixOfOnes(line, "input_mask", mask);
    if (len == 0) {
      throw new JbertException(line.where() + ": \"input_mask\" has no 1; expected ones for the real tokens");
    }
    if (len > maxLength) {
      throw new JbertException(line.where() + ": " + len + " real tokens; expected at most " + maxLength);
    }
    int[] positions = ints(line, "masked_lm_positions", Integer.MAX_VALUE);
    int[] labels = ints(line, "masked_lm_ids", vocabSize);
    JsonNode w = line.json().get("masked_lm_weights");
    if (w == null || !w.isArray()) {
      throw new JbertException(line.where() + ": \"masked_lm_weights\" is " + w + "; expected a list of 1.0 and 0.0");
    }
    int m = positions.length;
    if (m == 0) throw new JbertException(line.where() + ": \"masked_lm_positions\" is empty; expected M >= 1 entries");
    sameLength(line, "masked_lm_ids", labels.length, "masked_lm_positions", m);
    sameLength(line, "masked_lm_weights", w.size(), "masked_lm_positions", m);
    int[] weights = new int[m];
    for (int k = 0; k < m; k++) {
      JsonNode v = w.get(k);
      if (!v.isNumber() || (v.doubleValue() != 0 && v.doubleValue() != 1)) {
        throw new JbertException(line.where() + ": \"masked_lm_weights\"[" + k + "] is " + v
            + "; expected 1.0 (a prediction) or 0.0 (padding)");
      }
      weights[k] = (int) v.doubleValue();
    }
    int predictions = prefixOfOnes(line, "masked_lm_weights", weights);
    for (int k = 0; k < predictions; k++) {
      if (positions[k] >= len) {
        throw new JbertException(line.where() + ": \"masked_lm_positions\"[" + k + "] is " + positions[k]
            + "; expected a position of a real token, below " + len);
      }
    }
    JsonNode next = line.json().get("next_sentence_label");
    if (next == null || !next.isIntegralNumber() || (next.intValue() != 0 && next.intValue() != 1)) {
      throw new JbertException(line.where() + ": \"next_sentence_label\" is " + next
          + "; expected 0 (B follows A) or 1 (B is random)");
    }
    return new TrainingInstance(Arrays.copyOf(ids, len), Arrays.copyOf(seg, len), Arrays.copyOf(positions, predictions),
        Arrays.copyOf(labels, predictions), next.intValue() == 1);
  }

  /** A list of integers in [0, limit). */
  private static int[] ints(JsonLines.Line line, String name, int limit) {
    JsonNode n = line.json().get(name);
    if (n == null || !n.isArray()) {
      throw new JbertException(line.where() + ": \"" + name + "\" is " + abbreviate(n) + "; expected a list of"
          + " integers as bin/jbert pretrain-data writes");
    }
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = n.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() >= limit) {
        String vocab = limit == 2 || limit == Integer.MAX_VALUE ? "" : " (the model's vocab_size is " + limit + ")";
        throw new JbertException(line.where() + ": \"" + name + "\"[" + i + "] is " + v + "; expected an integer in"
            + " [0, " + limit + ")" + vocab);
      }
      out[i] = v.intValue();
    }
    return out;
  }

  private static void sameLength(JsonLines.Line line, String name, int n, String other, int expected) {
    if (n != expected) {
      throw new JbertException(line.where() + ": \"" + name + "\" has " + n + " entries; expected " + expected
          + " as \"" + other + "\"");
    }
  }

  /** The number of leading ones of a 0/1 list; an error when a 1 follows a 0. */
  private static int prefixOfOnes(JsonLines.Line line, String name, int[] v) {
    int n = 0;
    while (n < v.length && v[n] == 1) n++;
    for (int i = n; i < v.length; i++) {
      if (v[i] != 0) {
        throw new JbertException(line.where() + ": \"" + name + "\"[" + i + "] is 1 after a 0; expected ones, then"
            + " zeros for padding");
      }
    }
    return n;
  }

  private static String abbreviate(JsonNode n) {
    if (n == null) return "missing";
    String s = n.toString();
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
