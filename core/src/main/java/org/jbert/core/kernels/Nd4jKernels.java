package org.jbert.core.kernels;

import org.jbert.core.config.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link Kernels} as eager libnd4j ops, in the same arithmetic as the unfused graph
 * ({@link org.jbert.core.graph.Ops}): the reference the other paths are tested against and their fallback. Takes
 * every floating-point type; returns false only for other types.
 */
public final class Nd4jKernels implements Kernels {
  /** The one instance (stateless). */
  public static final Nd4jKernels INSTANCE = new Nd4jKernels();
  /** This path's name. */
  public static final String NAME = "libnd4j";

  private Nd4jKernels() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean attention(INDArray q, INDArray k, INDArray v, INDArray mask, int heads, double scale,
      INDArray out) {
    if (!q.dataType().isFPType()) return false;
    long b = mask.size(0);
    long t = mask.size(3);
    long h = q.size(1);
    long d = h / heads;
    INDArray q4 = q.mul(scale).reshape('c', b, t, heads, d).permute(0, 2, 1, 3); // [B,N,T,D]
    INDArray k4 = k.reshape('c', b, t, heads, d).permute(0, 2, 1, 3);
    INDArray v4 = v.reshape('c', b, t, heads, d).permute(0, 2, 1, 3);
    INDArray scores = Nd4j.matmul(q4, k4, false, true, false); // [B,N,T,T]
    Nd4j.exec(new AddOp(new INDArray[] {scores, mask.castTo(scores.dataType())}, new INDArray[] {scores}));
    Nd4j.exec(new SoftMax(scores, scores, -1));
    INDArray ctx = Nd4j.matmul(scores, v4); // [B,N,T,D]
    out.assign(ctx.permute(0, 2, 1, 3).dup('c').reshape('c', b * t, h));
    return true;
  }

  @Override
  public boolean dense(INDArray x, INDArray w, INDArray b, Activation act, INDArray out) {
    if (!x.dataType().isFPType()) return false;
    INDArray z = x.mmul(w).addiRowVector(b);
    if (act != null) z = activate(z, act);
    out.assign(z);
    return true;
  }

  /** The activations as {@link org.jbert.core.graph.Ops#activation} computes them. */
  static INDArray activate(INDArray x, Activation act) {
    return switch (act) {
      case GELU_TANH -> {
        double c = Math.sqrt(2 / Math.PI);
        INDArray inner = x.mul(x.mul(x).muli(c * 0.044715).addi(c));
        yield x.mul(Transforms.tanh(inner, false).muli(0.5).addi(0.5));
      }
      case GELU_ERF -> {
        INDArray e = Nd4j.exec(new Erf(x.mul(1 / Math.sqrt(2))));
        yield x.mul(0.5).muli(e.addi(1.0));
      }
      case RELU -> Transforms.relu(x, true);
    };
  }

  @Override
  public boolean layerNorm(INDArray x, INDArray residual, INDArray gamma, INDArray beta, double eps,
      INDArray out) {
    if (!x.dataType().isFPType()) return false;
    INDArray s = residual == null ? x : x.add(residual);
    INDArray mean = s.mean(true, 1);
    INDArray centered = s.subColumnVector(mean);
    INDArray variance = centered.mul(centered).mean(true, 1);
    INDArray std = Transforms.sqrt(variance.addi(eps), false);
    out.assign(centered.diviColumnVector(std).muliRowVector(gamma).addiRowVector(beta));
    return true;
  }

}
