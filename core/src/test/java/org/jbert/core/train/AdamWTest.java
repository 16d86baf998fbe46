package org.jbert.core.train;

import static org.jbert.core.train.PoolerNames.BIAS;
import static org.jbert.core.train.PoolerNames.KERNEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.weights.CheckpointNames;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdamWTest {

  static JsonNode golden() throws Exception {
    try (InputStream in = AdamWTest.class.getResourceAsStream("/train/golden-train-adamw.json")) {
      return new ObjectMapper().readTree(in).get("train_adamw");
    }
  }

  static float[] flatten(JsonNode n) {
    List<Float> out = new ArrayList<>();
    flattenInto(n, out);
    float[] f = new float[out.size()];
    for (int i = 0; i < f.length; i++) f[i] = out.get(i);
    return f;
  }

  private static void flattenInto(JsonNode n, List<Float> out) {
    if (n.isArray()) for (JsonNode c : n) flattenInto(c, out);
    else out.add((float) n.asDouble());
  }

  /**
   * Golden: torch 2.11 {@code torch.optim.AdamW(lr=1e-3, betas=(0.9,0.999), eps=1e-6, weight_decay=0.01)} with decay
   * off for biases and LayerNorm weights, step 0 of the tiny seqcls model (HF transformers 5.17.0, see
   * resources/train/README.md). Fed the same initial values and gradients, one jbert step must give torch's
   * parameters within 1e-6 relative.
   */
  @Test
  void oneStepMatchesTorchAdamW() throws Exception {
    JsonNode step0 = golden().get("steps").get(0);
    Map<String, TestSafetensors.Tensor> init = TestSafetensors.read("/train/seqcls-model.safetensors");
    Map<String, INDArray> params = new LinkedHashMap<>();
    Map<String, INDArray> grads = new LinkedHashMap<>();
    for (Iterator<String> it = step0.get("grads").fieldNames(); it.hasNext(); ) {
      String name = it.next();
      TestSafetensors.Tensor t = init.get(name);
      params.put(name, Nd4j.create(t.data(), t.shape(), 'c'));
      grads.put(name, Nd4j.create(flatten(step0.get("grads").get(name)), t.shape(), 'c'));
      // the golden's own per-parameter norm of this gradient (torch float32) checks our reading of it
      assertEquals(step0.get("grad_norms").get(name).asDouble(), Clipping.norm(grads.get(name)),
          1e-6 * step0.get("grad_norms").get(name).asDouble(), name);
    }
    assertEquals(4, params.size());
    try (AdamW opt = new AdamW(params, new AdamW.Hyper(1e-3, 0.9, 0.999, 1e-6, 0.01))) {
      // the golden holds two decayed weights (classifier, pooler kernel) and two excluded (LayerNorm weight, bias)
      assertEquals(2, params.keySet().stream().filter(opt::decays).count());
      opt.step(grads);
      assertEquals(1, opt.stepCount());
    }
    double worst = 0;
    int moved = 0;
    for (String name : params.keySet()) {
      float[] got = params.get(name).dup().data().asFloat();
      float[] want = flatten(step0.get("params_after").get(name));
      float[] before = init.get(name).data();
      assertEquals(want.length, got.length, name);
      for (int i = 0; i < got.length; i++) {
        double rel = Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-6);
        worst = Math.max(worst, rel);
        assertTrue(rel <= 1e-6, name + "[" + i + "]: jbert " + got[i] + " torch " + want[i]);
        if (Math.abs(want[i] - before[i]) > 1e-5 * Math.abs(want[i])) moved++;
      }
    }
    // the update is large enough that skipping it, or getting lr/bias correction wrong, would fail the comparison
    assertTrue(moved > 100, "only " + moved + " values moved");
    System.out.println("AdamW vs torch: worst relative difference " + worst);
  }

  /** Several steps against a scalar double-precision transcription of torch's formulas, with a schedule-like lr. */
  @Test
  void multipleStepsFollowTheTorchFormulas() {
    Random r = new Random(7);
    float[] p0 = new float[30];
    for (int i = 0; i < p0.length; i++) p0[i] = (float) r.nextGaussian();
    INDArray p = Nd4j.create(p0.clone(), new long[] {5, 6}, 'c');
    INDArray b = Nd4j.create(new float[] {0.5f, -0.25f, 1f}, new long[] {3}, 'c');
    Map<String, INDArray> params = new LinkedHashMap<>();
    params.put(KERNEL, p);
    params.put(BIAS, b);
    double[] ref = new double[30], m = new double[30], v = new double[30];
    for (int i = 0; i < 30; i++) ref[i] = p0[i];
    double lr0 = 0.05, b1 = 0.8, b2 = 0.95, eps = 1e-8, wd = 0.1;
    float[] biasBefore = b.dup().data().asFloat();
    try (AdamW opt = new AdamW(params, new AdamW.Hyper(lr0, b1, b2, eps, wd))) {
      for (int t = 1; t <= 6; t++) {
        double lr = lr0 * t / 6;
        float[] g = new float[30];
        for (int i = 0; i < 30; i++) g[i] = (float) r.nextGaussian();
        Map<String, INDArray> grads = Map.of(KERNEL, Nd4j.create(g, new long[] {5, 6}, 'c'),
            BIAS, Nd4j.zeros(DataType.FLOAT, 3));
        opt.step(grads, lr);
        for (int i = 0; i < 30; i++) {
          ref[i] *= 1 - lr * wd;
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
          double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
          ref[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
        }
      }
      float[] got = p.dup().data().asFloat();
      for (int i = 0; i < 30; i++) assertEquals(ref[i], got[i], 2e-6 * Math.max(1, Math.abs(ref[i])), "p[" + i + "]");
      // zero gradients and no decay on the bias: it must not move at all
      assertEquals(biasBefore[0], b.getFloat(0), 0.0);
      assertEquals(biasBefore[2], b.getFloat(2), 0.0);
      assertEquals(6, opt.stepCount());
    }
  }

  /** Saving the state and loading it into a fresh optimizer continues bit for bit. */
  @Test
  void stateRoundTripContinuesExactly() {
    INDArray g1 = Nd4j.create(new float[] {0.3f, -1.2f, 2f, 0.01f}, new long[] {2, 2}, 'c');
    INDArray g2 = Nd4j.create(new float[] {-0.5f, 0.7f, 0.2f, 3f}, new long[] {2, 2}, 'c');
    INDArray a = Nd4j.create(new float[] {1f, 2f, 3f, 4f}, new long[] {2, 2}, 'c');
    INDArray c = a.dup();
    try (AdamW o1 = new AdamW(Map.of("w", a), AdamW.Hyper.torchDefaults());
        AdamW o2 = new AdamW(Map.of("w", c), AdamW.Hyper.torchDefaults())) {
      o1.step(Map.of("w", g1));
      o1.step(Map.of("w", g2));
      o2.step(Map.of("w", g1));
      AdamW.State s = o2.state();
      AdamW.State copy = new AdamW.State(s.step(), Map.of("w", s.m().get("w").dup()), Map.of("w", s.v().get("w").dup()));
      try (AdamW o3 = new AdamW(Map.of("w", c), AdamW.Hyper.torchDefaults())) {
        o3.load(copy, "test");
        assertEquals(1, o3.stepCount());
        o3.step(Map.of("w", g2));
      }
      assertEquals(a, c);
    }
  }

  @Test
  void badInputNamesTheParameter() {
    INDArray w = Nd4j.zeros(DataType.FLOAT, 2, 3);
    try (AdamW opt = new AdamW(Map.of(KERNEL, w), AdamW.Hyper.torchDefaults())) {
      JbertException missing = assertThrows(JbertException.class, () -> opt.step(Map.of()));
      assertEquals("no gradient for parameter " + KERNEL + " at optimizer step 1", missing.getMessage());
      JbertException shape = assertThrows(JbertException.class,
          () -> opt.step(Map.of(KERNEL, Nd4j.zeros(DataType.FLOAT, 3, 2))));
      assertTrue(shape.getMessage().startsWith("gradient of " + KERNEL + " has shape [3, 2]"), shape.getMessage());
    }
    JbertException dtype = assertThrows(JbertException.class,
        () -> new AdamW(Map.of("x", Nd4j.zeros(DataType.DOUBLE, 2)), AdamW.Hyper.torchDefaults()));
    assertEquals("parameter x is DOUBLE; expected FLOAT (float32)", dtype.getMessage());
    assertThrows(JbertException.class, () -> new AdamW.Hyper(1e-3, 1.0, 0.999, 1e-8, 0));
  }

  /** Decay exclusions on the whole name table: every bias, gamma, beta and output_bias, nothing else. */
  @Test
  void noDecayRuleOnCanonicalNames() {
    BertConfig c = new BertConfig(120, 48, 3, 4, 96, Activation.GELU_TANH, 0, 0, 40, 2, 0.02, 1e-12);
    List<CheckpointNames> all = CheckpointNames.forConfig(c, CheckpointNames.Part.values());
    long noDecay = all.stream().filter(e -> CheckpointNames.isNoDecay(e.canonical())).count();
    // per layer: 6 biases + 2 LayerNorms x (gamma, beta) = 10; embeddings LN 2; pooler bias 1;
    // MLM head: dense bias + LN gamma/beta + output_bias = 4; NSP output_bias 1
    assertEquals(3 * 10 + 2 + 1 + 4 + 1, noDecay);
    for (CheckpointNames e : all) {
      boolean expected = e.shape().length == 1;  // exactly the 1-D tensors are biases and LayerNorm parameters
      assertEquals(expected, CheckpointNames.isNoDecay(e.canonical()), e.canonical());
      assertEquals(expected, CheckpointNames.isNoDecay(e.hf()), e.hf());
    }
    assertFalse(CheckpointNames.isNoDecay(CheckpointNames.WORD_EMBEDDINGS));
  }
}
