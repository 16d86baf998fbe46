package org.jbert.core.graph;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The variables of a built encoder, for heads to build on. Output variables carry the TF Hub names
 * ({@link BertGraph#DEFAULT}, {@link BertGraph#POOLED_OUTPUT}, ...).
 *
 * @param inputWordIds placeholder int32 [B,T]
 * @param inputMask placeholder int32 [B,T], 1 for real tokens, 0 for padding
 * @param inputTypeIds placeholder int32 [B,T], segment ids
 * @param training scalar constant, 0 for inference (default) and 1 for training; see {@link BertGraph#setTraining}
 * @param wordEmbeddings the word-embedding table [V,H] (the MLM decoder is tied to it)
 * @param embeddingOutput [B,T,H], embeddings after LayerNorm and dropout
 * @param encoderOutputs L variables [B,T,H], the output of each transformer layer
 * @param sequenceOutput [B,T,H], the last layer's output
 * @param sequenceOutput2d the same values as [B*T,H], convenient for token-level heads
 * @param pooledOutput [B,H], tanh(dense(first token)); also exported as {@code default}; null when the graph was built
 *     without the pooler
 */
public record EncoderOutputs(
    SDVariable inputWordIds,
    SDVariable inputMask,
    SDVariable inputTypeIds,
    SDVariable training,
    SDVariable wordEmbeddings,
    SDVariable embeddingOutput,
    List<SDVariable> encoderOutputs,
    SDVariable sequenceOutput,
    SDVariable sequenceOutput2d,
    SDVariable pooledOutput) {}
