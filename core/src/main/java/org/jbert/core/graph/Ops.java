package org.jbert.core.graph;

import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.random.custom.DistributionUniform;

/**
 * The building blocks shared by the encoder and the task heads: dense layers, LayerNorm with an explicit epsilon,
 * the GELU variants, inverted dropout behind a training switch, and an embedding lookup with a working gradient.
 * Every method adds ops to the SameDiff of its inputs; none creates variables.
 */
public final class Ops {
  private Ops() {}

  /** {@code x @ kernel + bias}: x [K,in], kernel [in,out], bias [out] -> [K,out]. */
  public static SDVariable dense(SDVariable x, SDVariable kernel, SDVariable bias) {
    return x.mmul(kernel).add(bias);
  }

  /**
   * {@code x @ weights^T + bias} with weights in [out,in] layout, as Google's heads compute with
   * {@code tf.matmul(x, output_weights, transpose_b=True)} (NSP, run_classifier, run_squad) and as HF's
   * {@code nn.Linear} stores them: x [K,in], weights [out,in], bias [out] -> [K,out].
   */
  public static SDVariable outputLayer(SDVariable x, SDVariable weights, SDVariable bias) {
    return x.getSameDiff().mmul(x, weights, false, true, false).add(bias);
  }

  /**
   * LayerNorm over the last axis with epsilon inside the square root, as in TF and PyTorch:
   * {@code (x - mean) / sqrt(var + eps) * gamma + beta}. Built from mean/variance ops because SameDiff's fused
   * {@code layerNorm} takes no epsilon. x [..., H], gamma and beta [H].
   */
  public static SDVariable layerNorm(SDVariable x, SDVariable gamma, SDVariable beta, double eps) {
    SameDiff sd = x.getSameDiff();
    SDVariable mean = sd.mean(x, true, -1);
    SDVariable centered = x.sub(mean);
    SDVariable variance = sd.mean(centered.mul(centered), true, -1);
    SDVariable std = sd.math().sqrt(variance.add(eps));
    return centered.div(std).mul(gamma).add(beta);
  }

  /** The feed-forward activation of {@code act}, elementwise. */
  public static SDVariable activation(SDVariable x, Activation act) {
    SameDiff sd = x.getSameDiff();
    return switch (act) {
      case GELU_TANH -> {
        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) as x * (0.5 tanh(x * (c + c*0.044715 x^2)) + 0.5):
        // 8 elementwise passes (no pow, which is slow), the tanh that oneDNN builds vectorize, and 3 arrays of
        // [B*T,I] kept for the backward pass besides x (c + ... x^2, tanh, its affine map) instead of 4.
        double c = Math.sqrt(2 / Math.PI);
        SDVariable inner = x.mul(x.mul(x).mul(c * 0.044715).add(c));
        yield x.mul(tanh(inner).mul(0.5).add(0.5));
      }
      case GELU_ERF -> x.mul(0.5).mul(sd.math().erf(x.mul(1 / Math.sqrt(2))).add(1.0));
      case RELU -> sd.nn().relu(x, 0);
    };
  }

  /** Elementwise tanh through the declarable op ({@link NativeTanh}: vectorized in nd4j's oneDNN builds). */
  public static SDVariable tanh(SDVariable x) {
    return new NativeTanh(x.getSameDiff(), x).outputVariable();
  }

  /**
   * Inverted dropout: while {@code training} is 1, each element is zeroed with probability {@code rate} and the rest
   * scaled by 1/(1-rate); while it is 0 the input passes through unchanged. The mask comes from
   * {@code random().uniform} over the dynamic shape of x, so the op has a gradient (unlike {@code nn().dropout}).
   *
   * @param training a scalar of x's dtype holding 0 or 1
   * @param rate drop probability in [0,1); 0 returns x itself
   */
  public static SDVariable dropout(SDVariable x, SDVariable training, double rate) {
    if (rate == 0) return x;
    checkRate(rate);
    return x.mul(dropoutFactor(x.getSameDiff().shape(x), training, rate, x.dataType()));
  }

  /**
   * The factor {@link #dropout} multiplies by, of the given dynamic shape: {@code training * keep + (1 - training)},
   * where keep is 0 with probability {@code rate} and 1/(1-rate) otherwise, drawn by a {@code random().uniform} op
   * ({@link DropoutSeeds} seeds it from the op's name, so a graph that makes its factor under the same name scope
   * draws the same mask).
   *
   * @param shape the shape of the masked array (an integer vector)
   * @param training a scalar of {@code dt} holding 0 or 1
   * @param rate drop probability in (0,1)
   */
  public static SDVariable dropoutFactor(SDVariable shape, SDVariable training, double rate, DataType dt) {
    checkRate(rate);
    SameDiff sd = shape.getSameDiff();
    SDVariable u = new DistributionUniform(sd, shape, 0.0, 1.0, dt).outputVariable();
    SDVariable keep = sd.castTo(u.gte(rate), dt).mul(1.0 / (1.0 - rate));
    return keep.sub(1.0).mul(training).add(1.0);
  }

  private static void checkRate(double rate) {
    if (!(rate > 0 && rate < 1)) throw new JbertException("dropout rate must be in [0, 1), got " + rate);
  }

  /**
   * Rows of {@code table} [R,H] picked by {@code ids} [K] (int) -> [K,H], with a gradient for the table that also
   * works inside {@code SameDiff.fit}.
   */
  public static SDVariable embeddingLookup(SDVariable table, SDVariable ids) {
    return new EmbeddingGather(table.getSameDiff(), table, ids).outputVariable();
  }
}
