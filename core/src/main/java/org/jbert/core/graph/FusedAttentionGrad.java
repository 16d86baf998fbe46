package org.jbert.core.graph;

import java.util.List;
import org.jbert.core.kernels.Kernels;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of {@link FusedAttention} as one op ({@link Kernels#attentionGrad}): inputs q, k, v [K,H], mask
 * [B,1,1,T], the context's gradient dctx [K,H] and, with dropout, keep [B,N,T,T]; the forward op's arguments ->
 * dq, dk, dv [K,H] and dmask [B,1,1,T]. The probabilities are recomputed, not kept from the forward pass.
 */
public class FusedAttentionGrad extends FusedOp {
  public static final String OP_NAME = "jbert_fused_attention_grad";

  static {
    register(new FusedAttentionGrad());
  }

  /** For SameDiff's reflection only. */
  public FusedAttentionGrad() {}

  FusedAttentionGrad(SameDiff sd, FusedAttention fwd, SDVariable dctx) {
    super(sd, inputs(fwd.args(), dctx));
    addIArgument(fwd.heads(), fwd.hidden());
    addTArgument(fwd.scale());
  }

  /** q, k, v, mask, dctx[, keep]. */
  private static SDVariable[] inputs(SDVariable[] fwd, SDVariable dctx) {
    return fwd.length > 4 ? new SDVariable[] {fwd[0], fwd[1], fwd[2], fwd[3], dctx, fwd[4]}
        : new SDVariable[] {fwd[0], fwd[1], fwd[2], fwd[3], dctx};
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public int getNumOutputs() {
    return 4;
  }

  @Override
  public boolean run(Kernels kernels, List<INDArray> in, List<INDArray> out) {
    return kernels.attentionGrad(in.get(0), in.get(1), in.get(2), in.get(3), in.size() > 5 ? in.get(5) : null,
        in.get(4), (int) iArguments.get(0).longValue(), tArguments.get(0), out.get(0), out.get(1), out.get(2),
        out.get(3));
  }

  @Override
  protected List<long[]> outputShapes(List<INDArray> in) {
    long[] qkv = in.get(0).shape();
    return List.of(qkv, qkv, qkv, in.get(3).shape());
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    return noSecondDerivative(this);
  }
}
