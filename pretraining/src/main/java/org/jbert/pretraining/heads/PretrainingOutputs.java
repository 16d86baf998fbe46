package org.jbert.pretraining.heads;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The variables {@link PretrainingHeads#build} adds (M = predictions per sequence). NSP entries are null when the
 * graph was built without the NSP head.
 *
 * @param maskedLmPositions placeholder int [B,M], positions to predict (padding entries any valid position, weight 0)
 * @param maskedLmIds placeholder int [B,M], the original ids at those positions (labels)
 * @param maskedLmWeights placeholder [B,M], 1 for a real prediction, 0 for padding
 * @param nextSentenceLabels placeholder int [B], 0 = B follows A, 1 = B is random
 * @param predictionLogits [B,T,V], MLM logits at every position
 * @param maskedLmLogits [B,M,V], MLM logits at the masked positions only
 * @param seqRelationshipLogits [B,2], NSP logits
 * @param mlmLoss scalar, weighted mean cross-entropy over the predictions
 * @param nspLoss scalar, mean NSP cross-entropy
 * @param totalLoss scalar, mlmLoss + nspLoss (the loss to train)
 */
public record PretrainingOutputs(
    SDVariable maskedLmPositions,
    SDVariable maskedLmIds,
    SDVariable maskedLmWeights,
    SDVariable nextSentenceLabels,
    SDVariable predictionLogits,
    SDVariable maskedLmLogits,
    SDVariable seqRelationshipLogits,
    SDVariable mlmLoss,
    SDVariable nspLoss,
    SDVariable totalLoss) {}
