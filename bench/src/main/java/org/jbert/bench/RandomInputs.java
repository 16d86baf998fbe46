package org.jbert.bench;

import java.util.Random;

/** Benchmark inputs: [B,T] token ids where every token is real (no padding). Speed does not depend on the ids. */
final class RandomInputs {
  private RandomInputs() {}

  /**
   * [B][T] ids drawn uniformly from [lo, V), lo = 999 when V > 1998 (ids below 999 are [PAD], [unusedN] and the
   * specials in Google's vocabularies), else V/2.
   */
  static int[][] randomIds(int b, int t, int vocabSize, Random rnd) {
    int lo = vocabSize > 1998 ? 999 : vocabSize / 2;
    int[][] ids = new int[b][t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) ids[i][j] = lo + rnd.nextInt(vocabSize - lo);
    }
    return ids;
  }

  /** [B][T] of 1 (an input_mask with every token real). */
  static int[][] ones(int b, int t) {
    int[][] m = new int[b][t];
    for (int[] row : m) java.util.Arrays.fill(row, 1);
    return m;
  }
}
