package org.jbert.core.graph;

import java.util.List;
import org.jbert.core.kernels.Kernels;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of {@link FusedLayerNorm} as one op ({@link Kernels#layerNormGrad}): inputs x [K,H], gamma [H], the
 * output's gradient dy [K,H] and optionally residual [K,H]; the forward op's epsilon -> ds [K,H] (the gradient of x
 * and of the residual), dgamma [H], dbeta [H]. Mean and variance are recomputed, not kept from the forward pass.
 */
public class FusedLayerNormGrad extends FusedOp {
  public static final String OP_NAME = "jbert_fused_layer_norm_grad";

  static {
    register(new FusedLayerNormGrad());
  }

  /** For SameDiff's reflection only. */
  public FusedLayerNormGrad() {}

  FusedLayerNormGrad(SameDiff sd, FusedLayerNorm fwd, SDVariable dy) {
    super(sd, fwd.args().length > 3 ? new SDVariable[] {fwd.arg(0), fwd.arg(1), dy, fwd.arg(3)}
        : new SDVariable[] {fwd.arg(0), fwd.arg(1), dy});
    addTArgument(fwd.epsilon());
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public int getNumOutputs() {
    return 3;
  }

  @Override
  public boolean run(Kernels kernels, List<INDArray> in, List<INDArray> out) {
    return kernels.layerNormGrad(in.get(0), in.size() > 3 ? in.get(3) : null, in.get(1), tArguments.get(0),
        in.get(2), out.get(0), out.get(1), out.get(2));
  }

  @Override
  protected List<long[]> outputShapes(List<INDArray> in) {
    long[] h = in.get(1).shape();
    return List.of(in.get(0).shape(), h, h);
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    return noSecondDerivative(this);
  }
}
