package org.jbert.finetune.qa;

import org.jbert.core.JbertException;

/**
 * How {@link QaFeatureBuilder} cuts examples into model inputs, with the flags and defaults of Google's
 * {@code run_squad.py}.
 *
 * @param maxSeqLength T, the length of every feature: [CLS] question [SEP] context window [SEP] then padding
 * @param maxQueryLength questions longer than this many word pieces keep only their first {@code maxQueryLength}
 * @param docStride the step, in word pieces, from one context window's start to the next (windows overlap when it is
 *     smaller than the room left for the context, {@code maxSeqLength - question length - 3})
 */
public record QaFeatureConfig(int maxSeqLength, int maxQueryLength, int docStride) {
  /** run_squad.py's defaults: 384, 64, 128. */
  public static final QaFeatureConfig DEFAULTS = new QaFeatureConfig(384, 64, 128);

  /** @throws JbertException if a size is not positive or no context token would fit next to a full-length question */
  public QaFeatureConfig {
    if (maxQueryLength < 1) {
      throw new JbertException("max_query_length = " + maxQueryLength + "; expected a positive number");
    }
    if (docStride < 1) throw new JbertException("doc_stride = " + docStride + "; expected a positive number");
    if (maxSeqLength < maxQueryLength + 4) {
      throw new JbertException("max_seq_length = " + maxSeqLength + " leaves no room for context after a question of"
          + " max_query_length = " + maxQueryLength + "; expected max_seq_length >= max_query_length + 4");
    }
  }
}
