package org.jbert.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;

class TrainConfigTest {

  private static TrainConfig with(long maxSteps, double epochs, int accum, long warmupSteps, double warmupRatio,
      TrainConfig.Schedule s) {
    TrainConfig d = TrainConfig.defaults();
    return new TrainConfig(1e-4, d.weightDecay(), d.adamBeta1(), d.adamBeta2(), d.adamEps(), s, warmupSteps,
        warmupRatio, maxSteps, epochs, 8, true, accum, d.maxGradNorm(), d.seed(), d.logEvery(), d.evalEvery(),
        d.checkpointEvery(), d.keepCheckpoints(), d.outputDir());
  }

  /** HF Trainer: steps per epoch = floor(batches / accum) (at least 1), total = ceil(epochs * that). */
  @Test
  void totalStepsAndWarmupAsHuggingFace() {
    TrainConfig c = with(-1, 2.5, 4, 0, 0.1, TrainConfig.Schedule.LINEAR);
    assertEquals(63, c.totalSteps(101));     // floor(101/4) = 25 per epoch, ceil(2.5 * 25) = 63
    assertEquals(7, c.warmup(63));           // ceil(0.1 * 63) = 7
    assertEquals(3, c.totalSteps(3));        // 3 batches, accum 4: one step per epoch, ceil(2.5) = 3
    assertEquals(500, with(500, 2.5, 4, 0, 0.1, TrainConfig.Schedule.LINEAR).totalSteps(101));  // max_steps wins
    LrSchedule lin = c.lrSchedule(63);
    assertEquals(1e-4 * 3 / 7, lin.lr(3), 1e-18);
    assertEquals(1e-4 * (63 - 10) / 56.0, lin.lr(10), 1e-18);
    LrSchedule cons = with(100, 0, 1, 10, 0, TrainConfig.Schedule.CONSTANT).lrSchedule(100);
    assertEquals(5e-5, cons.lr(5), 1e-18);
    assertEquals(1e-4, cons.lr(10), 0);
    assertEquals(1e-4, cons.lr(99), 0);
  }

  @Test
  void contradictionsAreRejected() {
    assertEquals("warmup_steps 5 and warmup_ratio 0.1 are both set; expected one of them",
        assertThrows(JbertException.class, () -> with(10, 0, 1, 5, 0.1, TrainConfig.Schedule.LINEAR)).getMessage());
    assertEquals("max_steps -1 and epochs 0.0; expected max_steps > 0 or epochs > 0",
        assertThrows(JbertException.class, () -> with(-1, 0, 1, 0, 0, TrainConfig.Schedule.LINEAR)).getMessage());
    assertEquals("grad_accum_steps 0; expected >= 1",
        assertThrows(JbertException.class, () -> with(10, 0, 0, 0, 0, TrainConfig.Schedule.LINEAR)).getMessage());
  }
}
