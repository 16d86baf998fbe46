package org.jbert.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ClippingTest {

  private static Map<String, INDArray> threeFourTwelve() {
    Map<String, INDArray> g = new LinkedHashMap<>();
    g.put("a", Nd4j.create(new float[] {3f, 4f}, new long[] {2}, 'c'));      // norm 5
    g.put("b", Nd4j.create(new float[] {12f}, new long[] {1, 1}, 'c'));      // norm 12 -> total 13
    return g;
  }

  /** clip_grad_norm_(max_norm=6.5): total 13, coefficient 6.5/(13+1e-6), every gradient scaled by it. */
  @Test
  void clipsToMaxNormLikeTorch() {
    Map<String, INDArray> g = threeFourTwelve();
    double total = Clipping.clipGlobalNorm(g, 6.5);
    assertEquals(13.0, total, 1e-6);
    double coef = 6.5 / (13 + 1e-6);
    assertEquals(3 * coef, g.get("a").getDouble(0), 1e-6);
    assertEquals(12 * coef, g.get("b").getDouble(0, 0), 1e-5);
    assertEquals(6.5, Clipping.globalNorm(g.values()), 1e-5);
  }

  @Test
  void belowMaxOrDisabledLeavesGradientsAlone() {
    Map<String, INDArray> g = threeFourTwelve();
    assertEquals(13.0, Clipping.clipGlobalNorm(g, 20), 1e-6);
    assertEquals(3f, g.get("a").getFloat(0), 0f);
    assertEquals(13.0, Clipping.clipGlobalNorm(g, 0), 1e-6);   // <= 0 disables
    assertEquals(12f, g.get("b").getFloat(0, 0), 0f);
  }

  /** The global norm over all 100+ gradients of torch's golden step 0 (from their per-tensor norms) is torch's. */
  @Test
  void globalNormOfGoldenPerTensorNorms() throws Exception {
    JsonNode step0 = AdamWTest.golden().get("steps").get(0);
    double sum = 0;
    int n = 0;
    for (Iterator<JsonNode> it = step0.get("grad_norms").elements(); it.hasNext(); n++) {
      double x = it.next().asDouble();
      sum += x * x;
    }
    assertTrue(n > 50);
    // the same reduction Clipping.globalNorm does, on torch's per-tensor norms
    Map<String, INDArray> asTensors = new LinkedHashMap<>();
    int i = 0;
    for (Iterator<JsonNode> it = step0.get("grad_norms").elements(); it.hasNext(); ) {
      asTensors.put("g" + i++, Nd4j.create(new float[] {(float) it.next().asDouble()}, new long[] {1}, 'c'));
    }
    double want = step0.get("global_grad_norm").asDouble();
    assertEquals(want, Math.sqrt(sum), 1e-9 * want);
    assertEquals(want, Clipping.globalNorm(asTensors.values()), 1e-6 * want);
  }

  /** Averaging two micro-batches gives their mean gradient, and reset starts over. */
  @Test
  void accumulationAverages() {
    Map<String, INDArray> params = Map.of("w", Nd4j.zeros(DataType.FLOAT, 2));
    try (GradAccumulator acc = new GradAccumulator(params)) {
      acc.add(Map.of("w", Nd4j.create(new float[] {1f, -2f}, new long[] {2}, 'c')));
      acc.add(Map.of("w", Nd4j.create(new float[] {3f, 6f}, new long[] {2}, 'c')));
      assertEquals(2, acc.count());
      INDArray avg = acc.average().get("w");
      assertEquals(2f, avg.getFloat(0), 0f);
      assertEquals(2f, avg.getFloat(1), 0f);
      acc.reset();
      acc.add(Map.of("w", Nd4j.create(new float[] {5f, 7f}, new long[] {2}, 'c')));
      assertEquals(5f, acc.average().get("w").getFloat(0), 0f);
    }
  }
}
