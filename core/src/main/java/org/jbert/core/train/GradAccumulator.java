package org.jbert.core.train;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jbert.core.JbertException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gradient accumulation over k micro-batches: gradients are summed as they come and {@link #average()} divides by the
 * number added, so one optimizer step sees the mean gradient over the k micro-batches. This is what Hugging Face's
 * Trainer does (it scales each micro-batch loss by 1/k before backward): with equal micro-batch sizes the result is
 * the gradient of the mean loss over the k*B examples.
 */
public final class GradAccumulator implements AutoCloseable {
  private final Map<String, INDArray> sums = new LinkedHashMap<>();
  private int count;

  /** Buffers shaped like {@code params}, zeroed. */
  public GradAccumulator(Map<String, INDArray> params) {
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      sums.put(e.getKey(), Nd4j.zeros(DataType.FLOAT, e.getValue().shape()));
    }
  }

  /** Adds one micro-batch's gradients (every parameter must have one). */
  public void add(Map<String, INDArray> grads) {
    for (Map.Entry<String, INDArray> e : sums.entrySet()) {
      INDArray g = grads.get(e.getKey());
      if (g == null) throw new JbertException("no gradient for parameter " + e.getKey() + " in micro-batch " + (count + 1));
      if (!Arrays.equals(g.shape(), e.getValue().shape())) {
        throw new JbertException("gradient of " + e.getKey() + " has shape " + Arrays.toString(g.shape())
            + "; expected " + Arrays.toString(e.getValue().shape()));
      }
      e.getValue().addi(g);
    }
    count++;
  }

  /** Micro-batches added since the last {@link #reset()}. */
  public int count() {
    return count;
  }

  /**
   * Divides the sums by the count, in place, and returns them (live buffers, valid until {@link #reset()}). Call once
   * per optimizer step.
   */
  public Map<String, INDArray> average() {
    if (count == 0) throw new IllegalStateException("no micro-batch gradients to average");
    if (count > 1) for (INDArray s : sums.values()) s.divi((float) count);
    return Collections.unmodifiableMap(sums);
  }

  /** Zeroes the buffers for the next optimizer step. */
  public void reset() {
    for (INDArray s : sums.values()) s.assign(0);
    count = 0;
  }

  @Override
  public void close() {
    for (INDArray s : sums.values()) s.close();
  }
}
