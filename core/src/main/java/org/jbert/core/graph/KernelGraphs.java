package org.jbert.core.graph;

import org.jbert.core.config.Activation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One encoder kernel as a small graph, either as {@link BertGraph} builds it today (unfused ops) or as one
 * {@link FusedOp}, for benchmarks that time both on the same arrays. Each graph has float32 placeholders and one
 * output named {@value #OUT}.
 */
public final class KernelGraphs {
  /** The output of every graph here. */
  public static final String OUT = "out";

  private KernelGraphs() {}

  /**
   * The attention core: placeholders {@code q}, {@code k}, {@code v} [K,H] and {@code mask} [B,1,1,T] -> [K,H]. The
   * unfused chain is {@link BertGraph}'s: scaled queries, reshape and permute to [B,N,T,D], Q·Kᵀ + mask, softmax,
   * ·V, permute and reshape back.
   */
  public static SameDiff attention(int heads, int hidden, boolean fused) {
    SameDiff sd = SameDiff.create();
    SDVariable q = sd.placeHolder("q", DataType.FLOAT, -1, hidden);
    SDVariable k = sd.placeHolder("k", DataType.FLOAT, -1, hidden);
    SDVariable v = sd.placeHolder("v", DataType.FLOAT, -1, hidden);
    SDVariable mask = sd.placeHolder("mask", DataType.FLOAT, -1, 1, 1, -1);
    double scale = 1.0 / Math.sqrt(hidden / heads);
    if (fused) {
      sd.identity(OUT, new FusedAttention(sd, q, k, v, mask, null, heads, hidden, scale).outputVariable());
      return sd;
    }
    SDVariable shape = sd.castTo(sd.shape(mask), DataType.LONG);
    SDVariable btnd = sd.concat(0, shape.get(org.nd4j.autodiff.samediff.SDIndex.interval(0, 1)),
        shape.get(org.nd4j.autodiff.samediff.SDIndex.interval(3, 4)),
        sd.constant(Nd4j.createFromArray(new long[] {heads, hidden / heads})));
    SDVariable q4 = sd.permute(sd.reshape(q.mul(scale), btnd), 0, 2, 1, 3);
    SDVariable k4 = sd.permute(sd.reshape(k, btnd), 0, 2, 1, 3);
    SDVariable v4 = sd.permute(sd.reshape(v, btnd), 0, 2, 1, 3);
    SDVariable probs = sd.nn().softmax(sd.mmul(q4, k4, false, true, false).add(mask), -1);
    sd.identity(OUT, sd.reshape(sd.permute(sd.mmul(probs, v4), 0, 2, 1, 3), -1, hidden));
    return sd;
  }

  /** {@code act(x @ w + b)}: placeholders {@code x} [K,in], {@code w} [in,out], {@code b} [out]; act null = none. */
  public static SameDiff dense(int in, int out, Activation act, boolean fused) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, in);
    SDVariable w = sd.placeHolder("w", DataType.FLOAT, in, out);
    SDVariable b = sd.placeHolder("b", DataType.FLOAT, out);
    SDVariable y = fused ? new FusedDense(sd, x, w, b, act).outputVariable() : Ops.dense(x, w, b);
    if (!fused && act != null) y = Ops.activation(y, act);
    sd.identity(OUT, y);
    return sd;
  }

  /** LayerNorm(x + r): placeholders {@code x}, {@code r} [K,H], {@code gamma}, {@code beta} [H]. */
  public static SameDiff layerNorm(int hidden, double eps, boolean fused) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, hidden);
    SDVariable r = sd.placeHolder("r", DataType.FLOAT, -1, hidden);
    SDVariable g = sd.placeHolder("gamma", DataType.FLOAT, hidden);
    SDVariable b = sd.placeHolder("beta", DataType.FLOAT, hidden);
    sd.identity(OUT, fused ? new FusedLayerNorm(sd, x, g, b, r, eps).outputVariable()
        : Ops.layerNorm(x.add(r), g, b, eps));
    return sd;
  }
}
