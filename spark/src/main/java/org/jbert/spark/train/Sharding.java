package org.jbert.spark.train;

import java.io.Serializable;
import java.util.List;

/**
 * How a micro-batch of type {@code B} is cut into shares for the workers and rebuilt there. Shares travel in Spark
 * tasks, so they are plain serializable data ({@code S}), not INDArrays.
 *
 * @param <B> the trainer's micro-batch type
 * @param <S> one worker's share
 */
public interface Sharding<B, S extends Serializable> extends Serializable {
  /** {@code batch}'s rows in {@code parts} contiguous shares of near-equal size (none empty; fewer when B < parts). */
  List<S> split(B batch, int parts);

  /** Examples in a share (its weight in the average). */
  int size(S share);

  /** The share as a micro-batch, on the worker. */
  B batch(S share);
}
