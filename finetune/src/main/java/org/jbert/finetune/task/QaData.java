package org.jbert.finetune.task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.head.HeadOutputs;
import org.jbert.finetune.qa.QaExample;
import org.jbert.finetune.qa.QaFeature;
import org.jbert.finetune.qa.QaFeatureBuilder;
import org.jbert.finetune.qa.QaPostConfig;
import org.jbert.finetune.qa.QaPostProcessor;
import org.jbert.finetune.qa.QaPredictions;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Extractive QA data: each question cut into sliding-window features by {@link QaFeatureBuilder} (run_squad.py's
 * {@code max_query_length}, {@code doc_stride}); a feature's training positions are its answer's first and last word
 * piece when the window holds the whole answer, else 0 ([CLS], the null answer). Predictions go through
 * {@link QaPostProcessor} (n-best, max answer length, SQuAD v2.0's null threshold).
 */
public final class QaData implements TaskData {
  /** The start/end logit given to the padding past a batch's longest feature (never a candidate span). */
  private static final float PAD_LOGIT = -1e4f;

  private final String source;
  private final List<QaExample> examples;
  private final List<QaFeature> features;
  private final QaPostConfig post;

  private QaData(String source, List<QaExample> examples, List<QaFeature> features, QaPostConfig post) {
    this.source = source;
    this.examples = List.copyOf(examples);
    this.features = List.copyOf(features);
    this.post = post;
  }

  /**
   * Cuts {@code examples} into features.
   *
   * @param training true for training data: every question must be answerable or marked {@code is_impossible}
   * @param post how predictions become answers
   */
  public static QaData of(String source, List<QaExample> examples, QaFeatureBuilder builder, QaPostConfig post,
      boolean training) {
    return new QaData(source, examples, builder.build(examples, training), post);
  }

  public List<QaFeature> features() {
    return features;
  }

  public QaPostConfig postConfig() {
    return post;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public int examples() {
    return examples.size();
  }

  @Override
  public int size() {
    return features.size();
  }

  private int longest(int[] rows) {
    int t = 1;
    for (int r : rows) t = Math.max(t, features.get(r).length());
    return t;
  }

  /** The features' encoder inputs [B,T], cut to the longest of them. */
  public Batch inputs(int[] rows) {
    int t = longest(rows);
    int[][] ids = new int[rows.length][], mask = new int[rows.length][], types = new int[rows.length][];
    for (int k = 0; k < rows.length; k++) {
      QaFeature f = features.get(rows[k]);
      ids[k] = Arrays.copyOf(f.inputIds(), t);
      mask[k] = Arrays.copyOf(f.inputMask(), t);
      types[k] = Arrays.copyOf(f.typeIds(), t);
    }
    return Batch.inputs(ids, mask, types);
  }

  @Override
  public Batch batch(int[] rows) {
    Batch in = inputs(rows);
    int[] start = new int[rows.length], end = new int[rows.length];
    for (int k = 0; k < rows.length; k++) {
      start[k] = features.get(rows[k]).startPosition();
      end[k] = features.get(rows[k]).endPosition();
    }
    return Batch.spans(in.inputWordIds(), in.inputMask(), in.inputTypeIds(), start, end);
  }

  @Override
  public TaskPredictions.Answers predict(TaskModel model, int batchSize) {
    int n = size();
    float[][] start = new float[n][], end = new float[n][];
    Rows.forEachBatch(model, n, batchSize, this::inputs, (rows, out) -> {
      float[][] s = out.get(HeadOutputs.START_LOGITS).toFloatMatrix(); // [B,t]
      float[][] e = out.get(HeadOutputs.END_LOGITS).toFloatMatrix();
      for (int k = 0; k < rows.length; k++) {
        int full = features.get(rows[k]).seqLength();
        start[rows[k]] = padded(s[k], full);
        end[rows[k]] = padded(e[k], full);
      }
    });
    QaPredictions p = new QaPostProcessor(post).process(examples, features, start, end);
    Map<String, List<String>> gold = new LinkedHashMap<>();
    for (QaExample q : examples) {
      List<String> texts = new ArrayList<>();
      if (!q.impossible()) q.answers().forEach(a -> texts.add(a.text()));
      gold.put(q.id(), texts);
    }
    return new TaskPredictions.Answers(gold, p.answers(), p.nullOdds(), post.versionTwoWithNegative(), p);
  }

  private static float[] padded(float[] row, int length) {
    float[] out = Arrays.copyOf(row, length);
    Arrays.fill(out, row.length, length, PAD_LOGIT);
    return out;
  }
}
