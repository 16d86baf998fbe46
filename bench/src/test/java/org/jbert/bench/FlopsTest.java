package org.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.junit.jupiter.api.Test;

/** The FLOP formula against a hand computation for BERT-base (L=12, H=768, I=3072) at T=128. */
class FlopsTest {
  private static final BertConfig BASE = BertConfig.base();

  @Test
  void bertBaseForwardPerSequenceByHand() {
    // Per layer, T=128, H=768, I=3072:
    //   Q,K,V and attention output projections 4 x 2*T*H*H = 8 * 128 * 589,824       =   603,979,776
    //   feed-forward up and down              2 x 2*T*H*I = 4 * 128 * 768 * 3072     = 1,207,959,552
    //   scores and probabilities x V          2 x 2*T*T*H = 4 * 16,384 * 768         =    50,331,648
    //   layer                                                                         = 1,862,270,976
    // 12 layers: 22,347,251,712 (the "22.3 GFLOP per 128-token sequence" of issue 7).
    assertEquals(22_347_251_712L, Flops.encoderForward(BASE, 128));
    // Same number the "2 x params x tokens + attention" way: the layers' weight matrices hold
    // 12 x (4*768^2 + 2*768*3072) = 84,934,656 parameters; 2 x 84,934,656 x 128 + 12 x 50,331,648.
    assertEquals(2L * 84_934_656 * 128 + 12L * 50_331_648, Flops.encoderForward(BASE, 128));
    // Pooler on [CLS]: 2*H^2 = 1,179,648.
    assertEquals(22_348_431_360L, Flops.inferenceForward(BASE, 1, 128));
    // Classifier with 2 labels: 2*H*2 = 3,072 more.
    assertEquals(22_348_434_432L, Flops.classifierForward(BASE, 1, 128, 2));
  }

  @Test
  void trainingStepIsThreeForwardPassesOfTheBatch() {
    // 3 x 32 x 22,348,434,432 = 2,145,449,705,472 FLOPs: a B=32 step at 1 s would be 2,145 GFLOP/s.
    assertEquals(2_145_449_705_472L, Flops.trainingStep(BASE, 32, 128, 2));
    assertEquals(3L * 8 * 22_348_434_432L, Flops.trainingStep(BASE, 8, 128, 2));
  }

  @Test
  void attentionTermGrowsWithTheSquareOfT() {
    // At T=256 the projections double and the attention term quadruples: 2 x 1,811,939,328 + 4 x 50,331,648.
    assertEquals(12L * (2 * 1_811_939_328L + 4 * 50_331_648L), Flops.encoderForward(BASE, 256));
  }

  @Test
  void badSizesAreNamed() {
    assertEquals("sequence length 0; expected >= 1",
        assertThrows(JbertException.class, () -> Flops.encoderForward(BASE, 0)).getMessage());
    assertEquals("batch size 0; expected >= 1",
        assertThrows(JbertException.class, () -> Flops.classifierForward(BASE, 0, 128, 2)).getMessage());
  }
}
