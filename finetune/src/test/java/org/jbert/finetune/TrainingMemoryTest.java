package org.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.jbert.core.config.BertConfig;
import org.jbert.core.train.Trainable.LossAndGradients;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.config.SDValue;
import org.nd4j.autodiff.samediff.config.SDValueType;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training step leaves no intermediate arrays allocated: SameDiff M2.1 turns releasing off in the gradient function on
 * every call, which kept a whole step's activations (10 GB for BERT-base at B=8) alive into the next step. Checked on
 * the gradient session itself: after a step every array it still holds is closed, except parameters and the gradients
 * handed out; and two steps on the same batch give the same loss and gradients (nothing freed too early).
 */
class TrainingMemoryTest {
  private static final BertConfig TINY = BertConfig.fromFolder(HfTiny.folder("seqcls"));

  @Test
  void aStepFreesItsIntermediatesAndStillComputesTheSameGradients() {
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), HeadContext.of(TINY, 2), 7);
        Batch b = Batch.classification(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), new int[] {0, 1, 1})) {
      m.lossAndGradients(b).gradients().values().forEach(INDArray::close); // builds the gradient function
      SameDiff grad = m.sameDiff().getFunction("grad");
      InferenceSession s = grad.getSessions().get(Thread.currentThread().getId());
      long[] peakAndTotal = new long[2];
      Set<INDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      m.sameDiff().addListeners(new BaseListener() {
        @Override
        public boolean isActive(Operation operation) {
          return true;
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx,
            INDArray[] outputs) {
          if (sd != grad) return;
          long open = 0;
          for (SDValue v : s.getNodeValueOutputs().values()) {
            for (INDArray a : arrays(v)) {
              if (a == null) continue;
              seen.add(a);
              if (!a.wasClosed()) open++;
            }
          }
          peakAndTotal[0] = Math.max(peakAndTotal[0], open);
        }
      });
      LossAndGradients first = m.lossAndGradients(b);
      peakAndTotal[1] = seen.size();
      // Without releasing, every array the step made is alive at its end (peak == total).
      assertTrue(peakAndTotal[0] < peakAndTotal[1] / 2, "peak open " + peakAndTotal[0] + " of " + peakAndTotal[1]
          + " arrays made in the step");
      Set<INDArray> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
      handedOut.addAll(first.gradients().values());
      handedOut.addAll(m.parameters().values());
      List<INDArray> open = new ArrayList<>();
      for (SDValue v : s.getNodeValueOutputs().values()) {
        for (INDArray a : arrays(v)) if (a != null && !a.wasClosed() && !handedOut.contains(a)) open.add(a);
      }
      assertTrue(open.isEmpty(), open.size() + " intermediate arrays still allocated after a step");

      LossAndGradients second = m.lossAndGradients(b);
      assertEquals(first.loss(), second.loss(), 0.0);
      assertEquals(first.gradients().keySet(), second.gradients().keySet());
      for (String n : first.gradients().keySet()) {
        assertEquals(first.gradients().get(n), second.gradients().get(n), n);
      }
      first.gradients().values().forEach(INDArray::close);
      second.gradients().values().forEach(INDArray::close);
    }
  }

  /**
   * SameDiff M2.1 remembers the id of every array a session releases, for the session's life (~850 a BERT-base step);
   * after each step the training loop makes its sessions forget them, so the count does not grow with the steps.
   */
  @Test
  void releasedArrayIdsAreForgottenAfterEachStep() {
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), HeadContext.of(TINY, 2), 7);
        Batch b = Batch.classification(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), new int[] {0, 1, 1})) {
      m.lossAndGradients(b).gradients().values().forEach(INDArray::close); // builds the gradient function
      SameDiff grad = m.sameDiff().getFunction("grad");
      org.jbert.core.kernels.JbertSession s = (org.jbert.core.kernels.JbertSession)
          grad.getSessions().get(Thread.currentThread().getId());
      int[] peak = new int[1];
      m.sameDiff().addListeners(new BaseListener() {
        @Override
        public boolean isActive(Operation operation) {
          return true;
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx,
            INDArray[] outputs) {
          if (sd == grad) peak[0] = Math.max(peak[0], s.freedArrayIds());
        }
      });
      for (int step = 0; step < 3; step++) {
        m.lossAndGradients(b).gradients().values().forEach(INDArray::close);
        assertEquals(0, s.freedArrayIds(), "released array ids remembered after step " + step);
      }
      assertTrue(peak[0] > 20, "the session released only " + peak[0] + " arrays within a step");
    }
  }

  private static List<INDArray> arrays(SDValue v) {
    return v.getSdValueType() == SDValueType.LIST ? v.getListValue() : Collections.singletonList(v.getTensorValue());
  }
}
