package org.jbert.finetune.head;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.tokenize.Vocab;
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

  /** Multi-label classes at or above this sigmoid probability are predicted (HF's pipeline threshold). */
  public static final double MULTI_LABEL_THRESHOLD = 0.5;

  /**
   * One JSON line per row with the predicted labels, what {@code jbert predict --labels-output} writes:
   * classification {"label", "id", "probability"} (softmax); multi-label {"labels" (sigmoid >= 0.5),
   * "probabilities": {label: p}}; regression {"value"}; tagging {"tokens" (when {@code vocab} is given), "labels",
   * "probabilities"}, one entry per real token ([CLS] and [SEP] included), aligned with input_word_ids.
   *
   * @param logits row-major logits of shape {@code shape}: [N,C] or [N,T,C] (tagging)
   * @param inputWordIds [N,T] the rows' ids (tagging: the tokens named)
   * @param inputMask [N,T] (tagging: the real tokens)
   * @param names the model's label names (id2label), or empty for {@code LABEL_<id>}
   * @param vocab the model's vocabulary, or null (then tagging lines have no "tokens")
   */
  public static List<String> jsonLines(float[] logits, long[] shape, int[][] inputWordIds, int[][] inputMask,
      ProblemType problem, List<String> names, Vocab vocab) {
    int n = (int) shape[0];
    List<String> lines = new ArrayList<>(n);
    if (shape.length == 3) {
      int t = (int) shape[1], c = (int) shape[2];
      List<List<Label>> tags = tag(logits, n, t, c, inputMask, names);
      for (int r = 0; r < n; r++) {
        ObjectNode o = JSON.createObjectNode();
        if (vocab != null) {
          ArrayNode tokens = o.putArray("tokens");
          for (int i = 0; i < t; i++) {
            if (inputMask[r][i] != 0) tokens.add(vocab.token(inputWordIds[r][i]));
          }
        }
        ArrayNode ls = o.putArray("labels");
        ArrayNode ps = o.putArray("probabilities");
        for (Label l : tags.get(r)) {
          ls.add(l.name());
          ps.add(l.probability());
        }
        lines.add(o.toString());
      }
      return lines;
    }
    if (shape.length != 2) {
      throw new JbertException("logits have shape " + java.util.Arrays.toString(shape)
          + "; expected [N,C] or [N,T,C] for labels");
    }
    int c = (int) shape[1];
    if (problem == ProblemType.REGRESSION) {
      for (int r = 0; r < n; r++) lines.add(JSON.createObjectNode().put("value", logits[r * c]).toString());
    } else if (problem == ProblemType.MULTI_LABEL_CLASSIFICATION) {
      for (List<Label> row : multiLabel(logits, n, c, names)) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode on = o.putArray("labels");
        ObjectNode ps = o.putObject("probabilities");
        for (Label l : row) {
          if (l.probability() >= MULTI_LABEL_THRESHOLD) on.add(l.name());
          ps.put(l.name(), l.probability());
        }
        lines.add(o.toString());
      }
    } else {
      for (Label l : classify(logits, n, c, names)) {
        lines.add(JSON.createObjectNode().put("label", l.name()).put("id", l.id()).put("probability",
            l.probability()).toString());
      }
    }
    return lines;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

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
