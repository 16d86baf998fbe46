package org.jbert.finetune.task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.data.Example;
import org.jbert.finetune.data.LabelMap;
import org.jbert.finetune.head.HeadOutputs;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sequence classification or regression data: one row per example, {@code [CLS] text [SEP]} or
 * {@code [CLS] text [SEP] text_b [SEP]} cut to T (Hugging Face's longest-first truncation, see {@link Preprocessor}),
 * or a pre-tokenized row as the file gives it (at most T ids, each below the model's vocab size). Predictions are the
 * argmax of the logits [B,C] (classification) or the single output [B,1] (regression).
 */
public final class SequenceData implements TaskData {
  private final String source;
  private final List<String> ids;
  private final int[][] wordIds;
  private final int[][] mask;
  private final int[][] types;
  private final int padId;
  private final LabelMap labels;
  private final int[] classIds;
  private final float[] values;

  private SequenceData(String source, List<Example> examples, LabelMap labels, TextInputs inputs) {
    this.source = source;
    this.labels = labels;
    int n = examples.size();
    this.ids = examples.stream().map(Example::id).toList();
    this.wordIds = new int[n][];
    this.mask = new int[n][];
    this.types = new int[n][];
    if (labels != null) {
      classIds = new int[n];
      values = null;
      for (int i = 0; i < n; i++) classIds[i] = labels.id(examples.get(i));
    } else {
      classIds = null;
      values = new float[n];
      for (int i = 0; i < n; i++) values[i] = (float) examples.get(i).labelValue();
    }
    if (n > 0 && examples.get(0).isTokenized()) {
      padId = 0;
      for (int i = 0; i < n; i++) pretokenized(examples.get(i), i, inputs);
    } else {
      padId = n == 0 ? 0 : inputs.tokenizer(source).vocab().padId();
      encodeTexts(examples, inputs);
    }
  }

  /** Classification data: each example's label must be in {@code labels} (else an error naming its file:line). */
  public static SequenceData classification(String source, List<Example> examples, LabelMap labels,
      TextInputs inputs) {
    return new SequenceData(source, examples, java.util.Objects.requireNonNull(labels, "labels"), inputs);
  }

  /** Regression data: each example's label must be a number (else an error naming its file:line). */
  public static SequenceData regression(String source, List<Example> examples, TextInputs inputs) {
    return new SequenceData(source, examples, null, inputs);
  }

  private void encodeTexts(List<Example> examples, TextInputs inputs) {
    if (examples.isEmpty()) return;
    Preprocessor pre = inputs.preprocessor(source);
    List<String> a = new ArrayList<>(examples.size());
    List<String> b = new ArrayList<>(examples.size());
    boolean pairs = false;
    for (Example e : examples) {
      a.add(e.textA());
      b.add(e.textB());
      pairs |= e.textB() != null;
    }
    Features f = pairs ? pre.encodePairs(a, b) : pre.encode(a);
    for (int i = 0; i < examples.size(); i++) {
      int len = Arrays.stream(f.inputMask()[i]).sum();
      wordIds[i] = Arrays.copyOf(f.inputWordIds()[i], len);
      mask[i] = Arrays.copyOf(f.inputMask()[i], len);
      types[i] = Arrays.copyOf(f.inputTypeIds()[i], len);
    }
  }

  private void pretokenized(Example e, int i, TextInputs inputs) {
    Example.Tokens t = e.tokens();
    BertConfig c = inputs.config();
    if (t.length() > inputs.maxSeqLength()) {
      throw new JbertException(e.where() + ": " + t.length() + " input_word_ids; expected at most max_seq_length "
          + inputs.maxSeqLength() + " (pre-tokenized rows are not cut)");
    }
    check(e, "input_word_ids", t.inputIds(), c.vocabSize(), "vocab_size");
    check(e, "input_type_ids", t.segmentIds(), c.typeVocabSize(), "type_vocab_size");
    wordIds[i] = t.inputIds();
    mask[i] = t.inputMask();
    types[i] = t.segmentIds();
  }

  private static void check(Example e, String name, int[] v, int bound, String what) {
    for (int j = 0; j < v.length; j++) {
      if (v[j] >= bound) {
        throw new JbertException(e.where() + ": " + name + "[" + j + "] is " + v[j] + "; expected below the model's "
            + what + " " + bound);
      }
    }
  }

  /** True for regression data (one number per example). */
  public boolean regression() {
    return labels == null;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public int examples() {
    return ids.size();
  }

  @Override
  public int size() {
    return ids.size();
  }

  /** The rows' encoder inputs [B,T], padded to their longest. */
  public Batch inputs(int[] rows) {
    return Batch.inputs(Rows.pad(wordIds, rows, padId), Rows.pad(mask, rows, 0), Rows.pad(types, rows, 0));
  }

  @Override
  public Batch batch(int[] rows) {
    int[][] w = Rows.pad(wordIds, rows, padId), m = Rows.pad(mask, rows, 0), t = Rows.pad(types, rows, 0);
    if (labels == null) {
      float[] y = new float[rows.length];
      for (int k = 0; k < rows.length; k++) y[k] = values[rows[k]];
      return Batch.regression(w, m, t, y);
    }
    int[] y = new int[rows.length];
    for (int k = 0; k < rows.length; k++) y[k] = classIds[rows[k]];
    return Batch.classification(w, m, t, y);
  }

  @Override
  public TaskPredictions predict(TaskModel model, int batchSize) {
    int n = size();
    if (labels == null) {
      double[] pred = new double[n];
      Rows.forEachBatch(model, n, batchSize, this::inputs, (rows, out) -> {
        INDArray logits = out.get(HeadOutputs.LOGITS); // [B,1]
        for (int k = 0; k < rows.length; k++) pred[rows[k]] = logits.getDouble(k, 0);
      });
      double[] gold = new double[n];
      for (int i = 0; i < n; i++) gold[i] = values[i];
      return new TaskPredictions.Values(ids, gold, pred);
    }
    int[] pred = new int[n];
    Rows.forEachBatch(model, n, batchSize, this::inputs, (rows, out) -> {
      try (INDArray best = out.get(HeadOutputs.LOGITS).argMax(1)) { // [B]
        for (int k = 0; k < rows.length; k++) pred[rows[k]] = best.getInt(k);
      }
    });
    return new TaskPredictions.Classes(ids, classIds.clone(), pred, labels.labels());
  }
}
