package org.jbert.pretraining;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The pretraining heads' outputs for one batch, under HF {@code BertForPreTraining}'s names.
 *
 * @param predictionLogits {@code prediction_logits} [B,T,V]: MLM logits at every position
 * @param seqRelationshipLogits {@code seq_relationship_logits} [B,2]: NSP logits (index 0 = B follows A), or null
 *     when the model has no NSP head
 */
public record PretrainingResult(INDArray predictionLogits, INDArray seqRelationshipLogits) implements AutoCloseable {
  /** Frees the arrays' native memory. */
  @Override
  public void close() {
    predictionLogits.close();
    if (seqRelationshipLogits != null) seqRelationshipLogits.close();
  }
}
