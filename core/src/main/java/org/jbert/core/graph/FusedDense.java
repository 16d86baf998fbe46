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
 * activation as post-ops. The gradient recomputes the pre-activation with standard ops.
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
    int a = (int) iArguments.get(0).longValue();
    return a == NONE ? null : Activation.values()[a];
  }

  @Override
  public boolean run(Kernels kernels, List<INDArray> in, INDArray out) {
    return kernels.dense(in.get(0), in.get(1), in.get(2), activation(), out);
  }

  @Override
  protected long[] outputShape(List<INDArray> in) {
    return new long[] {in.get(0).size(0), in.get(1).size(1)};
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    SameDiff sd = getSameDiff();
    SDVariable x = arg(0);
    SDVariable w = arg(1);
    SDVariable z = Ops.dense(x, w, arg(2));
    SDVariable dz = grads.get(0);
    Activation act = activation();
    if (act != null) dz = dz.mul(derivative(sd, z, act));
    SDVariable dx = sd.mmul(dz, w, false, true, false);
    SDVariable dw = sd.mmul(x, dz, true, false, false);
    SDVariable db = dz.sum(0);
    return List.of(dx, dw, db);
  }

  /** d act(z) / dz, elementwise. */
  static SDVariable derivative(SameDiff sd, SDVariable z, Activation act) {
    return switch (act) {
      case GELU_TANH -> {
        // y = z s, s = 0.5 tanh(u) + 0.5, u = c z + c a z^3: dy/dz = s + z 0.5 (1 - tanh(u)^2) (c + 3 c a z^2)
        double c = Math.sqrt(2 / Math.PI);
        double a = 0.044715;
        SDVariable z2 = z.mul(z);
        SDVariable th = Ops.tanh(z.mul(z2.mul(c * a).add(c)));
        SDVariable s = th.mul(0.5).add(0.5);
        SDVariable du = z2.mul(3 * c * a).add(c);
        yield s.add(z.mul(th.mul(th).rsub(1.0).mul(0.5)).mul(du));
      }
      case GELU_ERF -> {
        // y = 0.5 z (1 + erf(z/sqrt2)): dy/dz = 0.5 (1 + erf(z/sqrt2)) + z exp(-z^2/2) / sqrt(2 pi)
        SDVariable cdf = sd.math().erf(z.mul(1 / Math.sqrt(2))).add(1.0).mul(0.5);
        SDVariable pdf = sd.math().exp(z.mul(z).mul(-0.5)).mul(1 / Math.sqrt(2 * Math.PI));
        yield cdf.add(z.mul(pdf));
      }
      case RELU -> sd.castTo(z.gt(0.0), z.dataType());
    };
  }
}
