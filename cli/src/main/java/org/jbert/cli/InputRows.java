package org.jbert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.io.JsonLines;
import org.jbert.core.tokenize.Features;

/**
 * Model input rows read from JSON Lines, as {@code jbert embed} and {@code jbert predict} take them: every line is a
 * text row ({@code text}, optional {@code text_b}) or a pre-tokenized row ({@code input_word_ids}, optional
 * {@code input_mask} default all 1, optional {@code input_type_ids} default all 0), one kind per file. Text rows go
 * through the caller's preprocessing; pre-tokenized rows are taken as they are and must share one length.
 *
 * @param features the rows [N,T], in file order
 * @param where {@code file:line} of each row, for messages
 * @param preTokenized whether the rows came pre-tokenized
 */
record InputRows(Features features, List<String> where, boolean preTokenized) {

  /** Turns text rows into features: {@code textsB} is null when no row has a {@code text_b}. */
  @FunctionalInterface
  interface TextEncoder {
    Features encode(List<String> texts, List<String> textsB);
  }

  /**
   * Reads {@code file}; {@code text} is called once, with every text row, only when the file has text rows.
   *
   * @param purpose what the rows are for, in the message about an empty file (e.g. "embed")
   */
  static InputRows read(Path file, TextEncoder text, String purpose) {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    List<int[][]> pre = new ArrayList<>();
    List<String> where = new ArrayList<>();
    int preLength = -1;
    try (JsonLines in = JsonLines.open(file)) {
      for (JsonLines.Line line = in.next(); line != null; line = in.next()) {
        where.add(line.where());
        if (line.json().has("input_word_ids")) {
          int[] ids = ints(line, "input_word_ids", null);
          if (ids.length == 0) throw new JbertException(line.where() + ": input_word_ids is empty; expected tokens");
          if (preLength >= 0 && ids.length != preLength) {
            throw new JbertException(line.where() + ": input_word_ids has " + ids.length
                + " entries but earlier rows have " + preLength + "; expected pre-tokenized rows of one length");
          }
          preLength = ids.length;
          int[] fill1 = new int[ids.length];
          Arrays.fill(fill1, 1);
          pre.add(new int[][] {ids, ints(line, "input_mask", fill1), ints(line, "input_type_ids",
              new int[ids.length])});
        } else if (line.json().has("text")) {
          a.add(line.requireText("text"));
          b.add(line.optionalText("text_b"));
        } else {
          throw new JbertException(line.where() + ": neither \"text\" nor \"input_word_ids\"; expected a text row"
              + " {\"text\": ..., \"text_b\": ...} or a pre-tokenized row {\"input_word_ids\": [...], ...}");
        }
        if (!pre.isEmpty() && !a.isEmpty()) {
          throw new JbertException(line.where() + ": mixes text rows and pre-tokenized rows; expected one kind per"
              + " file");
        }
      }
    }
    if (pre.isEmpty() && a.isEmpty()) throw new JbertException(file + ": no rows to " + purpose);
    if (!pre.isEmpty()) {
      int n = pre.size();
      int[][] ids = new int[n][], mask = new int[n][], types = new int[n][];
      for (int i = 0; i < n; i++) {
        ids[i] = pre.get(i)[0];
        mask[i] = pre.get(i)[1];
        types[i] = pre.get(i)[2];
      }
      return new InputRows(new Features(ids, mask, types), List.copyOf(where), true);
    }
    boolean pairs = b.stream().anyMatch(x -> x != null);
    return new InputRows(text.encode(a, pairs ? b : null), List.copyOf(where), false);
  }

  /**
   * Checks the rows against the model before anything runs, naming the row's {@code file:line}: ids in
   * [0, vocab_size), mask 0 or 1, type ids in [0, type_vocab_size), and rows no longer than max_position_embeddings.
   */
  void check(BertConfig config) {
    int p = config.maxPositionEmbeddings();
    int[][] ids = features.inputWordIds(), mask = features.inputMask(), types = features.inputTypeIds();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i].length > p) {
        throw new JbertException(where.get(i) + ": input_word_ids has " + ids[i].length + " entries, more than the"
            + " model's max_position_embeddings " + p + "; expected at most " + p + " tokens");
      }
      range(i, "input_word_ids", ids[i], config.vocabSize(), "vocab_size");
      range(i, "input_mask", mask[i], 2, null);
      range(i, "input_type_ids", types[i], config.typeVocabSize(), "type_vocab_size");
    }
  }

  private void range(int row, String key, int[] v, int limit, String limitKey) {
    for (int j = 0; j < v.length; j++) {
      if (v[j] >= 0 && v[j] < limit) continue;
      throw new JbertException(where.get(row) + ": " + key + "[" + j + "] is " + v[j]
          + (limitKey == null ? "; expected 0 or 1" : ", outside [0, " + limit + "): the model's " + limitKey
              + " is " + limit));
    }
  }

  private static int[] ints(JsonLines.Line line, String key, int[] dflt) {
    JsonNode v = line.json().get(key);
    if (v == null || v.isNull()) {
      if (dflt == null) throw new JbertException(line.where() + ": missing \"" + key + "\" (an array of integers)");
      return dflt;
    }
    if (!v.isArray()) throw new JbertException(line.where() + ": \"" + key + "\" is " + v + "; expected an array");
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode x = v.get(i);
      // 2.0 counts as 2: JSON written from float arrays (numpy, json.dumps of tensors) looks like that.
      boolean integral = x.isInt() || (x.isNumber() && x.canConvertToInt() && x.asDouble() == Math.rint(x.asDouble()));
      if (!integral) {
        throw new JbertException(line.where() + ": \"" + key + "\"[" + i + "] is " + x + "; expected an integer");
      }
      out[i] = (int) x.asDouble();
    }
    if (dflt != null && out.length != dflt.length) {
      throw new JbertException(line.where() + ": \"" + key + "\" has " + out.length + " entries; expected "
          + dflt.length + " like input_word_ids");
    }
    return out;
  }
}
