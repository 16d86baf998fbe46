package org.jbert.core.graph;

import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The transformer layer of {@link BertGraph} in fused ops, with the same variables under the same names:
 * <pre>
 *   q, k, v = FusedDense(x)                          [K,H] each
 *   ctx     = FusedAttention(q, k, v, mask)          [K,H]
 *   attn    = FusedLayerNorm(dropout(FusedDense(ctx)), residual x)
 *   mid     = FusedDense(attn, activation)           [K,I]
 *   out     = FusedLayerNorm(dropout(FusedDense(mid)), residual attn)
 * </pre>
 * Hidden dropout stays a standard op between the product and the LayerNorm; the attention probabilities get none
 * (see {@link #check}).
 */
final class FusedEncoder {
  private FusedEncoder() {}

  /** Fails for what the fused layer does not build: bf16 products, attention-probability dropout. */
  static void check(BertConfig c, MatmulPrecision precision) {
    if (precision != MatmulPrecision.FLOAT32) {
      throw new JbertException("fused ops with matmul precision " + precision + "; expected FLOAT32");
    }
    if (c.attentionProbsDropoutProb() != 0) {
      throw new JbertException("fused ops with attention_probs_dropout_prob " + c.attentionProbsDropoutProb()
          + "; expected 0 (the fused attention has no dropout; use JBERT_KERNELS=libnd4j to train with it)");
    }
  }

  /**
   * One layer in the current {@code layer_k} scope.
   *
   * @param x [K,H]
   * @param adder [B,1,1,T]
   * @return [K,H]
   */
  static SDVariable layer(SameDiff sd, BertConfig c, DataType dtype, SDVariable x, SDVariable adder,
      SDVariable training) {
    int h = c.hiddenSize();
    SDVariable attn;
    try (NameScope a = sd.withNameScope("attention")) {
      SDVariable ctx;
      try (NameScope s = sd.withNameScope("self")) {
        SDVariable q = dense(sd, "query", x, h, h, null, dtype);
        SDVariable k = dense(sd, "key", x, h, h, null, dtype);
        SDVariable v = dense(sd, "value", x, h, h, null, dtype);
        ctx = new FusedAttention(sd, q, k, v, adder, c.numAttentionHeads(), h, 1.0 / Math.sqrt(c.headSize()))
            .outputVariable();
      }
      try (NameScope o = sd.withNameScope("output")) {
        SDVariable proj = Ops.dropout(dense(sd, "dense", ctx, h, h, null, dtype), training, c.hiddenDropoutProb());
        attn = layerNorm(sd, proj, x, h, c.layerNormEps(), dtype);
      }
    }
    SDVariable mid;
    try (NameScope i = sd.withNameScope("intermediate")) {
      mid = dense(sd, "dense", attn, h, c.intermediateSize(), c.hiddenAct(), dtype);
    }
    try (NameScope o = sd.withNameScope("output")) {
      SDVariable out = Ops.dropout(dense(sd, "dense", mid, c.intermediateSize(), h, null, dtype), training,
          c.hiddenDropoutProb());
      return layerNorm(sd, out, attn, h, c.layerNormEps(), dtype);
    }
  }

  /** {@code <name>/kernel} [in,out] and {@code <name>/bias} [out] in the current scope; act null = none. */
  private static SDVariable dense(SameDiff sd, String name, SDVariable x, int in, int out, Activation act,
      DataType dtype) {
    try (NameScope s = sd.withNameScope(name)) {
      SDVariable kernel = sd.var("kernel", dtype, in, out);
      SDVariable bias = sd.var("bias", dtype, out);
      return new FusedDense(sd, x, kernel, bias, act).outputVariable();
    }
  }

  /** LayerNorm(x + residual) with {@code LayerNorm/gamma} and {@code /beta} [H] in the current scope. */
  static SDVariable layerNorm(SameDiff sd, SDVariable x, SDVariable residual, int h, double eps, DataType dtype) {
    try (NameScope s = sd.withNameScope("LayerNorm")) {
      SDVariable gamma = sd.var("gamma", dtype, h);
      SDVariable beta = sd.var("beta", dtype, h);
      return new FusedLayerNorm(sd, x, gamma, beta, residual, eps).outputVariable();
    }
  }
}
