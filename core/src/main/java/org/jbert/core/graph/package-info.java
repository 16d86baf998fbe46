/**
 * All SameDiff op-building code of the encoder: {@link org.jbert.core.graph.BertGraph} (the encoder and pooler with
 * Google checkpoint names), {@link org.jbert.core.graph.Ops} (dense, LayerNorm, GELU, dropout, embedding lookup shared
 * with the heads) and {@link org.jbert.core.graph.EncoderOutputs} (the variables heads build on).
 *
 * <p>Shape legend: B batch, T sequence length, H hidden, N heads, D head size, I intermediate, V vocabulary,
 * P max positions, L layers.
 */
package org.jbert.core.graph;
