package org.jbert.core.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model the {@link Trainer} can train: named parameters and one forward/backward pass. The trainer needs nothing
 * else from it, so a SameDiff BERT graph (via {@code sd.calculateGradients}), a head on top of it, or a test model
 * all plug in the same way.
 *
 * @param <B> the micro-batch type (e.g. token ids, masks and labels as INDArrays)
 */
public interface Trainable<B> {

  /**
   * The trainable parameters by canonical name (see {@code CheckpointNames}), as the LIVE float32 arrays the model
   * computes with: the optimizer updates them in place and checkpoints read and restore them. Same map every call.
   */
  Map<String, INDArray> parameters();

  /**
   * The mean loss of one micro-batch and its gradient for every parameter (keyed like {@link #parameters()}, each
   * shaped like its parameter), as fresh arrays: the trainer closes them once it has used them, to bound native
   * memory.
   */
  LossAndGradients lossAndGradients(B batch);

  /**
   * Seeds the random ops (dropout) of the next {@link #lossAndGradients} call; the trainer calls it before every
   * micro-batch with a seed derived from (run seed, step, micro-batch), so a resumed run draws the same masks.
   */
  default void seedRandom(long seed) {
    Nd4j.getRandom().setSeed(seed);
  }

  /**
   * What the model measured during the calls since the last {@code stepMetrics()} (e.g. a distributed step's
   * broadcast, compute and transfer times, in seconds), by metric name; the {@link Trainer} calls it once after each
   * optimizer step and writes the map into that step's {@code metrics.jsonl} line when the step is logged. Default:
   * nothing.
   */
  default Map<String, Double> stepMetrics() {
    return Map.of();
  }

  /** One micro-batch's result. */
  record LossAndGradients(double loss, Map<String, INDArray> gradients) {}
}
