package org.jbert.finetune;

import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Logits to predicted labels, as Hugging Face's text- and token-classification pipelines read them: single-label
 * classification takes the softmax over the C classes and its argmax, multi-label an independent sigmoid per class,
 * tagging the softmax argmax at every real token. Probabilities are computed in double precision; ties go to the lower
 * class id. Label names are the model's (HF {@code id2label}), or {@code LABEL_<id>} when it has none, as
 * transformers names them.
 *
 * <p>Shapes: N rows, C classes, T positions; logits row-major.
 */
public final class Predictions {
  private Predictions() {}

  /**
   * One predicted class.
   *
   * @param id the class id in [0,C)
   * @param name its name
   * @param probability softmax (single-label, tagging) or sigmoid (multi-label) probability
   */
  public record Label(int id, String name, double probability) {}

  /** {@code names} when it holds C names, else {@code LABEL_0 .. LABEL_<C-1>}. */
  public static List<String> labelNames(List<String> names, int c) {
    if (names.size() == c) return List.copyOf(names);
    List<String> l = new ArrayList<>(c);
    for (int i = 0; i < c; i++) l.add("LABEL_" + i);
    return List.copyOf(l);
  }

  /** Single-label classification of [N,C] logits: for each row the most probable class under softmax. */
  public static List<Label> classify(INDArray logits, List<String> names) {
    if (logits.rank() != 2) {
      throw new JbertException("logits have shape " + java.util.Arrays.toString(logits.shape()) + "; expected [N,C]");
    }
    return classify(floats(logits), (int) logits.size(0), (int) logits.size(1), names);
  }

  /** As {@link #classify(INDArray, List)} on row-major [N,C] logits. */
  public static List<Label> classify(float[] logits, int n, int c, List<String> names) {
    check(logits, (long) n * c, "[" + n + "," + c + "]");
    List<String> l = labelNames(names, c);
    List<Label> out = new ArrayList<>(n);
    for (int r = 0; r < n; r++) out.add(argmaxSoftmax(logits, r * c, c, l));
    return List.copyOf(out);
  }

  /** Multi-label classification of [N,C] logits: every class of every row with its sigmoid probability. */
  public static List<List<Label>> multiLabel(float[] logits, int n, int c, List<String> names) {
    check(logits, (long) n * c, "[" + n + "," + c + "]");
    List<String> l = labelNames(names, c);
    List<List<Label>> out = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      List<Label> row = new ArrayList<>(c);
      for (int k = 0; k < c; k++) row.add(new Label(k, l.get(k), 1 / (1 + Math.exp(-logits[r * c + k]))));
      out.add(List.copyOf(row));
    }
    return List.copyOf(out);
  }

  /**
   * Tagging of [N,T,C] logits: for each row, the most probable class at each real token ({@code mask} 1), in
   * position order ([CLS] and [SEP] included); padded positions are skipped.
   *
   * @param mask [N,T] input_mask
   */
  public static List<List<Label>> tag(float[] logits, int n, int t, int c, int[][] mask, List<String> names) {
    check(logits, (long) n * t * c, "[" + n + "," + t + "," + c + "]");
    List<String> l = labelNames(names, c);
    List<List<Label>> out = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      List<Label> row = new ArrayList<>();
      for (int i = 0; i < t; i++) {
        if (mask[r][i] != 0) row.add(argmaxSoftmax(logits, (r * t + i) * c, c, l));
      }
      out.add(List.copyOf(row));
    }
    return List.copyOf(out);
  }

  private static Label argmaxSoftmax(float[] logits, int off, int c, List<String> names) {
    int best = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < c; k++) {
      if (logits[off + k] > max) {
        max = logits[off + k];
        best = k;
      }
    }
    double sum = 0;
    for (int k = 0; k < c; k++) sum += Math.exp(logits[off + k] - max);
    return new Label(best, names.get(best), 1 / sum);
  }

  private static void check(float[] logits, long want, String shape) {
    if (logits.length != want) {
      throw new JbertException(logits.length + " logits do not fill shape " + shape);
    }
  }

  private static float[] floats(INDArray a) {
    try (INDArray c = a.castTo(DataType.FLOAT).dup('c')) {
      return c.data().asFloat();
    }
  }
}
