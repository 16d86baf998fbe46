package org.jbert.core.graph;

import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The transformer layer of {@link BertGraph} in fused ops, with the same variables under the same names:
 * <pre>
 *   q, k, v = FusedDense(x)                          [K,H] each
 *   ctx     = FusedAttention(q, k, v, mask)          [K,H]
 *   attn    = FusedLayerNorm(dropout(FusedDense(ctx)), residual x)
 *   mid     = FusedDense(attn, activation)           [K,I]
 *   out     = FusedLayerNorm(dropout(FusedDense(mid)), residual attn)
 * </pre>
 * Hidden dropout stays a standard op between the product and the LayerNorm. Attention-probability dropout is a factor
 * [B,N,T,T] made by {@link Ops#dropoutFactor} in the {@code self} scope, as the unfused layer makes it (same random op
 * name, so {@link DropoutSeeds} gives both graphs the same masks), and applied inside {@link FusedAttention}; a config
 * without that dropout (inference models) makes none.
 */
final class FusedEncoder {
  private FusedEncoder() {}

  /** Fails for what the fused layer does not build: bf16 products. */
  static void check(MatmulPrecision precision) {
    if (precision != MatmulPrecision.FLOAT32) {
      throw new JbertException("fused ops with matmul precision " + precision + "; expected FLOAT32");
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
        SDVariable keep = c.attentionProbsDropoutProb() == 0 ? null
            : Ops.dropoutFactor(scoresShape(sd, adder, c.numAttentionHeads()), training,
                c.attentionProbsDropoutProb(), dtype);
        ctx = new FusedAttention(sd, q, k, v, adder, keep, c.numAttentionHeads(), h, 1.0 / Math.sqrt(c.headSize()))
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

  /** [B,N,T,T] as a long vector, from the mask [B,1,1,T] (no dependence on the variables). */
  private static SDVariable scoresShape(SameDiff sd, SDVariable adder, int heads) {
    SDVariable m = sd.castTo(sd.shape(adder), DataType.LONG);
    SDVariable t = m.get(SDIndex.interval(3, 4));
    return sd.concat(0, m.get(SDIndex.interval(0, 1)), sd.constant(Nd4j.createFromArray(new long[] {heads})), t, t);
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
