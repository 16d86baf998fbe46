package org.jbert.core.train;

import org.jbert.core.JbertException;

/**
 * The order in which examples are visited: each epoch is a fresh permutation drawn from a seeded {@link Rng} (or,
 * without shuffling, the examples in their order), cut into micro-batches of {@code batchSize}; a last partial batch
 * is dropped (fixed shapes, as {@code drop_last=True}). Its
 * {@link Position} (epoch, batch within the epoch, generator state at the epoch start) is saved in checkpoints so a
 * resumed run sees the same batches.
 */
public final class DataOrder {

  /** Where the order stands: {@code rngState} regenerates the current epoch's permutation. */
  public record Position(long epoch, long batch, long rngState) {}

  private final int size;
  private final int batchSize;
  private final boolean shuffle;
  private Rng rng;
  private long epoch;
  private long batch;
  private long epochStartState;
  private int[] perm;

  /** A shuffled order; see {@link #DataOrder(int, int, long, boolean)}. */
  public DataOrder(int size, int batchSize, long seed) {
    this(size, batchSize, seed, true);
  }

  /** @param shuffle false visits 0..size-1 in order every epoch (the generator is still kept, unused) */
  public DataOrder(int size, int batchSize, long seed, boolean shuffle) {
    if (batchSize < 1) throw new JbertException("batch_size " + batchSize + "; expected >= 1");
    if (size < batchSize) {
      throw new JbertException("the training data has " + size + " examples, fewer than batch_size " + batchSize);
    }
    this.size = size;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.rng = new Rng(seed);
    startEpoch(0);
  }

  /** Full micro-batches per epoch. */
  public long batchesPerEpoch() {
    return size / batchSize;
  }

  /** The example indices of the next micro-batch. */
  public int[] next() {
    if (batch == batchesPerEpoch()) startEpoch(epoch + 1);
    int[] out = new int[batchSize];
    System.arraycopy(perm, (int) (batch * batchSize), out, 0, batchSize);
    batch++;
    return out;
  }

  public Position position() {
    return new Position(epoch, batch, epochStartState);
  }

  /** Continues from a saved position. */
  public void restore(Position p) {
    if (p.epoch() < 0 || p.batch() < 0 || p.batch() > batchesPerEpoch()) {
      throw new JbertException("data position " + p + " does not fit " + batchesPerEpoch() + " batches per epoch");
    }
    rng = new Rng(p.rngState());
    startEpoch(p.epoch());
    batch = p.batch();
  }

  private void startEpoch(long e) {
    epoch = e;
    batch = 0;
    epochStartState = rng.state();
    perm = shuffle ? rng.permutation(size) : java.util.stream.IntStream.range(0, size).toArray();
  }
}
