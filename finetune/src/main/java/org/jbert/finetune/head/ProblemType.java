package org.jbert.finetune.head;

import org.jbert.core.JbertException;

/** What a sequence-level head predicts, named as Hugging Face's {@code problem_type}. */
public enum ProblemType {
  /** One class of C per example: softmax cross-entropy, labels int [B] in [0,C). */
  SINGLE_LABEL_CLASSIFICATION("single_label_classification"),
  /** A real number per example (C = 1): mean squared error, labels float [B]. */
  REGRESSION("regression"),
  /** Any subset of C classes: sigmoid binary cross-entropy averaged over B*C, labels float [B,C] of 0/1. */
  MULTI_LABEL_CLASSIFICATION("multi_label_classification");

  private final String hfName;

  ProblemType(String hfName) {
    this.hfName = hfName;
  }

  /** The name in HF's config.json. */
  public String hfName() {
    return hfName;
  }

  /** HF's default when config.json has no problem_type: regression for one label, else single-label. */
  public static ProblemType defaultFor(int numLabels) {
    return numLabels == 1 ? REGRESSION : SINGLE_LABEL_CLASSIFICATION;
  }

  /** Parses HF's name; {@code where} names the file/key for the error message. */
  public static ProblemType fromHfName(String name, String where) {
    for (ProblemType p : values()) {
      if (p.hfName.equals(name)) return p;
    }
    throw new JbertException(where + ": problem_type '" + name + "' is not supported; expected "
        + "single_label_classification, regression or multi_label_classification");
  }
}
