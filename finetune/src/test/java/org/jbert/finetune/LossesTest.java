package org.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.jbert.core.config.BertConfig;
import org.jbert.core.train.Trainable.LossAndGradients;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.head.QuestionAnsweringHead;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The losses the golden file does not cover (regression, multi-label, QA position clamping), checked against plain
 * Java computations of PyTorch's MSELoss, BCEWithLogitsLoss and CrossEntropyLoss(ignore_index) on the model's own
 * logits.
 */
class LossesTest {
  private static final BertConfig TINY = BertConfig.fromFolder(HfTiny.folder("seqcls"));

  @Test
  void regressionIsMeanSquaredError() {
    float[] y = {0.5f, -1.25f, 2f};
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), HeadContext.of(TINY, 1), 3);
        Batch b = Batch.regression(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), y)) {
      assertEquals(ProblemType.REGRESSION, m.context().problemType());
      double[] p = logits(m, "logits");
      double want = 0;
      for (int i = 0; i < 3; i++) want += (p[i] - y[i]) * (p[i] - y[i]) / 3;
      assertEquals(want, m.loss(b), 1e-6 * want);
    }
  }

  @Test
  void multiLabelIsSigmoidBinaryCrossEntropy() {
    float[][] y = {{1, 0, 1, 0}, {0, 0, 0, 1}, {1, 1, 1, 1}};
    HeadContext ctx = HeadContext.of(TINY, 4).withProblemType(ProblemType.MULTI_LABEL_CLASSIFICATION);
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), ctx, 4);
        Batch b = Batch.multiLabel(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), y)) {
      double[] x = logits(m, "logits");
      double want = 0;
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4; j++) {
          double s = 1 / (1 + Math.exp(-x[i * 4 + j]));
          want -= (y[i][j] * Math.log(s) + (1 - y[i][j]) * Math.log(1 - s)) / 12;
        }
      }
      assertEquals(want, m.loss(b), 1e-5 * want);
    }
  }

  @Test
  void qaPositionsAreClampedAndOutOfRangeOnesIgnored() {
    // HF: positions clamp(0, T); T is the ignore index. Row 0: -3 -> 0; row 1: 100 -> 16, ignored.
    int[] start = {-3, 100, 5};
    int[] end = {2, 100, 40};
    try (TaskModel m = TaskModel.random(new QuestionAnsweringHead(), HeadContext.of(TINY, 2), 5);
        Batch b = Batch.spans(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), start, end)) {
      double[] s = logits(m, "start_logits");
      double[] e = logits(m, "end_logits");
      double want = (ce(s, new int[] {0, -1, 5}) + ce(e, new int[] {2, -1, -1})) / 2;
      assertEquals(want, m.loss(b), 1e-5 * want);
    }
  }

  @Test
  void headDropoutFollowsTheTrainingSwitch() {
    // Encoder dropout is 0 in this config, so any training/inference difference comes from the head's dropout.
    HeadContext ctx = HeadContext.of(TINY, 3).withDropoutRate(0.5);
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), ctx, 6);
        Batch b = Batch.classification(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), new int[] {0, 1, 2})) {
      INDArray inference = m.output(b, false, "logits").get("logits");
      INDArray training = m.output(b, true, "logits").get("logits");
      assertTrue(inference.sub(training).amaxNumber().doubleValue() > 1e-3, "dropout active while training");
      INDArray training2 = m.output(b, true, "logits").get("logits");
      assertTrue(training.sub(training2).amaxNumber().doubleValue() > 1e-3, "a new dropout mask on each run");
      LossAndGradients lg = m.lossAndGradients(b);
      LossAndGradients lg2 = m.lossAndGradients(b);
      assertNotEquals(m.loss(b), lg.loss(), "lossAndGradients runs in training mode");
      assertNotEquals(lg.loss(), lg2.loss(), "a new dropout mask on each step");
      // Masks follow ND4J's global seed (as the Trainer sets it per micro-batch): same seed, same loss and gradients.
      org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(1234);
      LossAndGradients s1 = m.lossAndGradients(b);
      org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(99);
      m.lossAndGradients(b);
      org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(1234);
      LossAndGradients s2 = m.lossAndGradients(b);
      assertEquals(s1.loss(), s2.loss(), 0.0);
      assertEquals(s1.gradients().get("output_weights"), s2.gradients().get("output_weights"));
      INDArray after = m.predict(HfTiny.ids(), HfTiny.mask(), HfTiny.types()).get("logits");
      assertEquals(inference, after, "back in inference mode after training calls");
    }
  }

  /** Mean cross-entropy over rows of [3,16] logits whose target is not -1. */
  private static double ce(double[] x, int[] target) {
    double sum = 0;
    int n = 0;
    for (int i = 0; i < target.length; i++) {
      if (target[i] < 0) continue;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < 16; j++) max = Math.max(max, x[i * 16 + j]);
      double z = 0;
      for (int j = 0; j < 16; j++) z += Math.exp(x[i * 16 + j] - max);
      sum += max + Math.log(z) - x[i * 16 + target[i]];
      n++;
    }
    return sum / n;
  }

  private static double[] logits(TaskModel m, String name) {
    Map<String, INDArray> r = m.predict(HfTiny.ids(), HfTiny.mask(), HfTiny.types());
    double[] v = r.get(name).dup().data().asDouble();
    r.values().forEach(INDArray::close);
    return v;
  }
}
