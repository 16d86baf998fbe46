package org.jbert.core.graph;

import java.util.List;
import org.jbert.core.kernels.Kernels;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention core as one op: {@code (softmax(Q K^T * scale + mask) * keep) V} per batch row and head, read from and
 * written to the [K,H] layout of the dense layers (no permute or reshape ops in the graph). Inputs q, k, v [K,H], the
 * additive mask [B,1,1,T] and, in graphs with attention-probability dropout, the dropout factor keep [B,N,T,T]
 * ({@link Ops#dropoutFactor}: the same random op and seeds as the unfused graph's dropout, so both draw the same
 * masks); integer arguments N and H, floating-point argument the scale -> context [K,H]. Graphs without that dropout
 * (inference models) have no keep input and make no mask. The gradient is {@link FusedAttentionGrad}.
 */
public class FusedAttention extends FusedOp {
  public static final String OP_NAME = "jbert_fused_attention";

  static {
    register(new FusedAttention());
  }

  /** For SameDiff's reflection only. */
  public FusedAttention() {}

  /** @param keep the dropout factor [B,N,T,T], or null for none */
  FusedAttention(SameDiff sd, SDVariable q, SDVariable k, SDVariable v, SDVariable mask, SDVariable keep, int heads,
      int hidden, double scale) {
    super(sd, keep == null ? new SDVariable[] {q, k, v, mask} : new SDVariable[] {q, k, v, mask, keep});
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
  public boolean run(Kernels kernels, List<INDArray> in, List<INDArray> out) {
    return kernels.attention(in.get(0), in.get(1), in.get(2), in.get(3), in.size() > 4 ? in.get(4) : null, heads(),
        scale(), out.get(0));
  }

  @Override
  protected List<long[]> outputShapes(List<INDArray> in) {
    return List.of(in.get(0).shape());
  }

  /**
   * dq, dk, dv and dmask from {@link FusedAttentionGrad}; the dropout factor is a random sample and gets zeros (as in
   * the unfused graph, where its gradient reaches no variable).
   */
  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    SameDiff sd = getSameDiff();
    boolean keep = args().length > 4;
    SDVariable[] g = new FusedAttentionGrad(sd, this, grads.get(0)).outputVariables();
    return keep ? List.of(g[0], g[1], g[2], g[3], sd.zerosLike(arg(4))) : List.of(g);
  }
}
