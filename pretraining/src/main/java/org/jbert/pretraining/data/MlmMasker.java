package org.jbert.pretraining.data;

import java.util.Random;
import org.jbert.core.tokenize.Vocab;

/**
 * The masked-LM step of Google's {@code create_pretraining_data.py}, for {@link PretrainingDataGenerator}.
 *
 * <p>Candidates are all positions except [CLS] and [SEP] (with whole-word masking, groups of a
 * piece and the {@code ##} pieces that follow it). {@code num_to_predict = min(max_predictions_per_seq, max(1,
 * round(L * masked_lm_prob)))}, with L the whole length including special tokens and round half to even (Python 3).
 * Candidates are shuffled and taken in order (a whole-word group that would exceed num_to_predict is skipped); each
 * chosen position becomes [MASK] with probability 0.8, stays unchanged with 0.1, and becomes a uniformly random
 * vocabulary id (any id, special tokens included, as in the original) with 0.1. Positions are reported ascending.
 */
final class MlmMasker {
  private final Vocab vocab;
  private final PretrainingDataOptions options;

  MlmMasker(Vocab vocab, PretrainingDataOptions options) {
    this.vocab = vocab;
    this.options = options;
  }

  /** Chooses and applies the masked-LM predictions of {@code tokens} (modified in place). */
  TrainingInstance mask(int[] tokens, int[] segments, boolean randomNext, Random rng) {
    int cls = vocab.clsId();
    int sep = vocab.sepId();
    // Candidate groups as [start, end) position ranges: one position, or a word's pieces with whole-word masking.
    int[] starts = new int[tokens.length];
    int[] ends = new int[tokens.length];
    int groups = 0;
    for (int i = 0; i < tokens.length; i++) {
      int t = tokens[i];
      if (t == cls || t == sep) continue;
      if (options.wholeWordMask() && groups > 0 && ends[groups - 1] == i && vocab.isContinuation(t)) {
        ends[groups - 1] = i + 1;
      } else {
        starts[groups] = i;
        ends[groups] = i + 1;
        groups++;
      }
    }
    int[] order = new int[groups];
    for (int g = 0; g < groups; g++) order[g] = g;
    for (int g = groups - 1; g > 0; g--) {
      int k = rng.nextInt(g + 1);
      int tmp = order[g];
      order[g] = order[k];
      order[k] = tmp;
    }
    int numToPredict = numToPredict(tokens.length);
    int[] original = tokens.clone();
    boolean[] chosen = new boolean[tokens.length];
    int masked = 0;
    for (int g = 0; g < groups && masked < numToPredict; g++) {
      int s = starts[order[g]];
      int e = ends[order[g]];
      if (masked + (e - s) > numToPredict) continue;
      for (int i = s; i < e; i++) {
        chosen[i] = true;
        masked++;
        if (rng.nextDouble() < 0.8) {
          tokens[i] = vocab.maskId();
        } else if (rng.nextDouble() < 0.5) {
          tokens[i] = original[i];
        } else {
          tokens[i] = rng.nextInt(vocab.size());
        }
      }
    }
    int[] positions = new int[masked];
    int[] labels = new int[masked];
    int m = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (chosen[i]) {
        positions[m] = i;
        labels[m++] = original[i];
      }
    }
    return new TrainingInstance(tokens, segments, positions, labels, randomNext);
  }

  /** min(max_predictions_per_seq, max(1, round(length * masked_lm_prob))), rounding half to even as Python 3. */
  int numToPredict(int length) {
    int byProb = (int) Math.rint(length * options.maskedLmProb());
    return Math.min(options.maxPredictionsPerSeq(), Math.max(1, byProb));
  }
}
