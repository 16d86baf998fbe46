package org.jbert.pretraining.data;

import org.jbert.core.JbertException;

/**
 * Options of pretraining-data generation, with the defaults of Google's {@code create_pretraining_data.py}. Validated
 * on construction: a bad value is a {@link JbertException} naming the option (by its command-line flag name) and the
 * accepted range.
 *
 * @param maxSeqLength T, the length every instance is padded to; {@code [CLS] A [SEP] B [SEP]} holds at most
 *     T - 3 word pieces. At least {@value #MIN_MAX_SEQ_LENGTH} (the original draws a short target from
 *     {@code [2, T - 3]}). Default 128.
 * @param maxPredictionsPerSeq the cap on masked positions per instance, and the length that masked_lm_positions,
 *     masked_lm_ids and masked_lm_weights are padded to. At least 1. Default 20.
 * @param maskedLmProb the fraction of an instance's length (special tokens included, as in the original) that is
 *     selected for prediction: {@code num_to_predict = min(maxPredictionsPerSeq, max(1, round(len * p)))}. In (0, 1).
 *     Default 0.15.
 * @param dupeFactor how many times each document is turned into instances, each time with other segment splits and
 *     masks. At least 1. Default 10.
 * @param shortSeqProb the probability that an instance aims at a random shorter length in {@code [2, T - 3]} instead
 *     of T - 3 (to reduce the mismatch with short fine-tuning inputs). In [0, 1]. Default 0.1.
 * @param wholeWordMask mask all word pieces of a word together (a word is a piece plus the {@code ##} pieces that
 *     follow it). Default false.
 * @param seed seed of the single {@link java.util.Random} that drives every random choice; the same seed, corpus,
 *     vocabulary and options give byte-identical output. Default 12345.
 * @param shardDocuments the corpus is processed in shards of about this many documents (between half and one and a
 *     half times it; the whole corpus when it is smaller) so that memory stays bounded; documents are shuffled, and
 *     the random "B" segment of a random-next pair is drawn, within the shard (the original shuffles and draws from
 *     the whole corpus). At least 1. Default 10000.
 */
public record PretrainingDataOptions(
    int maxSeqLength,
    int maxPredictionsPerSeq,
    double maskedLmProb,
    int dupeFactor,
    double shortSeqProb,
    boolean wholeWordMask,
    long seed,
    int shardDocuments) {

  /** The smallest max_seq_length: [CLS], [SEP], [SEP] and a target length of at least 2. */
  public static final int MIN_MAX_SEQ_LENGTH = 5;

  public PretrainingDataOptions {
    if (maxSeqLength < MIN_MAX_SEQ_LENGTH) {
      throw new JbertException("max-seq-length " + maxSeqLength + " is too small; expected at least "
          + MIN_MAX_SEQ_LENGTH + " ([CLS] A [SEP] B [SEP] with A and B non-empty and a target of at least 2)");
    }
    if (maxPredictionsPerSeq < 1) {
      throw new JbertException("max-predictions-per-seq " + maxPredictionsPerSeq
          + " is invalid; expected at least 1 (every instance predicts at least one token)");
    }
    if (!(maskedLmProb > 0 && maskedLmProb < 1)) {
      throw new JbertException("masked-lm-prob " + maskedLmProb + " is invalid; expected a value in (0, 1)");
    }
    if (dupeFactor < 1) {
      throw new JbertException("dupe-factor " + dupeFactor + " is invalid; expected at least 1");
    }
    if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) {
      throw new JbertException("short-seq-prob " + shortSeqProb + " is invalid; expected a value in [0, 1]");
    }
    if (shardDocuments < 1) {
      throw new JbertException("shard-documents " + shardDocuments + " is invalid; expected at least 1");
    }
  }

  /** The defaults of the original: 128, 20, 0.15, 10, 0.1, no whole-word masking, seed 12345; shards of 10000. */
  public static PretrainingDataOptions defaults() {
    return new PretrainingDataOptions(128, 20, 0.15, 10, 0.1, false, 12345L, 10_000);
  }

  public PretrainingDataOptions withMaxSeqLength(int v) {
    return new PretrainingDataOptions(v, maxPredictionsPerSeq, maskedLmProb, dupeFactor, shortSeqProb,
        wholeWordMask, seed, shardDocuments);
  }

  public PretrainingDataOptions withMaxPredictionsPerSeq(int v) {
    return new PretrainingDataOptions(maxSeqLength, v, maskedLmProb, dupeFactor, shortSeqProb, wholeWordMask,
        seed, shardDocuments);
  }

  public PretrainingDataOptions withMaskedLmProb(double v) {
    return new PretrainingDataOptions(maxSeqLength, maxPredictionsPerSeq, v, dupeFactor, shortSeqProb,
        wholeWordMask, seed, shardDocuments);
  }

  public PretrainingDataOptions withDupeFactor(int v) {
    return new PretrainingDataOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, v, shortSeqProb,
        wholeWordMask, seed, shardDocuments);
  }

  public PretrainingDataOptions withShortSeqProb(double v) {
    return new PretrainingDataOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, dupeFactor, v,
        wholeWordMask, seed, shardDocuments);
  }

  public PretrainingDataOptions withWholeWordMask(boolean v) {
    return new PretrainingDataOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, dupeFactor, shortSeqProb,
        v, seed, shardDocuments);
  }

  public PretrainingDataOptions withSeed(long v) {
    return new PretrainingDataOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, dupeFactor, shortSeqProb,
        wholeWordMask, v, shardDocuments);
  }

  public PretrainingDataOptions withShardDocuments(int v) {
    return new PretrainingDataOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, dupeFactor, shortSeqProb,
        wholeWordMask, seed, v);
  }
}
