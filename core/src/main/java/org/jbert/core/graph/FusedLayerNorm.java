package org.jbert.core.graph;

import java.util.List;
import org.jbert.core.kernels.Kernels;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm of {@code x} or of {@code x + residual} over the last axis, with epsilon inside the square root (as
 * {@link Ops#layerNorm}): inputs x [K,H], gamma [H], beta [H] and optionally residual [K,H] -> [K,H]. The gradient
 * is the analytic LayerNorm backward in standard ops.
 */
public class FusedLayerNorm extends FusedOp {
  public static final String OP_NAME = "jbert_fused_layer_norm";

  static {
    register(new FusedLayerNorm());
  }

  /** For SameDiff's reflection only. */
  public FusedLayerNorm() {}

  FusedLayerNorm(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta, SDVariable residual, double eps) {
    super(sd, residual == null ? new SDVariable[] {x, gamma, beta} : new SDVariable[] {x, gamma, beta, residual});
    addTArgument(eps);
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  /** The epsilon added to the variance. */
  public double epsilon() {
    return tArguments.get(0);
  }

  @Override
  public boolean run(Kernels kernels, List<INDArray> in, INDArray out) {
    return kernels.layerNorm(in.get(0), in.size() > 3 ? in.get(3) : null, in.get(1), in.get(2), epsilon(), out);
  }

  @Override
  protected long[] outputShape(List<INDArray> in) {
    return in.get(0).shape();
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    SameDiff sd = getSameDiff();
    boolean residual = args().length > 3;
    SDVariable s = residual ? arg(0).add(arg(3)) : arg(0);
    SDVariable gamma = arg(1);
    SDVariable centered = s.sub(sd.mean(s, true, -1));
    SDVariable variance = sd.mean(centered.mul(centered), true, -1);
    SDVariable rstd = sd.math().rsqrt(variance.add(epsilon()));
    SDVariable xhat = centered.mul(rstd);
    SDVariable g = grads.get(0);
    SDVariable dgamma = g.mul(xhat).sum(0);
    SDVariable dbeta = g.sum(0);
    SDVariable gg = g.mul(gamma);
    SDVariable ds = gg.sub(sd.mean(gg, true, -1)).sub(xhat.mul(sd.mean(gg.mul(xhat), true, -1))).mul(rstd);
    return residual ? List.of(ds, dgamma, dbeta, ds) : List.of(ds, dgamma, dbeta);
  }
}
