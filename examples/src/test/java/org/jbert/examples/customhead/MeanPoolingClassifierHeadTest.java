package org.jbert.examples.customhead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.finetune.Batch;
import org.jbert.core.train.Trainable.LossAndGradients;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.TaskHead;
import org.jbert.finetune.head.TaskHeads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The custom head is found by name through the ServiceLoader registry, and its logits and loss equal a plain-Java
 * computation (masked mean of the encoder's sequence output, dense layer, softmax cross-entropy).
 */
class MeanPoolingClassifierHeadTest {
  /** Odd sizes so that a transposed weight cannot pass: V 50, H 24, L 2, N 3, I 40, P 16. */
  private static final BertConfig TINY =
      new BertConfig(50, 24, 2, 3, 40, Activation.GELU_ERF, 0.0, 0.0, 16, 2, 0.2, 1e-12);
  private static final int[][] IDS = {{2, 17, 33, 8, 3, 0, 0}, {2, 5, 9, 3, 41, 12, 3}};
  private static final int[][] MASK = {{1, 1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1, 1}};
  private static final int[][] TYPES = {{0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 1, 1, 1}};
  private static final int[] LABELS = {2, 0};

  @TempDir Path tmp;

  @Test
  void registryBuildsItByNameAndItsNumbersMatchPlainJava() {
    TaskHead head = TaskHeads.get("mean_pooling_classifier");
    assertInstanceOf(MeanPoolingClassifierHead.class, head);
    try (TaskModel m = TaskModel.random(head, HeadContext.of(TINY, 3), 11);
        Batch b = Batch.classification(IDS, MASK, TYPES, LABELS)) {
      Map<String, INDArray> r = m.output(b, false, "sequence_output", "logits", "loss");
      double[][][] seq = to3d(r.get("sequence_output"));
      INDArray w = m.sameDiff().getVariable("mean_pooling_classifier/output_weights").getArr(); // [3,24]
      INDArray bias = m.sameDiff().getVariable("mean_pooling_classifier/output_bias").getArr(); // [3]
      double maxDiff = 0;
      double expectedLoss = 0;
      for (int i = 0; i < IDS.length; i++) {
        double[] pooled = new double[24];
        int n = 0;
        for (int t = 0; t < IDS[i].length; t++) {
          if (MASK[i][t] == 0) continue;
          n++;
          for (int h = 0; h < 24; h++) pooled[h] += seq[i][t][h];
        }
        double[] logits = new double[3];
        for (int c = 0; c < 3; c++) {
          logits[c] = bias.getDouble(c);
          for (int h = 0; h < 24; h++) logits[c] += pooled[h] / n * w.getDouble(c, h);
          maxDiff = Math.max(maxDiff, Math.abs(logits[c] - r.get("logits").getDouble(i, c)));
        }
        double z = 0;
        for (double l : logits) z += Math.exp(l);
        expectedLoss += (Math.log(z) - logits[LABELS[i]]) / IDS.length;
      }
      double loss = r.get("loss").getDouble(0);
      System.out.printf("custom head: logits max abs diff %.3g, loss %.7f vs plain Java %.7f%n", maxDiff, loss,
          expectedLoss);
      assertTrue(maxDiff < 1e-5, "logits differ from plain Java by " + maxDiff);
      assertEquals(expectedLoss, loss, 1e-5 * expectedLoss);
      r.values().forEach(INDArray::close);

      LossAndGradients lg = m.lossAndGradients(b);
      assertEquals(loss, lg.loss(), 1e-6);
      assertTrue(lg.gradients().get("mean_pooling_classifier/output_weights").norm2Number().doubleValue() > 0);
      assertTrue(lg.gradients().get("bert/embeddings/word_embeddings").norm2Number().doubleValue() > 0);
    }
  }

  @Test
  void savedModelWithTheCustomHeadLoadsAgain() {
    try (TaskModel m = TaskModel.random(new MeanPoolingClassifierHead(), HeadContext.of(TINY, 3), 5)) {
      Path dir = tmp.resolve("custom");
      m.save(dir);
      try (TaskModel back = TaskModelFiles.load(dir)) {
        assertEquals(MeanPoolingClassifierHead.TYPE, back.head().type());
        INDArray a = m.predict(IDS, MASK, TYPES).get("logits");
        INDArray c = back.predict(IDS, MASK, TYPES).get("logits");
        assertEquals(a, c);
      }
    }
  }

  @Test
  void exampleProgramPutsTheHeadOnAPretrainedEncoder() {
    Path dir = tmp.resolve("encoder");
    try (org.jbert.core.model.BertModel random = org.jbert.core.model.BertModel.random(TINY, 3)) {
      random.exportHuggingFace(dir);
    }
    // The encoder alone, read back from the folder as an inference model: built on the same kernel path as the task
    // model (fused ops when jbert-onednn is active, else the libnd4j graph), so its outputs are comparable bit for bit.
    try (org.jbert.core.weights.HuggingFaceSource src = org.jbert.core.weights.HuggingFaceSource.open(dir);
        org.jbert.core.model.BertModel enc =
            org.jbert.core.model.BertModel.fromWeights(src.config().orElseThrow(), src, true, false);
        TaskModel m = CustomHeadExample.build(dir, 4)) {
      assertEquals(MeanPoolingClassifierHead.TYPE, m.head().type());
      assertEquals(4, m.context().numLabels());
      // The encoder weights came from the folder: every encoder variable equal, and the same sequence output.
      int compared = 0;
      for (var v : enc.sameDiff().variables()) {
        if (v.getVariableType() != org.nd4j.autodiff.samediff.VariableType.VARIABLE) continue;
        if (v.name().startsWith("bert/pooler/")) continue; // the mean-pooling head does not use the pooler
        assertEquals(v.getArr(), m.sameDiff().getVariable(v.name()).getArr(), v.name());
        compared++;
      }
      assertTrue(compared == 2 * 16 + 5, "only " + compared + " encoder variables compared");
      try (Batch b = Batch.inputs(IDS, MASK, TYPES);
          org.jbert.core.model.EncoderResult r = enc.encode(IDS, MASK, TYPES)) {
        INDArray seq = m.output(b, false, "sequence_output").get("sequence_output");
        assertEquals(0.0, seq.sub(r.sequenceOutput()).amaxNumber().doubleValue(), 0.0);
      }
    }
  }

  private static double[][][] to3d(INDArray a) {
    long[] s = a.shape();
    double[][][] out = new double[(int) s[0]][(int) s[1]][(int) s[2]];
    for (int i = 0; i < s[0]; i++) {
      for (int j = 0; j < s[1]; j++) {
        for (int k = 0; k < s[2]; k++) out[i][j][k] = a.getDouble(i, j, k);
      }
    }
    return out;
  }
}
