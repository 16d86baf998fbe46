package org.jbert.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbert.core.JbertException;
import org.jbert.core.io.Npz;
import org.jbert.core.tokenize.Features;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batching and gathering with a stand-in model whose outputs are known functions of the inputs: per row the sum of
 * its ids ([b,1]); per token (id, position, 1) ([b,bt,3]).
 */
class RowBatchesTest {
  // Real lengths 5, 2, 4 (row 2's mask has a gap: its last real token is at position 3).
  private static final Features F = new Features(
      new int[][] {{2, 7, 8, 9, 3, 0}, {2, 3, 0, 0, 0, 0}, {2, 5, 0, 3, 0, 0}},
      new int[][] {{1, 1, 1, 1, 1, 0}, {1, 1, 0, 0, 0, 0}, {1, 1, 0, 1, 0, 0}},
      new int[3][6]);

  private static Map<String, INDArray> model(RowBatches.Batch b) {
    int n = b.size(), t = b.length();
    float[][] sum = new float[n][1];
    float[][][] tok = new float[n][t][3];
    for (int k = 0; k < n; k++) {
      for (int i = 0; i < t; i++) {
        sum[k][0] += b.inputWordIds()[k][i];
        tok[k][i] = new float[] {b.inputWordIds()[k][i], i, 1};
      }
    }
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put("per_row", Nd4j.createFromArray(sum));
    m.put("per_token", Nd4j.createFromArray(tok));
    return m;
  }

  @Test
  void realLengthKeepsTokensAfterAMaskGap() {
    assertEquals(5, RowBatches.realLength(F.inputMask()[0]));
    assertEquals(4, RowBatches.realLength(F.inputMask()[2]));
    assertEquals(0, RowBatches.realLength(new int[] {0, 0}));
  }

  @Test
  void trimmedBatchesAreSortedByLengthAndCutToTheirLongestRow() {
    List<RowBatches.Batch> bs = RowBatches.of(F, 2, true);
    assertEquals(2, bs.size());
    assertArrayEquals(new int[] {1, 2}, bs.get(0).rows(), "shortest rows first");
    assertEquals(4, bs.get(0).length());
    assertArrayEquals(new int[] {0}, bs.get(1).rows());
    assertEquals(5, bs.get(1).length());
    List<RowBatches.Batch> fixed = RowBatches.of(F, 2, false);
    assertArrayEquals(new int[] {0, 1}, fixed.get(0).rows(), "input order");
    assertEquals(6, fixed.get(0).length());
  }

  @Test
  void gatherPutsRowsBackInInputOrderAndZeroesPaddedPositionsWhenTrimmed() {
    Map<String, Npz.Array> g = RowBatches.gather(F, 2, true, Set.of("per_token"), RowBatchesTest::model);
    assertEquals(List.of("per_row", "per_token"), new ArrayList<>(g.keySet()));
    assertArrayEquals(new long[] {3, 1}, g.get("per_row").shape());
    // Sums over the batch length: row 0 to 5, row 1 and row 2 to 4 (their batch); padding ids are 0 anyway.
    assertArrayEquals(new float[] {29, 5, 10}, g.get("per_row").floats());
    assertArrayEquals(new long[] {3, 6, 3}, g.get("per_token").shape());
    float[] tok = g.get("per_token").floats();
    for (int r = 0; r < 3; r++) {
      for (int i = 0; i < 6; i++) {
        int at = (r * 6 + i) * 3;
        if (F.inputMask()[r][i] == 1) {
          assertArrayEquals(new float[] {F.inputWordIds()[r][i], i, 1}, new float[] {tok[at], tok[at + 1],
              tok[at + 2]}, "row " + r + " position " + i);
        } else {
          assertArrayEquals(new float[3], new float[] {tok[at], tok[at + 1], tok[at + 2]}, "padded: 0");
        }
      }
    }
  }

  @Test
  void untrimmedGatherKeepsWhatTheModelComputesAtPaddedPositions() {
    Map<String, Npz.Array> g = RowBatches.gather(F, 2, false, Set.of("per_token"), RowBatchesTest::model);
    float[] tok = g.get("per_token").floats();
    int at = (1 * 6 + 5) * 3; // row 1, position 5: padding
    assertArrayEquals(new float[] {0, 5, 1}, new float[] {tok[at], tok[at + 1], tok[at + 2]});
  }

  @Test
  void batchesThatDisagreeOnAnOutputShapeFail() {
    JbertException e = assertThrows(JbertException.class, () -> RowBatches.gather(F, 2, true, Set.of(),
        b -> Map.of("x", Nd4j.zeros(b.size(), b.length()))));
    assertTrue(e.getMessage().contains("output x has shape [1, 5]"), e.getMessage());
  }
}
