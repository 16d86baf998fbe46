package org.jbert.core.train;

import org.jbert.core.JbertException;

/**
 * The learning rate of each optimizer step. {@code step} counts optimizer steps already taken (0 for the first
 * update), as Hugging Face's {@code LambdaLR} does: with a warmup the very first update uses lr 0.
 */
@FunctionalInterface
public interface LrSchedule {
  double lr(long step);

  /** The same rate at every step. */
  static LrSchedule constant(double lr) {
    return step -> lr;
  }

  /**
   * {@code transformers.get_linear_schedule_with_warmup}: {@code peak * step / max(1, warmup)} while
   * {@code step < warmup}, then {@code peak * max(0, (total - step) / max(1, total - warmup))}.
   */
  static LrSchedule linearWarmupDecay(double peak, long warmupSteps, long totalSteps) {
    return new LinearWarmupDecay(peak, warmupSteps, totalSteps);
  }

  /** Linear warmup from 0 to {@code peak} over {@code warmupSteps}, then linear decay to 0 at {@code totalSteps}. */
  record LinearWarmupDecay(double peak, long warmupSteps, long totalSteps) implements LrSchedule {
    public LinearWarmupDecay {
      if (warmupSteps < 0) throw new JbertException("warmup_steps " + warmupSteps + "; expected >= 0");
      if (totalSteps < 1) throw new JbertException("total steps " + totalSteps + "; expected >= 1");
      if (warmupSteps > totalSteps) {
        throw new JbertException("warmup_steps " + warmupSteps + " exceeds the total of " + totalSteps + " steps");
      }
    }

    @Override
    public double lr(long step) {
      if (step < warmupSteps) return peak * ((double) step / Math.max(1, warmupSteps));
      return peak * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }
  }
}
