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
   * {@code (softmax(Q_bn K_bn^T * scale + mask_b) * keep_bn) V_bn}, where Q_bn [T,D] is columns n*D..n*D+D-1 of the
   * rows of batch b in {@code q}.
   *
   * @param q queries [K,H]
   * @param k keys [K,H]
   * @param v values [K,H]
   * @param mask additive mask [B,1,1,T] (0 for real keys, -10000 for padding)
   * @param keep the attention-probability dropout factor [B,N,T,T] (0 or 1/(1-rate) while training, 1 while not),
   *     multiplied into the probabilities elementwise; null for none (inference graphs: nothing is applied)
   * @param heads N
   * @param scale the factor of the scores (1/sqrt(D))
   * @param out context [K,H], heads side by side as in {@code q}
   */
  boolean attention(INDArray q, INDArray k, INDArray v, INDArray mask, INDArray keep, int heads, double scale,
      INDArray out);

  /**
   * The gradient of {@link #attention} for the context's gradient {@code dctx} [K,H]: the probabilities P are
   * recomputed, then dV = (P*keep)^T dC, dP = (dC V^T) * keep, dS = P * (dP - rowsum(dP * P)) (the softmax
   * backward), dQ = dS K * scale, dK = dS^T Q * scale and dmask = the sum of dS over heads and query rows. The keep
   * factor is a sample, not a function of the inputs: it gets no gradient.
   *
   * @param dq [K,H]
   * @param dk [K,H]
   * @param dv [K,H]
   * @param dmask [B,1,1,T]
   */
  boolean attentionGrad(INDArray q, INDArray k, INDArray v, INDArray mask, INDArray keep, INDArray dctx, int heads,
      double scale, INDArray dq, INDArray dk, INDArray dv, INDArray dmask);

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
   * The gradient of {@link #dense} for the output's gradient {@code dy} [K,out]: the pre-activation z = x w + b is
   * recomputed (with an activation), dz = dy * act'(z), dx = dz w^T, dw = x^T dz, db = the column sums of dz.
   *
   * @param dx [K,in]
   * @param dw [in,out]
   * @param db [out]
   */
  boolean denseGrad(INDArray x, INDArray w, INDArray b, Activation act, INDArray dy, INDArray dx, INDArray dw,
      INDArray db);

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

  /**
   * The gradient of {@link #layerNorm} for the output's gradient {@code dy} [K,H]: with s = x + residual,
   * x^ = (s - mean) / sqrt(var + eps) and g = dy * gamma, ds = (g - mean(g) - x^ mean(g x^)) / sqrt(var + eps) (also
   * the residual's gradient), dgamma = the column sums of dy * x^, dbeta = the column sums of dy.
   *
   * @param residual [K,H], or null for none
   * @param ds [K,H]
   * @param dgamma [H]
   * @param dbeta [H]
   */
  boolean layerNormGrad(INDArray x, INDArray residual, INDArray gamma, double eps, INDArray dy, INDArray ds,
      INDArray dgamma, INDArray dbeta);
}
