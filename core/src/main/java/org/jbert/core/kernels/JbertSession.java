package org.jbert.core.kernels;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;

/**
 * SameDiff's inference session, with what jbert's training loop needs between steps. {@link KernelSession} extends
 * it; {@link KernelRuntime#newSession} gives one of the two.
 *
 * <p>SameDiff M2.1's {@code InferenceSession} adds the id of every array it releases to {@code freedArrays} (a
 * {@code LinkedHashSet<Long>}, so that an array is never released twice within a run) and never clears it: one
 * {@code Long} and one {@code LinkedHashMap$Entry} per released array, for the life of the session. On BERT-base
 * training that is ~850 entries a step (the growth the class histograms showed; ~60 KB of heap a step).
 * {@link #endStep()} forgets them once the step's arrays are all closed.
 */
public class JbertSession extends InferenceSession {
  public JbertSession(SameDiff sd) {
    super(sd);
  }

  /** How many released array ids the session remembers (for tests). */
  public int freedArrayIds() {
    return freedArrays.size();
  }

  /**
   * Forgets the ids of the arrays released so far and the values the session holds. Call only when every array of
   * the last run is closed or handed out (array ids are never reused, so no later release can match them).
   */
  public void endStep() {
    nodeValueOutputs.clear();
    freedArrays.clear();
  }
}
