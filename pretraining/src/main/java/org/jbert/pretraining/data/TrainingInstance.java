package org.jbert.pretraining.data;

/**
 * One pretraining example before padding: {@code [CLS] A [SEP] B [SEP]} with some pieces masked.
 *
 * <p>Arrays are owned by the instance; do not modify them. {@code equals} compares array identity (a record default).
 *
 * @param inputIds the ids of the (masked) sequence, length L with 5 &lt;= L &lt;= max_seq_length; position 0 is
 *     [CLS], position {@code lengthA + 1} and L - 1 are [SEP]
 * @param segmentIds 0 for [CLS], A and the first [SEP]; 1 for B and the last [SEP]; length L
 * @param maskedLmPositions the positions chosen for prediction, ascending, never a [CLS] or [SEP] position, at most
 *     max_predictions_per_seq of them
 * @param maskedLmIds the original ids at those positions (the labels), same length
 * @param randomNext true when B is a random segment from another document (next_sentence_label 1), false when B is
 *     the actual continuation of A (label 0)
 */
public record TrainingInstance(
    int[] inputIds, int[] segmentIds, int[] maskedLmPositions, int[] maskedLmIds, boolean randomNext) {

  /** L, the number of real (unpadded) tokens. */
  public int length() {
    return inputIds.length;
  }

  /** next_sentence_label: 0 = B follows A, 1 = B is random. */
  public int nextSentenceLabel() {
    return randomNext ? 1 : 0;
  }
}
