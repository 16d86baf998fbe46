package org.jbert.core.config;

/**
 * The feed-forward activation. Which GELU a checkpoint means depends on where it came from: Google's
 * {@code bert_config.json} "gelu" is the tanh approximation (google-research/bert {@code modeling.gelu}), while
 * Hugging Face's "gelu" is the exact erf form and its "gelu_new"/"gelu_pytorch_tanh" are tanh.
 */
public enum Activation {
  /** {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
  GELU_TANH,
  /** {@code 0.5 x (1 + erf(x / sqrt(2)))}. */
  GELU_ERF,
  RELU;

  /** The name written back into a jbert or Hugging Face config. */
  public String hfName() {
    return switch (this) {
      case GELU_TANH -> "gelu_new";
      case GELU_ERF -> "gelu";
      case RELU -> "relu";
    };
  }
}
