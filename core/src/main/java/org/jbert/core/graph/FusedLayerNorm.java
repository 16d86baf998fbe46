package org.jbert.core.graph;

import java.util.List;
import org.jbert.core.kernels.Kernels;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm of {@code x} or of {@code x + residual} over the last axis, with epsilon inside the square root (as
 * {@link Ops#layerNorm}): inputs x [K,H], gamma [H], beta [H] and optionally residual [K,H] -> [K,H]. The gradient
 * is {@link FusedLayerNormGrad}.
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
  public boolean run(Kernels kernels, List<INDArray> in, List<INDArray> out) {
    return kernels.layerNorm(in.get(0), in.size() > 3 ? in.get(3) : null, in.get(1), in.get(2), epsilon(),
        out.get(0));
  }

  @Override
  protected List<long[]> outputShapes(List<INDArray> in) {
    return List.of(in.get(0).shape());
  }

  /** dx, dgamma, dbeta (and dresidual, the same array as dx) from {@link FusedLayerNormGrad}. */
  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    SDVariable[] g = new FusedLayerNormGrad(getSameDiff(), this, grads.get(0)).outputVariables();
    return args().length > 3 ? List.of(g[0], g[1], g[2], g[0]) : List.of(g);
  }
}
