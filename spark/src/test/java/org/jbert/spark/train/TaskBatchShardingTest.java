package org.jbert.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jbert.finetune.Batch;
import org.jbert.finetune.head.Labels;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link TaskBatchSharding#join}: rows cut from a batch padded to the longest example, joined and cut to a narrower
 * width, equal the batch built from those rows alone (as {@link CachedExamples} relies on): ids with a non-zero pad
 * id, masks, types, per-position tag ids (-100 past a row's end) and per-row labels, exactly.
 */
class TaskBatchShardingTest {
  static final int PAD = 7;
  static final int[] LENGTHS = {5, 9, 3, 6};

  /** A tagging batch of {@code rows} padded to their longest, as finetune's TaggingData pads. */
  static Batch tagging(int... rows) {
    int t = 0;
    for (int r : rows) t = Math.max(t, LENGTHS[r]);
    int[][] ids = new int[rows.length][t], mask = new int[rows.length][t], types = new int[rows.length][t],
        tags = new int[rows.length][t];
    for (int k = 0; k < rows.length; k++) {
      Arrays.fill(ids[k], PAD);
      Arrays.fill(tags[k], -100);
      for (int i = 0; i < LENGTHS[rows[k]]; i++) {
        ids[k][i] = 10 * rows[k] + i;
        mask[k][i] = 1;
        types[k][i] = i % 2;
        tags[k][i] = (rows[k] + i) % 3;
      }
    }
    return Batch.tagging(ids, mask, types, tags);
  }

  @Test
  void joinedRowsEqualTheBatchOfThoseRows() {
    TaskBatchSharding sh = new TaskBatchSharding();
    List<TaskBatchSharding.Share> rows;
    try (Batch padded = tagging(1, 0, 2, 3)) { // row 1 is the longest
      rows = sh.split(padded, 4);
    }
    assertEquals(9, sh.width(rows.get(0)));
    assertEquals(9, sh.width(rows.get(2)), "rows keep the longest example's width");
    try (Batch want = tagging(3, 0, 2); Batch got = sh.batch(sh.join(List.of(rows.get(3), rows.get(1), rows.get(2)),
        6))) {
      assertArrayEquals(want.inputWordIds(), got.inputWordIds());
      assertArrayEquals(want.inputMask(), got.inputMask());
      assertArrayEquals(want.inputTypeIds(), got.inputTypeIds());
      INDArray a = want.labels().get(Labels.LABELS), b = got.labels().get(Labels.LABELS);
      assertEquals(a.dataType(), b.dataType());
      assertArrayEquals(a.shape(), b.shape());
      assertArrayEquals(a.toIntMatrix(), b.toIntMatrix());
    }
  }

  @Test
  void perRowLabelsAreNotCut() {
    TaskBatchSharding sh = new TaskBatchSharding();
    int[][] ids = {{1, 2, 3, 0}, {4, 5, 6, 7}}, mask = {{1, 1, 1, 0}, {1, 1, 1, 1}}, types = new int[2][4];
    List<TaskBatchSharding.Share> rows;
    try (Batch b = Batch.spans(ids, mask, types, new int[] {1, 3}, new int[] {2, 3})) {
      rows = sh.split(b, 2);
    }
    List<TaskBatchSharding.Share> one = new ArrayList<>(List.of(rows.get(0)));
    try (Batch got = sh.batch(sh.join(one, 3))) {
      Map<String, INDArray> l = got.labels();
      assertArrayEquals(new int[] {1}, l.get(Labels.START_POSITIONS).toIntVector());
      assertArrayEquals(new int[] {2}, l.get(Labels.END_POSITIONS).toIntVector());
      assertArrayEquals(new int[][] {{1, 2, 3}}, got.inputWordIds());
    }
    try (Batch empty = sh.batch(sh.join(List.of(), 0))) {
      assertEquals(0, empty.size());
    }
  }
}
