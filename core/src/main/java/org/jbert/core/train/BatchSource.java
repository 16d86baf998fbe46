package org.jbert.core.train;

/**
 * Training examples addressed by index, assembled into micro-batches. The trainer decides the order (a seeded
 * shuffle per epoch, see {@link DataOrder}), so a source needs no state of its own and resumes exactly.
 *
 * @param <B> the micro-batch type
 */
public interface BatchSource<B> {
  /** Number of examples. */
  int size();

  /**
   * The micro-batch of the examples at {@code indices} (in that order). A batch that is {@link AutoCloseable} is
   * closed by the trainer right after its forward/backward pass (free its INDArrays there: native memory is otherwise
   * released only on GC).
   */
  B batch(int[] indices);
}
