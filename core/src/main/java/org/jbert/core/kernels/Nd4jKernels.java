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
  public boolean attention(INDArray q, INDArray k, INDArray v, INDArray mask, INDArray keep, int heads,
      double scale, INDArray out) {
    if (!q.dataType().isFPType()) return false;
    Heads hd = new Heads(mask, q, heads);
    INDArray probs = probabilities(hd.split(q.mul(scale)), hd.split(k), mask);
    if (keep != null) probs.muli(keep);
    out.assign(hd.join(Nd4j.matmul(probs, hd.split(v))));
    return true;
  }

  @Override
  public boolean attentionGrad(INDArray q, INDArray k, INDArray v, INDArray mask, INDArray keep, INDArray dctx,
      int heads, double scale, INDArray dq, INDArray dk, INDArray dv, INDArray dmask) {
    if (!q.dataType().isFPType()) return false;
    Heads hd = new Heads(mask, q, heads);
    INDArray qs = hd.split(q.mul(scale)); // [B,N,T,D]
    INDArray k4 = hd.split(k);
    INDArray dc = hd.split(dctx);
    INDArray probs = probabilities(qs, k4, mask); // [B,N,T,T]
    INDArray dropped = keep == null ? probs : probs.mul(keep);
    dv.assign(hd.join(Nd4j.matmul(dropped, dc, true, false, false)));
    INDArray dp = Nd4j.matmul(dc, hd.split(v), false, true, false);
    if (keep != null) dp.muli(keep);
    INDArray ds = dp.subi(dp.mul(probs).sum(true, 3)).muli(probs); // the softmax backward
    dq.assign(hd.join(Nd4j.matmul(ds, k4)).muli(scale));
    dk.assign(hd.join(Nd4j.matmul(ds, qs, true, false, false)));
    dmask.assign(ds.sum(true, 1, 2));
    return true;
  }

  /** softmax(qs k^T + mask) [B,N,T,T] from scaled queries and keys [B,N,T,D]. */
  private static INDArray probabilities(INDArray qs, INDArray k4, INDArray mask) {
    INDArray scores = Nd4j.matmul(qs, k4, false, true, false);
    Nd4j.exec(new AddOp(new INDArray[] {scores, mask.castTo(scores.dataType())}, new INDArray[] {scores}));
    Nd4j.exec(new SoftMax(scores, scores, -1));
    return scores;
  }

  /** The [K,H] <-> [B,N,T,D] views of one attention call. */
  private record Heads(long b, long t, long h, long n) {
    Heads(INDArray mask, INDArray q, int heads) {
      this(mask.shape()[0], mask.shape()[3], q.shape()[1], heads);
    }

    INDArray split(INDArray x) {
      return x.reshape('c', b, t, n, h / n).permute(0, 2, 1, 3);
    }

    INDArray join(INDArray x4) {
      return x4.permute(0, 2, 1, 3).dup('c').reshape('c', b * t, h);
    }
  }

  @Override
  public boolean dense(INDArray x, INDArray w, INDArray b, Activation act, INDArray out) {
    if (!x.dataType().isFPType()) return false;
    INDArray z = x.mmul(w).addiRowVector(b);
    if (act != null) z = activate(z, act);
    out.assign(z);
    return true;
  }

  @Override
  public boolean denseGrad(INDArray x, INDArray w, INDArray b, Activation act, INDArray dy, INDArray dx,
      INDArray dw, INDArray db) {
    if (!x.dataType().isFPType()) return false;
    INDArray dz = act == null ? dy : dy.mul(derivative(x.mmul(w).addiRowVector(b), act));
    dx.assign(dz.mmul(w.transpose()));
    dw.assign(x.transpose().mmul(dz));
    db.assign(dz.sum(0));
    return true;
  }

  /** d act(z) / dz, elementwise (as {@link org.jbert.core.graph.FusedDense}'s gradient documents). */
  static INDArray derivative(INDArray z, Activation act) {
    return switch (act) {
      case GELU_TANH -> {
        // y = z s, s = 0.5 tanh(u) + 0.5, u = c z + c a z^3: dy/dz = s + 0.5 z (1 - tanh(u)^2) (c + 3 c a z^2)
        double c = Math.sqrt(2 / Math.PI);
        double a = 0.044715;
        INDArray z2 = z.mul(z);
        INDArray th = Transforms.tanh(z.mul(z2.mul(c * a).addi(c)), false);
        INDArray du = z2.muli(3 * c * a).addi(c);
        INDArray s = th.mul(0.5).addi(0.5);
        yield s.addi(z.mul(th.muli(th).rsubi(1.0).muli(0.5)).muli(du));
      }
      case GELU_ERF -> {
        // dy/dz = 0.5 (1 + erf(z/sqrt2)) + z exp(-z^2/2) / sqrt(2 pi)
        INDArray cdf = Nd4j.exec(new Erf(z.mul(1 / Math.sqrt(2)))).addi(1.0).muli(0.5);
        INDArray pdf = Transforms.exp(z.mul(z).muli(-0.5), false).muli(1 / Math.sqrt(2 * Math.PI));
        yield cdf.addi(z.mul(pdf));
      }
      case RELU -> z.gt(0.0).castTo(z.dataType());
    };
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

  @Override
  public boolean layerNormGrad(INDArray x, INDArray residual, INDArray gamma, double eps, INDArray dy,
      INDArray ds, INDArray dgamma, INDArray dbeta) {
    if (!x.dataType().isFPType()) return false;
    INDArray s = residual == null ? x : x.add(residual);
    INDArray centered = s.subColumnVector(s.mean(true, 1));
    INDArray rstd = Transforms.pow(centered.mul(centered).mean(true, 1).addi(eps), -0.5, false); // [K,1]
    INDArray xhat = centered.muliColumnVector(rstd);
    dgamma.assign(dy.mul(xhat).sum(0));
    dbeta.assign(dy.sum(0));
    INDArray g = dy.mulRowVector(gamma);
    INDArray gx = g.mul(xhat).mean(true, 1);
    ds.assign(g.subiColumnVector(g.mean(true, 1)).subi(xhat.muliColumnVector(gx)).muliColumnVector(rstd));
    return true;
  }
}
