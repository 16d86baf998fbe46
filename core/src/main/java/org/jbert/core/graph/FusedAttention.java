package org.jbert.core.graph;

import java.util.List;
import org.jbert.core.kernels.Kernels;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attention core as one op: {@code softmax(Q K^T * scale + mask) V} per batch row and head, read from and written
 * to the [K,H] layout of the dense layers (no permute or reshape ops in the graph). Inputs q, k, v [K,H] and the
 * additive mask [B,1,1,T]; integer arguments N and H, floating-point argument the scale -> context [K,H]. No dropout on the
 * probabilities: graphs that need it are built without fused ops. The gradient recomputes the probabilities with
 * standard ops.
 */
public class FusedAttention extends FusedOp {
  public static final String OP_NAME = "jbert_fused_attention";

  static {
    register(new FusedAttention());
  }

  /** For SameDiff's reflection only. */
  public FusedAttention() {}

  FusedAttention(SameDiff sd, SDVariable q, SDVariable k, SDVariable v, SDVariable mask, int heads, int hidden,
      double scale) {
    super(sd, new SDVariable[] {q, k, v, mask});
    addIArgument(heads, hidden);
    addTArgument(scale);
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  /** N. */
  public int heads() {
    return (int) iArguments.get(0).longValue();
  }

  /** H. */
  public int hidden() {
    return (int) iArguments.get(1).longValue();
  }

  /** The factor of the scores. */
  public double scale() {
    return tArguments.get(0);
  }

  @Override
  public boolean run(Kernels kernels, List<INDArray> in, INDArray out) {
    return kernels.attention(in.get(0), in.get(1), in.get(2), in.get(3), heads(), scale(), out);
  }

  @Override
  protected long[] outputShape(List<INDArray> in) {
    return in.get(0).shape();
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    SameDiff sd = getSameDiff();
    SDVariable mask = arg(3);
    int n = heads();
    long h = hidden();
    SDVariable maskShape = sd.castTo(sd.shape(mask), DataType.LONG); // [B,1,1,T]
    SDVariable btnd = sd.concat(0, maskShape.get(SDIndex.interval(0, 1)), maskShape.get(SDIndex.interval(3, 4)),
        sd.constant(Nd4j.createFromArray(new long[] {n, h / n})));
    SDVariable qs = heads(sd, arg(0).mul(scale()), btnd); // [B,N,T,D], scaled
    SDVariable k = heads(sd, arg(1), btnd);
    SDVariable v = heads(sd, arg(2), btnd);
    SDVariable probs = sd.nn().softmax(sd.mmul(qs, k, false, true, false).add(mask), -1); // [B,N,T,T]
    SDVariable dctx = heads(sd, grads.get(0), btnd);
    SDVariable dv = sd.mmul(probs, dctx, true, false, false);
    SDVariable dp = sd.mmul(dctx, v, false, true, false);
    SDVariable ds = probs.mul(dp.sub(dp.mul(probs).sum(true, 3))); // d scores [B,N,T,T]
    SDVariable dq = sd.mmul(ds, k).mul(scale());
    SDVariable dk = sd.mmul(ds, qs, true, false, false);
    SDVariable dmask = ds.sum(true, 1, 2); // [B,1,1,T]
    return List.of(rows(sd, dq, h), rows(sd, dk, h), rows(sd, dv, h), dmask);
  }

  /** [K,H] -> [B,N,T,D]. */
  private static SDVariable heads(SameDiff sd, SDVariable x, SDVariable btnd) {
    return sd.permute(sd.reshape(x, btnd), 0, 2, 1, 3);
  }

  /** [B,N,T,D] -> [K,H]. */
  private static SDVariable rows(SameDiff sd, SDVariable x, long h) {
    return sd.reshape(sd.permute(x, 0, 2, 1, 3), -1, h);
  }
}
