/**
 * BERT pretraining: {@link org.jbert.pretraining.PretrainingModel} (encoder + MLM/NSP heads, the losses of
 * google-research/bert and Hugging Face), {@link org.jbert.pretraining.FillMask}, and the pretraining-data builder in
 * {@code org.jbert.pretraining.data}. Shapes: B batch, T sequence length, M predictions per sequence, H hidden,
 * V vocabulary, P max positions.
 */
package org.jbert.pretraining;
