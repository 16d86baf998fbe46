package org.jbert.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;

/** Masked-LM accuracy and perplexity against hand-computed cross-entropies. */
class MlmMetricsTest {
  @Test
  void accuracyAndPerplexityByHand() {
    MlmMetrics m = new MlmMetrics();
    // uniform over 4 tokens, label 2: CE = ln 4; argmax is the first maximum (0) -> wrong
    m.add(new float[] {0, 0, 0, 0}, 2, 1);
    // logits [0, ln 3]: softmax [0.25, 0.75], label 1: CE = -ln 0.75 = ln(4/3); right
    m.add(new float[] {0, (float) Math.log(3)}, 1, 1);
    // padding position (weight 0) does not count even though it is wrong and expensive
    m.add(new float[] {10, -10}, 1, 0);
    assertEquals(2, m.positions());
    assertEquals(0.5, m.accuracy(), 1e-12);
    // mean CE = (ln 4 + ln 4/3) / 2 = ln(16/3) / 2, perplexity = sqrt(16/3) = 2.309401...
    assertEquals(Math.log(16.0 / 3) / 2, m.meanLoss(), 1e-6);
    assertEquals(Math.sqrt(16.0 / 3), m.perplexity(), 1e-6);
  }

  @Test
  void weightsAndBatchAdd() {
    // weight 3 on a right position with CE ln 2 and weight 1 on a wrong one with CE ln 2
    MlmMetrics m = new MlmMetrics().addAll(new float[][] {{0, 0}, {5, 5}}, new int[] {0, 1}, new float[] {3, 1});
    // row 0: argmax 0 = label -> right; row 1: argmax 0 != 1 -> wrong; accuracy = 3 / 4
    assertEquals(0.75, m.accuracy(), 1e-12);
    assertEquals(2.0, m.perplexity(), 1e-9);  // exp(ln 2)
    // large logits stay finite (log-sum-exp): CE of the max with a 1000 margin is ~0
    MlmMetrics big = new MlmMetrics().add(new float[] {1000, 0}, 0, 1);
    assertEquals(1.0, big.perplexity(), 1e-12);
  }

  @Test
  void emptyIsNaNAndBadLabelIsRejected() {
    assertTrue(Double.isNaN(new MlmMetrics().accuracy()));
    JbertException e = assertThrows(JbertException.class, () -> new MlmMetrics().add(new float[3], 3, 1));
    assertTrue(e.getMessage().contains("label = 3"), e.getMessage());
  }
}
