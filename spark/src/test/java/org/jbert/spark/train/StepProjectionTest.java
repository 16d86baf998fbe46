package org.jbert.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;

/**
 * {@link StepProjection}'s arithmetic, worked by hand: 0.5 s per example, micro-batches of 8 (4 s of compute each), a
 * 440 MB gradient collected at 110 MB/s (4 s per node) after a 0.2 s empty job, a 0.5 s broadcast, 0.25 s of
 * reduction per gradient and a 1 s update.
 */
class StepProjectionTest {
  static final StepProjection.Measured M = new StepProjection.Measured(0.5, 8, 440e6, 110e6, 0.2, 0.5, 0.25, 1.0);

  @Test
  void stepOnSixteenNodesWithOneMicroBatch() {
    StepProjection p = StepProjection.at(M, 16, 1);
    assertEquals(4.0, p.computeSeconds(), 1e-12);
    assertEquals(64.2, p.transferSeconds(), 1e-12); // 0.2 + 16 x 4 s: the driver collects every node's gradient
    assertEquals(0.5 + 4 + 64.2 + 16 * 0.25 + 1, p.stepSeconds(), 1e-12); // 73.7 s
    assertEquals(64.7 / 73.7, p.share(), 1e-12);
    assertEquals(1 / 73.7, p.stepsPerSecond(), 1e-15);
    assertEquals(16 * 8, p.examples());
    assertEquals(128 / 73.7, p.examplesPerSecond(), 1e-12);
  }

  @Test
  void smallestMicroBatchCountUnderTenPercent() {
    // M * 4 > 64.7 * 0.9 / 0.1 - (4 + 1) = 577.3  =>  M > 144.325  =>  M = 145
    StepProjection p = StepProjection.smallestUnder(M, 16, 0.1);
    assertEquals(145, p.microBatches());
    assertEquals(580.0, p.computeSeconds(), 1e-12);
    assertEquals(649.7, p.stepSeconds(), 1e-9);
    assertEquals(64.7 / 649.7, p.share(), 1e-12);
    assertTrue(p.share() < 0.1);
    assertTrue(StepProjection.at(M, 16, 144).share() >= 0.1, "144 is not enough: 64.7 / 645.7 = 0.1002");
    assertEquals(16L * 145 * 8, p.examples());
    // Transfer grows with the nodes: on 2 nodes, M * 4 > (0.5 + 0.2 + 8) * 9 - (0.5 + 1) = 76.8  =>  M = 20.
    assertEquals(20, StepProjection.smallestUnder(M, 2, 0.1).microBatches());
  }

  /**
   * The shuffle reduction measured on 2 nodes with the same figures (workers sent 2 x 440 MB in 8 s beyond the job):
   * on N nodes each node and the driver move f(N) = 2 (N - 1) / N + 1 gradients, f(2) = 2, f(16) = 2.875, so the
   * transfer is 0.2 + 8 x 2.875 / 2 = 11.7 s on 16 nodes (64.2 s with the driver reduction) and the driver's
   * reduction stays 2 x 0.25 s.
   */
  @Test
  void shuffleReductionTransferStaysBounded() {
    StepProjection.Measured s = new StepProjection.Measured(0.5, 8, 440e6, 110e6, 0.2, 0.5, 0.25, 1.0,
        SparkDataParallel.Reduction.SHUFFLE, 2);
    assertEquals(8.2, StepProjection.at(s, 2, 1).transferSeconds(), 1e-12, "as measured");
    StepProjection p = StepProjection.at(s, 16, 1);
    assertEquals(0.2 + 8 * 2.875 / 2, p.transferSeconds(), 1e-12);
    assertEquals(0.5 + 4 + 11.7 + 0.5 + 1, p.stepSeconds(), 1e-12);
    assertEquals(0.2 + 8 * 3.0 / 2, StepProjection.at(s, 1_000_000, 1).transferSeconds(), 1e-4, "bounded by f = 3");
    // M * 4 > (0.5 + 11.7) * 9 - (0.5 + 1) = 108.3  =>  M = 28 (145 with the driver reduction)
    assertEquals(28, StepProjection.smallestUnder(s, 16, 0.1).microBatches());
    assertThrows(JbertException.class, () -> new StepProjection.Measured(0.5, 8, 1, 1, 0, 0, 0, 0,
        SparkDataParallel.Reduction.SHUFFLE, 0));
  }

  @Test
  void computeBoundStepNeedsOneMicroBatch() {
    StepProjection.Measured cheap = new StepProjection.Measured(10, 8, 1e6, 1e9, 0, 0, 0, 0);
    StepProjection p = StepProjection.smallestUnder(cheap, 16, 0.1);
    assertEquals(1, p.microBatches());
    assertEquals(0.016 / 80.016, p.share(), 1e-12);
  }

  @Test
  void badInputIsRefused() {
    assertThrows(JbertException.class, () -> new StepProjection.Measured(0, 8, 1, 1, 0, 0, 0, 0));
    assertThrows(JbertException.class, () -> new StepProjection.Measured(1, 8, 1, 0, 0, 0, 0, 0));
    assertThrows(JbertException.class, () -> new StepProjection.Measured(1, 8, 1, 1, -0.1, 0, 0, 0));
    assertThrows(JbertException.class, () -> StepProjection.at(M, 0, 1));
    assertThrows(JbertException.class, () -> StepProjection.smallestUnder(M, 16, 1.0));
  }
}
