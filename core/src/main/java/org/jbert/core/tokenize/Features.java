package org.jbert.core.tokenize;

/**
 * Model inputs for a batch, named like the outputs of TF Hub's {@code bert_en_uncased_preprocess}. All three arrays
 * are [B, T] (B rows, T = sequence length); padding positions hold the [PAD] id, mask 0 and type id 0.
 *
 * @param inputWordIds token ids, [CLS] A [SEP] (B [SEP]) then padding
 * @param inputMask 1 for real tokens (including [CLS]/[SEP]), 0 for padding
 * @param inputTypeIds segment ids: 0 for [CLS], A and the first [SEP]; 1 for B and its [SEP]
 */
public record Features(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds) {
  /** B. */
  public int batchSize() {
    return inputWordIds.length;
  }

  /** T (0 for an empty batch). */
  public int seqLength() {
    return inputWordIds.length == 0 ? 0 : inputWordIds[0].length;
  }
}
