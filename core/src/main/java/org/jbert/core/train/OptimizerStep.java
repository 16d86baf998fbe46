package org.jbert.core.train;

import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One optimizer step exactly as {@link Trainer} runs it: {@code k} micro-batches, each with nd4j's random generator
 * seeded from (seed, step, micro-batch), their gradients averaged, the global norm clipped, AdamW at the step's rate,
 * then the micro-batches' native memory released. {@code bin/jbert bench} times this same object, so the benchmark
 * cannot drift from what {@code jbert run} does.
 *
 * @param <B> the model's batch type
 */
public final class OptimizerStep<B> implements AutoCloseable {
  /** What a step did; the two times split it into forward+backward and clipping+update. */
  public record Outcome(double loss, double gradNorm, double forwardBackwardSeconds, double updateSeconds) {}

  /** A non-finite loss or gradient norm: {@code what} is {@code loss} or {@code gradient norm}. */
  public static final class NonFinite extends RuntimeException {
    private final String what;
    private final double value;

    NonFinite(String what, double value) {
      super(what + " " + value, null, false, false);
      this.what = what;
      this.value = value;
    }

    public String what() {
      return what;
    }

    public double value() {
      return value;
    }
  }

  private final Trainable<B> model;
  private final AdamW opt;
  private final int k;
  private final double maxGradNorm;
  private final long seed;
  private final GradAccumulator acc;

  /** A step of {@code gradAccumSteps} micro-batches, clipped to {@code maxGradNorm} (<= 0: no clipping). */
  public OptimizerStep(Trainable<B> model, AdamW opt, int gradAccumSteps, double maxGradNorm, long seed) {
    if (gradAccumSteps < 1) throw new IllegalArgumentException("gradAccumSteps " + gradAccumSteps + " < 1");
    NativeMemory.mode(); // a wrong -Djbert.malloc_trim fails here, not after the first step
    this.model = model;
    this.opt = opt;
    this.k = gradAccumSteps;
    this.maxGradNorm = maxGradNorm;
    this.seed = seed;
    this.acc = k > 1 ? new GradAccumulator(model.parameters()) : null;
  }

  /**
   * Runs optimizer step {@code step} (0-based) on the next {@code k} batches of {@code batches} at learning rate
   * {@code lr}. Throws {@link NonFinite} before the update when a loss or the gradient norm is not finite.
   */
  public Outcome run(long step, Supplier<B> batches, double lr) {
    long t0 = System.nanoTime();
    double lossSum = 0;
    Map<String, INDArray> grads = null;
    for (int micro = 0; micro < k; micro++) {
      B batch = batches.get();
      model.seedRandom(Rng.seed(seed, step, micro));
      Trainable.LossAndGradients r;
      try {
        r = model.lossAndGradients(batch);
      } finally {
        closeIfPossible(batch);
      }
      if (!Double.isFinite(r.loss())) {
        closeAll(r.gradients());
        if (acc != null) acc.reset();
        throw new NonFinite("loss", r.loss());
      }
      lossSum += r.loss();
      if (acc != null) {
        acc.add(r.gradients());
        closeAll(r.gradients());
      } else {
        grads = r.gradients();
      }
    }
    if (acc != null) grads = acc.average();
    long t1 = System.nanoTime();
    double norm = Clipping.clipGlobalNorm(grads, maxGradNorm);
    if (!Double.isFinite(norm)) throw new NonFinite("gradient norm", norm);
    opt.step(grads, lr);
    if (acc == null) closeAll(grads);
    else acc.reset();
    releaseNativeMemory();
    long t2 = System.nanoTime();
    return new Outcome(lossSum / k, norm, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
  }

  @Override
  public void close() {
    if (acc != null) acc.close();
  }

  /**
   * Frees a micro-batch's gradient arrays as soon as they are used: ND4J releases native memory only when the Java
   * objects are collected, which under a small heap happens too rarely to bound the process's memory.
   */
  private static void closeAll(Map<String, INDArray> arrays) {
    for (INDArray a : arrays.values()) {
      if (!a.wasClosed()) a.close();
    }
  }

  /**
   * Collects garbage once per optimizer step and trims the C heap when it holds too much ({@link NativeMemory}).
   * ND4J frees the native memory of an array only when its Java object is collected, and a training step leaves
   * gigabytes of activations behind while the heap barely grows, so without the collection the process grows to
   * javacpp's {@code maxphysicalbytes} and fails there (measured: BERT-base B=8 stopped at step 35 with 16.4 GB; a
   * small model held 8.4 GB after 20 steps, 4 GB with this). A collection with a small live heap takes tens of
   * milliseconds, against seconds per step.
   */
  private static void releaseNativeMemory() {
    NativeMemory.release();
  }

  private static void closeIfPossible(Object batch) {
    if (batch instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing a micro-batch failed", e);
      }
    }
  }
}
