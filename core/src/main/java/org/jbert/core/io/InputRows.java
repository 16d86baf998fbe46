package org.jbert.core.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.tokenize.Features;

/**
 * Model input rows read from a JSON Lines file in the one row format ({@link InputRow}): text rows or pre-tokenized
 * rows, one kind per file. Text rows go through the caller's preprocessing; pre-tokenized rows are taken as they are
 * and padded to the longest row (id 0, mask 0, type 0 after the row's end), as text rows are padded per batch, so
 * that rows of different lengths (as a tokenizer gives them without padding) work everywhere. Rows needing no
 * vocabulary (pre-tokenized) never call the text encoder.
 *
 * @param features the rows [N,T], in file order
 * @param where {@code file:line} of each row, for messages
 * @param preTokenized whether the rows came pre-tokenized
 * @param lengths each row's length as given (pre-tokenized, before padding) or encoded (text: T)
 */
public record InputRows(Features features, List<String> where, boolean preTokenized, int[] lengths) {

  /** Turns text rows into features: {@code textsB} is null when no row has a {@code text_b}. */
  @FunctionalInterface
  public interface TextEncoder {
    Features encode(List<String> texts, List<String> textsB);
  }

  /**
   * Reads {@code file}; {@code text} is called once, with every text row, only when the file has text rows.
   *
   * @param purpose what the rows are for, in the message about an empty file (e.g. "embed")
   */
  public static InputRows read(Path file, TextEncoder text, String purpose) {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    List<InputRow> pre = new ArrayList<>();
    List<String> where = new ArrayList<>();
    try (JsonLines in = JsonLines.open(file)) {
      for (JsonLines.Line line = in.next(); line != null; line = in.next()) {
        where.add(line.where());
        InputRow row = InputRow.parse(line);
        if (row.isTokenized()) {
          pre.add(row);
        } else {
          a.add(row.text());
          b.add(row.textB());
        }
        if (!pre.isEmpty() && !a.isEmpty()) {
          throw new JbertException(line.where() + ": mixes text rows and pre-tokenized rows; expected one kind per"
              + " file");
        }
      }
    }
    if (pre.isEmpty() && a.isEmpty()) throw new JbertException(file + ": no rows to " + purpose);
    if (!pre.isEmpty()) {
      return new InputRows(padded(pre), List.copyOf(where), true, pre.stream().mapToInt(InputRow::length).toArray());
    }
    boolean pairs = b.stream().anyMatch(x -> x != null);
    Features f = text.encode(a, pairs ? b : null);
    int[] lengths = new int[f.batchSize()];
    java.util.Arrays.fill(lengths, f.seqLength());
    return new InputRows(f, List.copyOf(where), false, lengths);
  }

  /** Pre-tokenized rows [N,T], T the longest row, shorter rows padded with id 0, mask 0 and type 0. */
  static Features padded(List<InputRow> rows) {
    int t = rows.stream().mapToInt(InputRow::length).max().orElse(0);
    int n = rows.size();
    int[][] ids = new int[n][t], mask = new int[n][t], types = new int[n][t];
    for (int i = 0; i < n; i++) {
      InputRow r = rows.get(i);
      System.arraycopy(r.ids(), 0, ids[i], 0, r.length());
      System.arraycopy(r.mask(), 0, mask[i], 0, r.length());
      System.arraycopy(r.types(), 0, types[i], 0, r.length());
    }
    return new Features(ids, mask, types);
  }

  /**
   * Checks the rows against the model before anything runs, naming the row's {@code file:line}: ids in
   * [0, vocab_size), mask 0 or 1, type ids in [0, type_vocab_size), and real tokens no more than
   * max_position_embeddings.
   */
  public void check(BertConfig config) {
    int p = config.maxPositionEmbeddings();
    int[][] ids = features.inputWordIds(), mask = features.inputMask(), types = features.inputTypeIds();
    for (int i = 0; i < ids.length; i++) {
      int len = lengths[i];
      if (len > p) {
        throw new JbertException(where.get(i) + ": input_word_ids has " + len + " entries, more than the"
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
}
