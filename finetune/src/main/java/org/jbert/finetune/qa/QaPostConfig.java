package org.jbert.finetune.qa;

import org.jbert.core.JbertException;

/**
 * How {@link QaPostProcessor} turns start/end logits into answers, with the flags and defaults of Google's
 * {@code run_squad.py}.
 *
 * @param nBestSize how many start and how many end positions are tried per feature, and how many answers the n-best
 *     list of an example keeps
 * @param maxAnswerLength the longest answer, in word pieces
 * @param versionTwoWithNegative SQuAD v2.0: questions may have no answer (the [CLS] span is the "null" answer)
 * @param nullScoreDiffThreshold v2.0 only: predict "" when {@code null score - best non-null score} exceeds this
 */
public record QaPostConfig(int nBestSize, int maxAnswerLength, boolean versionTwoWithNegative,
    double nullScoreDiffThreshold) {
  /** SQuAD v1.1 with run_squad.py's defaults: n-best 20, max answer length 30. */
  public static final QaPostConfig V1 = new QaPostConfig(20, 30, false, 0.0);
  /** SQuAD v2.0 with run_squad.py's defaults: n-best 20, max answer length 30, null threshold 0.0. */
  public static final QaPostConfig V2 = new QaPostConfig(20, 30, true, 0.0);

  /** @throws JbertException if a size is not positive or the threshold is not a finite number */
  public QaPostConfig {
    if (nBestSize < 1) throw new JbertException("n_best_size = " + nBestSize + "; expected a positive number");
    if (maxAnswerLength < 1) {
      throw new JbertException("max_answer_length = " + maxAnswerLength + "; expected a positive number");
    }
    if (!Double.isFinite(nullScoreDiffThreshold)) {
      throw new JbertException("null_score_diff_threshold = " + nullScoreDiffThreshold + "; expected a finite number");
    }
  }

  /** This config with another v2.0 null threshold. */
  public QaPostConfig withNullScoreDiffThreshold(double threshold) {
    return new QaPostConfig(nBestSize, maxAnswerLength, versionTwoWithNegative, threshold);
  }
}
