package org.jbert.finetune.head;

import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.graph.Ops;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Everything a head needs to build besides the encoder's variables.
 *
 * @param config the encoder config (H = hidden size, initializer range, ...)
 * @param dtype the variables' data type (FLOAT for models, DOUBLE for gradient checks)
 * @param numLabels C, the number of classes or outputs (1 for regression; QA ignores it)
 * @param problemType what the sequence-level loss is (ignored by tagging and QA)
 * @param dropoutRate dropout probability on the head's input while training (HF {@code classifier_dropout}, else
 *     {@code hidden_dropout_prob}; Google's run_classifier uses 0.1)
 * @param labelNames the class names (HF {@code id2label}), C of them, or empty
 * @param options free-form settings for custom heads ({@code head.options} in a run config)
 */
public record HeadContext(BertConfig config, DataType dtype, int numLabels, ProblemType problemType,
    double dropoutRate, java.util.List<String> labelNames, Map<String, String> options) {

  public HeadContext {
    if (config == null) throw new JbertException("head context needs a BertConfig");
    if (numLabels < 1) throw new JbertException("num_labels must be >= 1, got " + numLabels);
    if (!(dropoutRate >= 0 && dropoutRate < 1)) {
      throw new JbertException("head dropout must be in [0, 1), got " + dropoutRate);
    }
    if (problemType == ProblemType.REGRESSION && numLabels != 1) {
      throw new JbertException("problem_type regression needs num_labels 1, got " + numLabels);
    }
    if (problemType != ProblemType.REGRESSION && numLabels == 1) {
      throw new JbertException("problem_type " + problemType.hfName() + " needs num_labels >= 2, got 1");
    }
    if (!labelNames.isEmpty() && labelNames.size() != numLabels) {
      throw new JbertException("id2label has " + labelNames.size() + " names but num_labels is " + numLabels);
    }
    labelNames = java.util.List.copyOf(labelNames);
    options = Map.copyOf(options);
  }

  /**
   * Float32, HF's default problem type for {@code numLabels}, dropout {@code hidden_dropout_prob}, no label names,
   * no options.
   */
  public static HeadContext of(BertConfig config, int numLabels) {
    return new HeadContext(config, DataType.FLOAT, numLabels, ProblemType.defaultFor(numLabels),
        config.hiddenDropoutProb(), java.util.List.of(), Map.of());
  }

  public HeadContext withProblemType(ProblemType p) {
    return new HeadContext(config, dtype, numLabels, p, dropoutRate, labelNames, options);
  }

  public HeadContext withDropoutRate(double rate) {
    return new HeadContext(config, dtype, numLabels, problemType, rate, labelNames, options);
  }

  public HeadContext withLabelNames(java.util.List<String> names) {
    return new HeadContext(config, dtype, numLabels, problemType, dropoutRate, names, options);
  }

  public HeadContext withOptions(Map<String, String> opts) {
    return new HeadContext(config, dtype, numLabels, problemType, dropoutRate, labelNames, opts);
  }

  public HeadContext withDtype(DataType d) {
    return new HeadContext(config, d, numLabels, problemType, dropoutRate, labelNames, options);
  }

  /** H. */
  public int hidden() {
    return config.hiddenSize();
  }

  /**
   * Inverted dropout at {@link #dropoutRate} behind the encoder's train/inference switch
   * ({@link EncoderOutputs#training()}): active only while the model is training.
   */
  public SDVariable dropout(SDVariable x, EncoderOutputs enc) {
    return Ops.dropout(x, enc.training(), dropoutRate);
  }

  /** The option {@code key}, or {@code dflt} when unset. */
  public String option(String key, String dflt) {
    return options.getOrDefault(key, dflt);
  }
}
