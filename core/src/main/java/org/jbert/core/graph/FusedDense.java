package org.jbert.core.graph;

import java.util.List;
import org.jbert.core.config.Activation;
import org.jbert.core.kernels.Kernels;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code act(x @ kernel + bias)} as one op: x [K,in], kernel [in,out], bias [out] -> [K,out]; the activation is
 * none, the tanh or erf GELU, or ReLU ({@link Activation}). oneDNN runs it as one matmul with the bias and the
 * activation as post-ops. The gradient is {@link FusedDenseGrad}.
 */
public class FusedDense extends FusedOp {
  public static final String OP_NAME = "jbert_fused_dense";
  private static final int NONE = -1;

  static {
    register(new FusedDense());
  }

  /** For SameDiff's reflection only. */
  public FusedDense() {}

  FusedDense(SameDiff sd, SDVariable x, SDVariable kernel, SDVariable bias, Activation act) {
    super(sd, new SDVariable[] {x, kernel, bias});
    addIArgument(act == null ? NONE : act.ordinal());
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  /** The activation, or null for none. */
  public Activation activation() {
    return activation(iArguments.get(0));
  }

  /** The activation an integer argument codes, or null for none. */
  static Activation activation(long code) {
    return code == NONE ? null : Activation.values()[(int) code];
  }

  @Override
  public boolean run(Kernels kernels, List<INDArray> in, List<INDArray> out) {
    return kernels.dense(in.get(0), in.get(1), in.get(2), activation(), out.get(0));
  }

  @Override
  protected List<long[]> outputShapes(List<INDArray> in) {
    return List.of(new long[] {in.get(0).size(0), in.get(1).size(1)});
  }

  /** dx, dw and db from {@link FusedDenseGrad}. */
  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    return List.of(new FusedDenseGrad(getSameDiff(), this, grads.get(0)).outputVariables());
  }
}
