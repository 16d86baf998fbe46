package org.jbert.bench;

import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;

/**
 * The arithmetic a BERT forward pass and a training step need, counted the way throughput is usually stated (a
 * multiply-add is 2 FLOPs; only matrix products count). It is the model's work, not what an implementation happens to
 * execute: element-wise ops (GELU, LayerNorm, softmax, bias add, dropout), the embedding lookups and the optimizer
 * update are left out; they are O(B*T*H) or O(params) against the O(B*T*H^2) of the matrix products.
 *
 * <p>Legend: B batch, T sequence length (every token real), L layers, H hidden, I intermediate, C classes. Per layer
 * and sequence:
 *
 * <pre>
 *   Q, K, V projections      3 x 2*T*H*H   = 6*T*H^2
 *   scores Q K^T             N x 2*T*T*D   = 2*T^2*H      (D = H/N)
 *   probabilities x V        N x 2*T*T*D   = 2*T^2*H
 *   attention output dense   2*T*H*H       = 2*T*H^2
 *   intermediate + output    2 x 2*T*H*I   = 4*T*H*I
 *   layer total                              8*T*H^2 + 4*T*H*I + 4*T^2*H
 * </pre>
 *
 * The first two terms are 2 x (the layer's weight-matrix parameters 4H^2 + 2HI) x T, so the forward pass is
 * "2 x params x tokens" over the encoder's weight matrices plus the attention terms 4*T^2*H per layer. On top: the
 * pooler 2*H^2 and the classifier 2*H*C per sequence (on [CLS] only). So
 *
 * <pre>
 *   forward(B, T)  = B * ( L * (8*T*H^2 + 4*T*H*I + 4*T^2*H) + 2*H^2 + 2*H*C )
 *   training(B, T) = 3 * forward(B, T)
 * </pre>
 *
 * The factor 3: the backward pass computes, for every matrix product, one product for the gradient of its input and
 * one for the gradient of its weight, each as large as the forward one. BERT-base (L=12, H=768, I=3072) at T=128:
 * 22.35 GFLOP per sequence for the encoder, so a B=32 fine-tuning step is 3 x 32 x 22.35 = 2.145 TFLOP.
 */
public final class Flops {
  private Flops() {}

  /** The encoder's L layers for one sequence of T tokens: L * (8*T*H^2 + 4*T*H*I + 4*T^2*H). */
  public static long encoderForward(BertConfig c, int t) {
    if (t < 1) throw new JbertException("sequence length " + t + "; expected >= 1");
    long h = c.hiddenSize(), i = c.intermediateSize(), l = c.numHiddenLayers(), tt = t;
    return l * (8 * tt * h * h + 4 * tt * h * i + 4 * tt * tt * h);
  }

  /**
   * A sequence-classification forward pass of B sequences of T tokens: encoder, pooler (2*H^2) and classifier
   * (2*H*C) per sequence.
   */
  public static long classifierForward(BertConfig c, int b, int t, int numLabels) {
    if (b < 1) throw new JbertException("batch size " + b + "; expected >= 1");
    long h = c.hiddenSize();
    return b * (encoderForward(c, t) + 2 * h * h + 2 * h * numLabels);
  }

  /** The encoder's inference forward pass with the pooler (what TF Hub's module returns): B * (encoder + 2*H^2). */
  public static long inferenceForward(BertConfig c, int b, int t) {
    return classifierForward(c, b, t, 0);
  }

  /** One fine-tuning step (forward, backward) of a sequence classifier: 3 x {@link #classifierForward}. */
  public static long trainingStep(BertConfig c, int b, int t, int numLabels) {
    return 3 * classifierForward(c, b, t, numLabels);
  }
}
