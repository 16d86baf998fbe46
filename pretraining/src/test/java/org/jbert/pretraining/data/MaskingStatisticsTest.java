package org.jbert.pretraining.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Vocab;
import org.jbert.datasets.EmailCorpus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Masking and next-sentence statistics over a real corpus: SpamAssassin ham emails (see {@link EmailCorpus}),
 * more than 100k masked positions. Expected values are the design rates of Google's create_pretraining_data.py.
 *
 * <p>Measured here (1359 emails, dupe 2, seed 12345, bundled uncased vocabulary): 15224 instances, 258437 masked
 * positions; 14.867% of tokens selected (15.268% of non-special tokens), [MASK] 79.857%, unchanged 10.011%, random
 * 10.132%; random next 56.687% overall, of which 2057 instances forced by one-sentence chunks, 49.920% where the coin
 * is flipped. Whole-word masking (dupe 1): 128979 masked, 14.861% of tokens, no word masked in part.
 */
class MaskingStatisticsTest {
  @TempDir static Path dir;
  static Path corpus;
  static int documents;
  static final BertTokenizer BERT = new BertTokenizer(Vocab.bundled("bert-base-uncased"), true);
  static final Vocab VOCAB = BERT.vocab();

  @BeforeAll
  static void corpus() throws Exception {
    corpus = dir.resolve("spam-assassin-easy-ham-1.txt");
    documents = EmailCorpus.writeCorpus("easy-ham-1", 2500, 8, corpus);
  }

  static final class Tally {
    long instances, tokens, candidates, masked, maskToken, unchanged, random, randomNext;
    long wrongPosition;
    PretrainingDataStats stats;
  }

  static Tally run(PretrainingDataOptions options) {
    Vocab vocab = VOCAB;
    Tally t = new Tally();
    t.stats = PretrainingDataGenerator.forBert(BERT, options).generate(corpus, inst -> {
      int n = inst.length();
      t.instances++;
      t.tokens += n;
      t.candidates += n - 3;
      if (inst.randomNext()) t.randomNext++;
      int prev = -1;
      for (int k = 0; k < inst.maskedLmPositions().length; k++) {
        int pos = inst.maskedLmPositions()[k];
        int label = inst.maskedLmIds()[k];
        boolean special = label == vocab.clsId() || label == vocab.sepId() || label == vocab.id(Vocab.PAD).orElse(-1);
        if (pos <= prev || pos <= 0 || pos >= n - 1 || special) t.wrongPosition++;
        prev = pos;
        t.masked++;
        int now = inst.inputIds()[pos];
        if (now == vocab.maskId()) t.maskToken++;
        else if (now == label) t.unchanged++;
        else t.random++;
      }
    });
    return t;
  }

  @Test
  void maskingAndNextSentenceRatesMatchTheOriginal() {
    // max_predictions_per_seq 128 so that the cap never binds: num_to_predict = round(0.15 * L) for every instance.
    Tally t = run(PretrainingDataOptions.defaults().withDupeFactor(2).withMaxPredictionsPerSeq(128));
    double selected = 100.0 * t.masked / t.tokens;
    double ofCandidates = 100.0 * t.masked / t.candidates;
    double mask = 100.0 * t.maskToken / t.masked;
    double unchanged = 100.0 * t.unchanged / t.masked;
    double random = 100.0 * t.random / t.masked;
    double nsp = 100.0 * t.randomNext / t.instances;
    // The original takes a random B without a coin flip when the chunk is one sentence; the coin decides the rest.
    long forced = t.stats.forcedRandomNext();
    double coin = 100.0 * (t.randomNext - forced) / (t.instances - forced);
    System.out.printf("documents %d instances %d tokens %d masked %d: selected %.3f%% of tokens (%.3f%% of"
            + " candidates), [MASK] %.3f%%, unchanged %.3f%%, random %.3f%%, NSP random %.3f%% (%d forced by"
            + " one-sentence chunks; coin-flipped %.3f%%)%n",
        documents, t.instances, t.tokens, t.masked, selected, ofCandidates, mask, unchanged, random, nsp, forced,
        coin);
    assertTrue(t.masked >= 100_000, "masked positions " + t.masked);
    assertEquals(0, t.wrongPosition, "masked positions outside the real non-special tokens, or unsorted");
    assertEquals(t.instances, t.stats.instances());
    assertEquals(t.masked, t.stats.maskedPositions());
    assertEquals(t.randomNext, t.stats.randomNext());
    assertEquals(15.0, selected, 0.5, "selected % of tokens (the original's definition: L * masked_lm_prob)");
    assertEquals(15.0, ofCandidates, 0.5, "selected % of candidate (non-special) tokens");
    assertEquals(80.0, mask, 1.0, "[MASK] %");
    assertEquals(10.0, unchanged, 1.0, "unchanged %");
    assertEquals(10.0, random, 1.0, "random %");
    assertEquals(50.0, coin, 1.0, "random next % where the coin is flipped (chunks of 2+ sentences)");
    assertTrue(forced > 0, "email bodies end in one-sentence chunks, which force a random B");
    double expectedOverall = 100.0 * (forced + 0.5 * (t.instances - forced)) / t.instances;
    assertEquals(expectedOverall, nsp, 1.0, "overall random next % (forced + half of the rest)");
  }

  @Test
  void wholeWordMaskingOnRealTextMasksWholeWordsAtTheSameRate() {
    Vocab vocab = VOCAB;
    long[] tokens = new long[1];
    long[] masked = new long[1];
    long[] partial = new long[1];
    long[] multiPiece = new long[1];
    PretrainingDataOptions o = PretrainingDataOptions.defaults().withDupeFactor(1).withWholeWordMask(true);
    PretrainingDataGenerator.forBert(BERT, o).generate(corpus, inst -> {
      tokens[0] += inst.length();
      masked[0] += inst.maskedLmPositions().length;
      int[] ids = inst.inputIds().clone();
      boolean[] isMasked = new boolean[ids.length];
      for (int k = 0; k < inst.maskedLmPositions().length; k++) {
        ids[inst.maskedLmPositions()[k]] = inst.maskedLmIds()[k];
        isMasked[inst.maskedLmPositions()[k]] = true;
      }
      for (int i = 1; i < ids.length; ) {
        if (ids[i] == vocab.sepId()) {
          i++;
          continue;
        }
        int end = i + 1;
        while (end < ids.length && vocab.isContinuation(ids[end])) end++;
        int in = 0;
        for (int k = i; k < end; k++) if (isMasked[k]) in++;
        if (in > 0 && in < end - i) partial[0]++;
        if (in == end - i && in > 1) multiPiece[0]++;
        i = end;
      }
    });
    double selected = 100.0 * masked[0] / tokens[0];
    System.out.printf("whole-word masking: %d masked, %.3f%% of tokens, %d multi-piece words masked whole%n",
        masked[0], selected, multiPiece[0]);
    assertEquals(0, partial[0], "words masked in part");
    assertTrue(multiPiece[0] > 1000, "multi-piece words masked whole: " + multiPiece[0]);
    // Whole words that would overshoot num_to_predict are skipped, so slightly fewer than 15% may be selected.
    assertEquals(15.0, selected, 0.5, "selected % of tokens");
  }
}
