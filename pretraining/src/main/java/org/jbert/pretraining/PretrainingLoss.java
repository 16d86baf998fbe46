package org.jbert.pretraining;

/**
 * The pretraining losses of one batch.
 *
 * @param mlm masked-LM cross-entropy averaged over the predicted positions (weighted)
 * @param nsp next-sentence cross-entropy averaged over the batch (NaN without an NSP head)
 * @param total mlm + nsp (mlm alone without an NSP head)
 */
public record PretrainingLoss(double mlm, double nsp, double total) {}
