package org.jbert.core.kernels;

import org.jbert.core.config.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The computations behind jbert's fused graph ops ({@link org.jbert.core.graph.FusedOp}), on arrays the session
 * has already allocated. Each method writes {@code out} and returns true, or returns false, without touching
 * {@code out}, when this implementation cannot take these shapes or data types; {@link KernelSession} then runs
 * {@link Nd4jKernels} instead (with one logged line per op kind, shape and type).
 *
 * <p>Implementations: {@link Nd4jKernels} (eager libnd4j ops, always available) and the {@code jbert-onednn}
 * module's oneDNN kernels, found through {@link KernelsProvider} (see {@link KernelRuntime}). Legend: B batch,
 * T sequence length, H hidden size, N heads, D = H/N head size, K = B*T rows, I intermediate size.
 */
public interface Kernels {
  /** The kernel path's name, as {@code JBERT_KERNELS} spells it ({@code libnd4j}, {@code onednn}). */
  String name();

  /**
   * Multi-head scaled dot-product attention: per batch row b and head n,
   * {@code softmax(Q_bn K_bn^T * scale + mask_b) V_bn}, where Q_bn [T,D] is columns n*D..n*D+D-1 of the rows of
   * batch b in {@code q}.
   *
   * @param q queries [K,H]
   * @param k keys [K,H]
   * @param v values [K,H]
   * @param mask additive mask [B,1,1,T] (0 for real keys, -10000 for padding)
   * @param heads N
   * @param scale the factor of the scores (1/sqrt(D))
   * @param out context [K,H], heads side by side as in {@code q}
   */
  boolean attention(INDArray q, INDArray k, INDArray v, INDArray mask, int heads, double scale, INDArray out);

  /**
   * {@code act(x @ w + b)}.
   *
   * @param x [K,in]
   * @param w [in,out]
   * @param b [out]
   * @param act the activation, or null for none
   * @param out [K,out]
   */
  boolean dense(INDArray x, INDArray w, INDArray b, Activation act, INDArray out);

  /**
   * LayerNorm over the last axis of {@code x + residual}: {@code (s - mean) / sqrt(var + eps) * gamma + beta}.
   *
   * @param x [K,H]
   * @param residual [K,H], or null for none
   * @param gamma [H]
   * @param beta [H]
   * @param out [K,H]
   */
  boolean layerNorm(INDArray x, INDArray residual, INDArray gamma, INDArray beta, double eps, INDArray out);
}
