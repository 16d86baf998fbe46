package org.jbert.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The optimizer step that the Trainer and bench's training benchmark share: two micro-batches give the same update
 * as averaging their gradients by hand, clipping and one AdamW step; a NaN loss stops it before any update.
 */
class OptimizerStepTest {
  private static final int B = 4;

  private static TinyMlp.Batch batch(BatchSource<TinyMlp.Batch> data, int first) {
    int[] idx = new int[B];
    for (int i = 0; i < B; i++) idx[i] = first + i;
    return data.batch(idx);
  }

  private static Map<String, float[]> snapshot(Map<String, INDArray> params) {
    Map<String, float[]> out = new LinkedHashMap<>();
    params.forEach((k, v) -> out.put(k, v.dup().data().asFloat()));
    return out;
  }

  @Test
  void twoMicroBatchesEqualTheHandWrittenStep() {
    BatchSource<TinyMlp.Batch> data = TinyMlp.data(16);
    AdamW.Hyper hyper = new AdamW.Hyper(0.05, 0.9, 0.999, 1e-8, 0.01);
    Map<String, float[]> expected;
    double expectedLoss;
    try (TinyMlp m = new TinyMlp(3, B, 0)) {
      Trainable.LossAndGradients r1 = m.lossAndGradients(batch(data, 0));
      Map<String, INDArray> g1 = new LinkedHashMap<>();
      r1.gradients().forEach((k, v) -> g1.put(k, v.dup()));
      Trainable.LossAndGradients r2 = m.lossAndGradients(batch(data, 4));
      expectedLoss = (r1.loss() + r2.loss()) / 2;
      Map<String, INDArray> avg = new LinkedHashMap<>();
      g1.forEach((k, v) -> avg.put(k, v.add(r2.gradients().get(k)).divi(2)));
      Clipping.clipGlobalNorm(avg, 0.5);
      try (AdamW opt = new AdamW(m.parameters(), hyper)) {
        opt.step(avg, 0.05);
      }
      expected = snapshot(m.parameters());
    }
    try (TinyMlp m = new TinyMlp(3, B, 0); AdamW opt = new AdamW(m.parameters(), hyper);
        OptimizerStep<TinyMlp.Batch> step = new OptimizerStep<>(m, opt, 2, 0.5, 7)) {
      int[] next = {0};
      OptimizerStep.Outcome o = step.run(0, () -> batch(data, 4 * next[0]++), 0.05);
      assertEquals(2, next[0]);
      assertEquals(expectedLoss, o.loss(), 1e-6);
      Map<String, float[]> got = snapshot(m.parameters());
      for (String k : expected.keySet()) assertArrayEquals(expected.get(k), got.get(k), 1e-6f, k);
    }
  }

  @Test
  void nonFiniteLossStopsBeforeTheUpdate() {
    BatchSource<TinyMlp.Batch> data = TinyMlp.data(16);
    try (TinyMlp m = new TinyMlp(3, B, 0); AdamW opt = new AdamW(m.parameters(), AdamW.Hyper.torchDefaults());
        OptimizerStep<TinyMlp.Batch> step = new OptimizerStep<>(m, opt, 1, 1.0, 7)) {
      Map<String, float[]> before = snapshot(m.parameters());
      TinyMlp.Batch b = batch(data, 0);
      INDArray nanX = Nd4j.valueArrayOf(b.x().shape(), Float.NaN, DataType.FLOAT);
      OptimizerStep.NonFinite e = assertThrows(OptimizerStep.NonFinite.class,
          () -> step.run(0, () -> new TinyMlp.Batch(nanX, b.labels()), 1e-3));
      assertEquals("loss", e.what());
      Map<String, float[]> after = snapshot(m.parameters());
      for (String k : before.keySet()) assertArrayEquals(before.get(k), after.get(k), 0f, k);
    }
  }
}
