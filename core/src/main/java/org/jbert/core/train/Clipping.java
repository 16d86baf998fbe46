package org.jbert.core.train;

import java.util.Collection;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Gradient norms and global-norm clipping with the semantics of {@code torch.nn.utils.clip_grad_norm_}. */
public final class Clipping {
  private Clipping() {}

  /** torch's clip coefficient is {@code max_norm / (total_norm + 1e-6)}. */
  public static final double EPS = 1e-6;

  /** The L2 norm of one gradient, any shape. */
  public static double norm(INDArray g) {
    return g.norm2Number().doubleValue();
  }

  /** The L2 norm of all gradients taken together: sqrt of the sum of the squared per-tensor norms. */
  public static double globalNorm(Collection<INDArray> grads) {
    double sum = 0;
    for (INDArray g : grads) {
      double n = norm(g);
      sum += n * n;
    }
    return Math.sqrt(sum);
  }

  /**
   * Scales every gradient in place by {@code maxNorm / (total + 1e-6)} when that factor is below 1, as
   * {@code clip_grad_norm_(params, max_norm)} does; {@code maxNorm <= 0} only measures. Returns the total norm
   * before clipping (NaN or infinite when a gradient is; then nothing is scaled).
   */
  public static double clipGlobalNorm(Map<String, INDArray> grads, double maxNorm) {
    double total = globalNorm(grads.values());
    if (maxNorm > 0 && Double.isFinite(total)) {
      double coef = maxNorm / (total + EPS);
      if (coef < 1) {
        for (INDArray g : grads.values()) g.muli((float) coef);
      }
    }
    return total;
  }
}
