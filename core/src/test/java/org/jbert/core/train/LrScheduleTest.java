package org.jbert.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;

class LrScheduleTest {

  /** Values of transformers.get_linear_schedule_with_warmup(opt, 4, 10) with lr 1e-3, worked by hand. */
  @Test
  void linearWarmupDecayMatchesHuggingFace() {
    LrSchedule s = LrSchedule.linearWarmupDecay(1e-3, 4, 10);
    double[] want = {0, 2.5e-4, 5e-4, 7.5e-4, 1e-3, 1e-3 * 5 / 6, 1e-3 * 4 / 6, 1e-3 * 3 / 6, 1e-3 * 2 / 6,
        1e-3 / 6, 0, 0};
    for (int step = 0; step < want.length; step++) assertEquals(want[step], s.lr(step), 1e-18, "step " + step);
  }

  @Test
  void noWarmupStartsAtPeak() {
    LrSchedule s = LrSchedule.linearWarmupDecay(2e-5, 0, 4);
    assertEquals(2e-5, s.lr(0), 0);
    assertEquals(1e-5, s.lr(2), 1e-20);
    assertEquals(0, s.lr(4), 0);
  }

  @Test
  void constantAndBadArguments() {
    assertEquals(3e-4, LrSchedule.constant(3e-4).lr(12345), 0);
    JbertException e = assertThrows(JbertException.class, () -> LrSchedule.linearWarmupDecay(1e-3, 20, 10));
    assertEquals("warmup_steps 20 exceeds the total of 10 steps", e.getMessage());
  }
}
