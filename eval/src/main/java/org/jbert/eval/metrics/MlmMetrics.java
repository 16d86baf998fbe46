package org.jbert.eval.metrics;

import org.jbert.core.JbertException;

/**
 * Masked-LM metrics, accumulated over predicted positions as Google BERT's {@code run_pretraining.py} does: accuracy =
 * sum(w * [argmax == label]) / sum(w), mean loss = sum(w * CE) / sum(w) with CE = -log softmax(logits)[label], and
 * perplexity = exp(mean loss). Positions with weight 0 (padding of {@code masked_lm_positions}) do not count.
 */
public final class MlmMetrics {
  private double weightSum, correctSum, lossSum;
  private long positions;

  /**
   * Adds one predicted position.
   *
   * @param logits [V] scores over the vocabulary
   * @param label the original token id, in [0, V)
   * @param weight 1 for a real masked position, 0 for padding
   */
  public MlmMetrics add(float[] logits, int label, double weight) {
    if (label < 0 || label >= logits.length) {
      throw new JbertException("label = " + label + ": expected a token id in [0, " + logits.length + ")");
    }
    if (weight == 0) return this;
    double max = Double.NEGATIVE_INFINITY;
    int arg = 0;
    for (int v = 0; v < logits.length; v++) {
      if (logits[v] > max) {
        max = logits[v];
        arg = v;  // first maximum, as argmax
      }
    }
    double sum = 0;
    for (float l : logits) sum += Math.exp(l - max);
    double ce = Math.log(sum) + max - logits[label];
    return addLoss(ce, arg == label, weight);
  }

  /**
   * Adds positions from a batch: {@code logits} [M,V] for M predicted positions, {@code labels} [M], {@code weights}
   * [M] (null = all 1).
   */
  public MlmMetrics addAll(float[][] logits, int[] labels, float[] weights) {
    if (labels.length != logits.length || (weights != null && weights.length != logits.length)) {
      throw new JbertException("labels/weights have " + labels.length + "/" + (weights == null ? "-" : weights.length)
          + " entries: expected " + logits.length + " as logits rows");
    }
    for (int m = 0; m < logits.length; m++) add(logits[m], labels[m], weights == null ? 1 : weights[m]);
    return this;
  }

  /** Adds a position whose cross-entropy {@code ce} (natural log) and correctness are already known. */
  public MlmMetrics addLoss(double ce, boolean correct, double weight) {
    if (weight < 0 || !Double.isFinite(weight)) throw new JbertException("weight = " + weight + ": expected >= 0");
    if (weight == 0) return this;
    weightSum += weight;
    lossSum += weight * ce;
    if (correct) correctSum += weight;
    positions++;
    return this;
  }

  /** Number of positions with non-zero weight seen. */
  public long positions() {
    return positions;
  }

  /** Weighted accuracy over predicted positions (NaN before any position). */
  public double accuracy() {
    return weightSum == 0 ? Double.NaN : correctSum / weightSum;
  }

  /** Weighted mean cross-entropy in nats (NaN before any position). */
  public double meanLoss() {
    return weightSum == 0 ? Double.NaN : lossSum / weightSum;
  }

  /** exp(mean cross-entropy). */
  public double perplexity() {
    return Math.exp(meanLoss());
  }
}
