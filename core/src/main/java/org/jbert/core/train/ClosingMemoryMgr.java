package org.jbert.core.train;

import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SameDiff session memory manager that frees each intermediate array as soon as the session releases it (the
 * session releases an array once no op still needs it). SameDiff M2.1 ships only two managers: the default
 * ArrayCacheMemoryMgr keeps released arrays for reuse (per session, up to a share of the physical-memory limit), and
 * NoOpMemoryMgr leaves them to the garbage collector, which on a small Java heap runs too rarely: a BERT-base training
 * step at B=8 allocates over 10 GB of intermediates, and RSS reached 17 GB after two steps. Freeing on release bounds a
 * step to its live set.
 */
final class ClosingMemoryMgr extends AbstractMemoryMgr {

  @Override
  public INDArray allocate(boolean detached, DataType dataType, long... shape) {
    return Nd4j.createUninitialized(dataType, shape);
  }

  @Override
  public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
    return Nd4j.create(descriptor, false);
  }

  @Override
  public void release(INDArray array) {
    if (array != null && array.closeable()) array.close();
  }

  @Override
  public void close() {}
}
