package org.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.jbert.core.config.BertConfig;
import org.jbert.core.train.Trainable.LossAndGradients;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.head.QuestionAnsweringHead;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.finetune.head.TaskHead;
import org.jbert.finetune.head.TokenClassificationHead;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch of one row ({@code train.batch_size: 1}, or a last batch of 1) trains with every head. Each head's loss is a
 * mean over rows (tagging: over scored tokens, all of them here), so the mean of the three one-row losses must equal
 * the loss of the three rows as one batch (1e-5 relative), and every parameter gets a gradient of its own shape.
 * Before the fix the one-hot of the cross-entropy broadcast [1,1] against [C] and libnd4j failed ("equals ...
 * Inputs: [(INT,[1,1],c), (INT,[3],c)]").
 */
class BatchOfOneTest {
  private static final BertConfig TINY = BertConfig.fromFolder(HfTiny.folder("seqcls"));

  @Test
  void classification() {
    int[] y = {0, 2, 1};
    check(new SequenceClassificationHead(), HeadContext.of(TINY, 3),
        rows -> Batch.classification(pick(HfTiny.ids(), rows), pick(HfTiny.mask(), rows),
            pick(HfTiny.types(), rows), pickInts(y, rows)));
  }

  @Test
  void regression() {
    float[] y = {0.5f, -1.25f, 2f};
    check(new SequenceClassificationHead(), HeadContext.of(TINY, 1).withProblemType(ProblemType.REGRESSION),
        rows -> {
          float[] t = new float[rows.length];
          for (int i = 0; i < rows.length; i++) t[i] = y[rows[i]];
          return Batch.regression(pick(HfTiny.ids(), rows), pick(HfTiny.mask(), rows), pick(HfTiny.types(), rows),
              t);
        });
  }

  @Test
  void tagging() {
    int t = HfTiny.ids()[0].length;
    int[][] tags = new int[3][t];
    for (int i = 0; i < 3; i++) for (int j = 0; j < t; j++) tags[i][j] = (i + j) % 4;
    check(new TokenClassificationHead(), HeadContext.of(TINY, 4),
        rows -> Batch.tagging(pick(HfTiny.ids(), rows), pick(HfTiny.mask(), rows), pick(HfTiny.types(), rows),
            pick(tags, rows)));
  }

  @Test
  void questionAnswering() {
    int[] start = {1, 4, 2}, end = {3, 6, 2};
    check(new QuestionAnsweringHead(), HeadContext.of(TINY, 2),
        rows -> Batch.spans(pick(HfTiny.ids(), rows), pick(HfTiny.mask(), rows), pick(HfTiny.types(), rows),
            pickInts(start, rows), pickInts(end, rows)));
  }

  private static void check(TaskHead head, HeadContext ctx, java.util.function.Function<int[], Batch> batch) {
    try (TaskModel m = TaskModel.random(head, ctx, 11)) {
      double all;
      try (Batch b = batch.apply(new int[] {0, 1, 2})) {
        all = m.loss(b);
      }
      double sum = 0;
      for (int i = 0; i < 3; i++) {
        try (Batch b = batch.apply(new int[] {i})) {
          LossAndGradients r = m.lossAndGradients(b);
          assertTrue(Double.isFinite(r.loss()), head.type() + " row " + i + ": loss " + r.loss());
          assertEquals(m.loss(b), r.loss(), 1e-6 * Math.abs(r.loss()), head.type() + ": training loss, dropout 0");
          for (Map.Entry<String, INDArray> p : m.parameters().entrySet()) {
            INDArray g = r.gradients().get(p.getKey());
            assertArrayEquals(p.getValue().shape(), g.shape(), head.type() + " gradient of " + p.getKey());
          }
          r.gradients().values().forEach(INDArray::close);
          sum += r.loss();
        }
      }
      assertEquals(all, sum / 3, 1e-5 * Math.abs(all), head.type() + ": mean of the one-row losses");
    }
  }

  private static int[][] pick(int[][] a, int[] rows) {
    int[][] out = new int[rows.length][];
    for (int i = 0; i < rows.length; i++) out[i] = a[rows[i]];
    return out;
  }

  private static int[] pickInts(int[] a, int[] rows) {
    int[] out = new int[rows.length];
    for (int i = 0; i < rows.length; i++) out[i] = a[rows[i]];
    return out;
  }
}
