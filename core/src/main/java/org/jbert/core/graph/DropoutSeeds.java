package org.jbert.core.graph;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.random.custom.DistributionUniform;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeds the random ops of a graph (the uniform draws behind {@link Ops#dropout}) before each execution, so dropout
 * masks are new on every training run yet reproducible from a seed.
 *
 * <p>Why: in ND4J 1.0.0-M2.1 a random op inside a SameDiff session draws the same numbers on every run (its op
 * context keeps its generator state), and {@code Nd4j.getRandom().setSeed} does not reach it; a new session draws
 * numbers that no Java seed controls (measured: two training-mode runs gave identical dropout masks; reseeding changed
 * nothing). This listener sets each random op's generator state ({@code OpContext.setRngStates}) from a per-run
 * root seed and the op's name, so two dropout layers get different masks, and the same root seed gives the same masks
 * (the forward and backward passes of one gradient computation share them).
 *
 * <p>Call {@link #beginRun()} before each training-mode run: the root seed is derived from
 * {@code Nd4j.getRandom().getSeed()} and the number of runs since that seed last changed, so a trainer that calls
 * {@code Nd4j.getRandom().setSeed(f(seed, step, micro))} with a new value before each micro-batch gets masks that
 * depend only on (seed, step, micro) and a resumed run repeats them. (Setting the same value twice in a row is not
 * seen as a change: the run count goes on.)
 */
public final class DropoutSeeds extends BaseListener {
  private long lastGlobal;
  private boolean seen;
  private long runs;
  private long root = 0x5DEECE66DL;

  private DropoutSeeds() {}

  /** Creates the listener and adds it to {@code sd}. */
  public static DropoutSeeds attach(SameDiff sd) {
    DropoutSeeds s = new DropoutSeeds();
    sd.addListeners(s);
    return s;
  }

  /** Derives the root seed of the next run from ND4J's global seed and the runs since it was set. */
  public synchronized void beginRun() {
    long g = Nd4j.getRandom().getSeed();
    if (!seen || g != lastGlobal) {
      seen = true;
      lastGlobal = g;
      runs = 0;
    }
    root = mix(mix(g) ^ (runs++ + 0x9E3779B97F4A7C15L));
  }

  /** Sets the root seed of the following runs directly. */
  public synchronized void setRoot(long seed) {
    root = seed;
  }

  @Override
  public boolean isActive(Operation operation) {
    return true;
  }

  @Override
  public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
    if (opContext != null && op.getOp() instanceof DistributionUniform) {
      long r;
      synchronized (this) {
        r = root;
      }
      opContext.setRngStates(r, mix(r ^ mix(op.getName().hashCode())));
    }
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
