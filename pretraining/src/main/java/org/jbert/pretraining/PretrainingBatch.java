package org.jbert.pretraining;

import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.pretraining.data.TrainingInstance;

/**
 * One pretraining batch in google-research/bert's feature layout (M = max_predictions_per_seq), the inputs of
 * {@link PretrainingModel#loss}. Arrays are used as given, not copied.
 *
 * @param inputWordIds [B,T] (masked) token ids
 * @param inputMask [B,T] 1 for real tokens, 0 for padding
 * @param inputTypeIds [B,T] segment ids
 * @param maskedLmPositions [B,M] positions of the predictions in [0,T); padding entries 0
 * @param maskedLmIds [B,M] the original ids at those positions (the labels); padding entries 0
 * @param maskedLmWeights [B,M] 1 for a real prediction, 0 for padding
 * @param nextSentenceLabels [B] 0 = B follows A, 1 = B is random (ignored by a model without NSP head; may be null
 *     then)
 */
public record PretrainingBatch(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds,
    int[][] maskedLmPositions, int[][] maskedLmIds, float[][] maskedLmWeights, int[] nextSentenceLabels) {

  /** Hugging Face's label convention: a label is not predicted. */
  public static final int IGNORE_INDEX = -100;

  /**
   * Instances as one batch: token rows padded with 0 to the longest of them (T), predictions padded to {@code m}
   * (positions and ids 0, weight 0).
   *
   * @param m M = max_predictions_per_seq; every instance has at most this many predictions
   */
  public static PretrainingBatch of(List<TrainingInstance> rows, int m) {
    int t = 0;
    for (TrainingInstance r : rows) t = Math.max(t, r.length());
    int b = rows.size();
    int[][] ids = new int[b][t], mask = new int[b][t], types = new int[b][t];
    int[][] pos = new int[b][m], labels = new int[b][m];
    float[][] weights = new float[b][m];
    int[] next = new int[b];
    for (int i = 0; i < b; i++) {
      TrainingInstance r = rows.get(i);
      if (r.maskedLmPositions().length > m) {
        throw new JbertException("instance " + i + " has " + r.maskedLmPositions().length
            + " predictions; expected at most max_predictions_per_seq " + m);
      }
      System.arraycopy(r.inputIds(), 0, ids[i], 0, r.length());
      System.arraycopy(r.segmentIds(), 0, types[i], 0, r.length());
      for (int j = 0; j < r.length(); j++) mask[i][j] = 1;
      for (int k = 0; k < r.maskedLmPositions().length; k++) {
        pos[i][k] = r.maskedLmPositions()[k];
        labels[i][k] = r.maskedLmIds()[k];
        weights[i][k] = 1;
      }
      next[i] = r.nextSentenceLabel();
    }
    return new PretrainingBatch(ids, mask, types, pos, labels, weights, next);
  }

  /**
   * Converts Hugging Face labels ([B,T], the original id where a prediction is wanted, -100 elsewhere) to positions,
   * ids and 0/1 weights, M being the largest number of predictions in a row (at least 1).
   */
  public static PretrainingBatch fromHuggingFaceLabels(int[][] inputWordIds, int[][] inputMask,
      int[][] inputTypeIds, int[][] mlmLabels, int[] nextSentenceLabels) {
    if (mlmLabels == null || mlmLabels.length != inputWordIds.length) {
      throw new JbertException("mlm_labels has " + (mlmLabels == null ? 0 : mlmLabels.length)
          + " rows; expected " + inputWordIds.length + " (one per input row)");
    }
    int m = 1;
    for (int b = 0; b < mlmLabels.length; b++) {
      if (mlmLabels[b] == null || mlmLabels[b].length != inputWordIds[b].length) {
        throw new JbertException("mlm_labels row " + b + " has " + (mlmLabels[b] == null ? 0 : mlmLabels[b].length)
            + " entries; expected " + inputWordIds[b].length + " (one per token)");
      }
      int n = 0;
      for (int label : mlmLabels[b]) {
        if (label != IGNORE_INDEX) n++;
      }
      m = Math.max(m, n);
    }
    int[][] positions = new int[mlmLabels.length][m];
    int[][] ids = new int[mlmLabels.length][m];
    float[][] weights = new float[mlmLabels.length][m];
    for (int b = 0; b < mlmLabels.length; b++) {
      int k = 0;
      for (int t = 0; t < mlmLabels[b].length; t++) {
        int label = mlmLabels[b][t];
        if (label == IGNORE_INDEX) continue;
        if (label < 0) {
          throw new JbertException("mlm_labels[" + b + "][" + t + "] is " + label + "; expected a token id or -100");
        }
        positions[b][k] = t;
        ids[b][k] = label;
        weights[b][k] = 1;
        k++;
      }
    }
    return new PretrainingBatch(inputWordIds, inputMask, inputTypeIds, positions, ids, weights, nextSentenceLabels);
  }

  /** Checks the prediction arrays against T and V (the encoder inputs are checked by the model). */
  void check(int t, int vocabSize, boolean nsp) {
    int b = inputWordIds.length;
    checkPositions(maskedLmPositions, b, t);
    int m = maskedLmPositions[0].length;
    rows("masked_lm_ids", maskedLmIds == null ? -1 : maskedLmIds.length, b);
    rows("masked_lm_weights", maskedLmWeights == null ? -1 : maskedLmWeights.length, b);
    for (int i = 0; i < b; i++) {
      if (maskedLmIds[i] == null || maskedLmIds[i].length != m || maskedLmWeights[i] == null
          || maskedLmWeights[i].length != m) {
        throw new JbertException("masked_lm_ids/masked_lm_weights row " + i + " do not have " + m
            + " entries like masked_lm_positions");
      }
      for (int j = 0; j < m; j++) {
        int id = maskedLmIds[i][j];
        if (id < 0 || id >= vocabSize) {
          throw new JbertException("masked_lm_ids[" + i + "][" + j + "] is " + id + ", outside [0, " + vocabSize
              + "): vocab_size is " + vocabSize);
        }
      }
    }
    if (nsp) {
      rows("next_sentence_labels", nextSentenceLabels == null ? -1 : nextSentenceLabels.length, b);
      for (int i = 0; i < b; i++) {
        if (nextSentenceLabels[i] != 0 && nextSentenceLabels[i] != 1) {
          throw new JbertException("next_sentence_labels[" + i + "] is " + nextSentenceLabels[i]
              + "; expected 0 (B follows A) or 1 (B is random)");
        }
      }
    }
  }

  /** Checks positions [B,M]: B rows of the same length M >= 1, each in [0,T). */
  static void checkPositions(int[][] positions, int b, int t) {
    rows("masked_lm_positions", positions == null ? -1 : positions.length, b);
    int m = positions[0] == null ? 0 : positions[0].length;
    if (m == 0) throw new JbertException("masked_lm_positions row 0 is empty; expected M >= 1 positions");
    for (int i = 0; i < b; i++) {
      if (positions[i] == null || positions[i].length != m) {
        throw new JbertException("masked_lm_positions row " + i + " has "
            + (positions[i] == null ? 0 : positions[i].length) + " entries; expected " + m + " (pad with 0)");
      }
      for (int j = 0; j < m; j++) {
        if (positions[i][j] < 0 || positions[i][j] >= t) {
          throw new JbertException("masked_lm_positions[" + i + "][" + j + "] is " + positions[i][j]
              + ", outside [0, " + t + "): the sequence length is " + t);
        }
      }
    }
  }

  private static void rows(String what, int n, int b) {
    if (n != b) {
      throw new JbertException(what + " has " + Math.max(n, 0) + " rows; expected " + b + " (one per input row)");
    }
  }
}
