package org.jbert.finetune.head;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.jbert.finetune.head.Predictions.Label;
import org.junit.jupiter.api.Test;

/** Logits to labels, against softmax and sigmoid worked out by hand. */
class PredictionsTest {
  @Test
  void classifyTakesTheSoftmaxArgmax() {
    // Row 0: logits (0, ln 3) -> softmax (1/4, 3/4); row 1: a tie goes to the lower id, p = 1/2.
    float ln3 = (float) Math.log(3);
    List<Label> l = Predictions.classify(new float[] {0, ln3, 2, 2}, 2, 2, List.of("neg", "pos"));
    assertEquals("pos", l.get(0).name());
    assertEquals(1, l.get(0).id());
    assertEquals(0.75, l.get(0).probability(), 1e-7);
    assertEquals(new Label(0, "neg", 0.5), l.get(1));
  }

  @Test
  void namesDefaultToHuggingFacesLabelN() {
    assertEquals(List.of("LABEL_0", "LABEL_1", "LABEL_2"), Predictions.labelNames(List.of(), 3));
    assertEquals("LABEL_2", Predictions.classify(new float[] {0, 1, 5}, 1, 3, List.of()).get(0).name());
  }

  @Test
  void multiLabelGivesEveryClassItsSigmoid() {
    List<List<Label>> l = Predictions.multiLabel(new float[] {0, (float) Math.log(4)}, 1, 2, List.of("a", "b"));
    assertEquals(0.5, l.get(0).get(0).probability(), 1e-7);
    assertEquals(0.8, l.get(0).get(1).probability(), 1e-7);
  }

  @Test
  void tagLabelsRealTokensOnly() {
    // One row, T=3 (last position padded), C=2.
    float[] logits = {3, 0, 0, 3, 9, -9};
    List<List<Label>> l = Predictions.tag(logits, 1, 3, 2, new int[][] {{1, 1, 0}}, List.of("O", "B-X"));
    assertEquals(2, l.get(0).size());
    assertEquals("O", l.get(0).get(0).name());
    assertEquals("B-X", l.get(0).get(1).name());
    assertEquals(1 / (1 + Math.exp(-3)), l.get(0).get(1).probability(), 1e-7);
  }
}
