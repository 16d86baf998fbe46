package org.jbert.finetune;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The loss of one batch and the gradient of that loss for every trainable variable, from one forward and backward
 * pass (so both saw the same dropout masks).
 *
 * @param loss the scalar loss
 * @param gradients canonical variable name -> gradient, same shape as the variable (Google layout)
 */
public record LossAndGradients(double loss, Map<String, INDArray> gradients) implements AutoCloseable {

  /** The global L2 norm over all gradients, as {@code torch.nn.utils.clip_grad_norm_} computes it. */
  public double globalNorm() {
    double s = 0;
    for (INDArray g : gradients.values()) {
      double n = g.norm2Number().doubleValue();
      s += n * n;
    }
    return Math.sqrt(s);
  }

  @Override
  public void close() {
    gradients.values().forEach(a -> {
      if (a.closeable()) a.close();
    });
  }
}
