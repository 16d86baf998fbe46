package org.jbert.core.graph;

/**
 * The arithmetic of the encoder's dense products (query/key/value, attention output, intermediate, output, pooler).
 *
 * <ul>
 *   <li>{@link #FLOAT32}: float32 throughout, the default and the only mode for training; within 6e-5 of TF on
 *       every BERT-base layer.
 *   <li>{@link #BF16}: inference only. The query/key/value, attention-output, output and pooler layers multiply a
 *       bf16 cast of their input by a bf16 copy of their kernel (made once after the weights are loaded:
 *       {@link BertGraph#copyKernelsToBf16}) in bf16 (oneDNN's bf16 matmul in nd4j-native's {@code -onednn} builds;
 *       M2.1's oneDNN helper takes bf16 x bf16 -> bf16 only), cast the product back to float32 and add the bias in
 *       float32. The intermediate layer stays float32 (its bf16 product was not faster here). Everything else (embeddings,
 *       attention scores and softmax, LayerNorm, GELU, residuals) stays float32. bf16 keeps 8 bits of mantissa: each
 *       product is about 4e-3 off relative to float32 (measured by {@code jbert bench}), so outputs no longer meet
 *       the 1e-4 parity of float32. It pays only on CPUs with AVX512_BF16 and an nd4j build that uses it; the
 *       generic build's bf16 matmul is a scalar loop (~1 GFLOP/s).
 * </ul>
 */
public enum MatmulPrecision {
  FLOAT32,
  BF16
}
