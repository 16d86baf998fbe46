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

  /** The width of a share's rows (positions per row; 0 for a share of no rows). */
  int width(S share);

  /**
   * {@code rows} (shares, each at least {@code width} wide) as one share cut to {@code width} positions: every input
   * and per-position label array keeps its first {@code width} entries per row. No rows: an empty share.
   */
  S join(List<S> rows, int width);
}
