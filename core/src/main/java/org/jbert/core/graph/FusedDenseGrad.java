package org.jbert.core.graph;

import java.util.List;
import org.jbert.core.kernels.Kernels;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of {@link FusedDense} as one op ({@link Kernels#denseGrad}): inputs x [K,in], kernel [in,out], bias
 * [out] and the output's gradient dy [K,out]; the forward op's activation -> dx [K,in], dkernel [in,out], dbias
 * [out]. With an activation the pre-activation is recomputed, not kept from the forward pass.
 */
public class FusedDenseGrad extends FusedOp {
  public static final String OP_NAME = "jbert_fused_dense_grad";

  static {
    register(new FusedDenseGrad());
  }

  /** For SameDiff's reflection only. */
  public FusedDenseGrad() {}

  FusedDenseGrad(SameDiff sd, FusedDense fwd, SDVariable dy) {
    super(sd, new SDVariable[] {fwd.arg(0), fwd.arg(1), fwd.arg(2), dy});
    addIArgument(fwd.iArgs()[0]);
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
    return kernels.denseGrad(in.get(0), in.get(1), in.get(2), FusedDense.activation(iArguments.get(0)), in.get(3),
        out.get(0), out.get(1), out.get(2));
  }

  @Override
  protected List<long[]> outputShapes(List<INDArray> in) {
    return List.of(in.get(0).shape(), in.get(1).shape(), in.get(2).shape());
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    return noSecondDerivative(this);
  }
}
