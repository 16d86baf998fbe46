package org.jbert.core.train;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ops.OpContext;

/**
 * Lets the gradient session free each intermediate array once no later op needs it. SameDiff M2.1's
 * {@code calculateGradientsAndOutputs} switches the gradient function's {@code enableCache} off on every call, and its
 * session releases arrays only while that flag is on, so a whole step's activations and gradients stayed allocated to
 * the end of the step (10.0 GB for BERT-base at B=8). This listener turns the flag back on before the first op runs;
 * with {@link ClosingMemoryMgr} a released array is freed at once.
 */
final class ReleaseDuringBackward extends BaseListener {

  @Override
  public boolean isActive(Operation operation) {
    return true;
  }

  @Override
  public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
    if (!sd.isEnableCache()) sd.setEnableCache(true);
  }
}
