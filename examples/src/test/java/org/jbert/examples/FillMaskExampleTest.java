package org.jbert.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jbert.core.model.PretrainedModels;
import org.jbert.pretraining.FillMask;
import org.junit.jupiter.api.Test;

/** The example on real BERT-base uncased: the well-known answers come out. */
class FillMaskExampleTest {
  @Test
  void bertBaseFillsTheExamplePrompts() {
    List<List<FillMask.MaskPrediction>> r = FillMaskExample.run(PretrainedModels.DEFAULT, FillMaskExample.PROMPTS, 5);
    assertEquals(FillMaskExample.PROMPTS.size(), r.size());
    assertEquals("paris", r.get(0).get(0).top());
    assertEquals("france", r.get(1).get(0).top());
    assertTrue(r.get(2).get(0).candidates().stream().anyMatch(c -> c.token().equals("east")), r.get(2).toString());
    assertEquals("oxygen", r.get(3).get(0).top());
    assertEquals(2, r.get(4).size(), "two masks in the last prompt");
    double p = r.get(0).get(0).candidates().get(0).probability();
    assertTrue(p > 0.3 && p < 0.6, "P(paris) " + p);
  }
}
