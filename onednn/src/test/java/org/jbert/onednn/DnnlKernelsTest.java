package org.jbert.onednn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.kernels.KernelCheck;
import org.jbert.core.kernels.KernelRuntime;
import org.jbert.core.kernels.KernelSession;
import org.jbert.core.kernels.Nd4jKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused graph on oneDNN against today's unfused graph on a tiny model (H=32, N=4, I=64, 2 layers, B=3, T=7 with
 * padding): every output within 1e-5 and every gradient within 1e-5 relative (float32), dropout off and on (the same
 * masks), with every fused op, the gradient ops included, run on oneDNN; a type oneDNN does not take (float64) and a
 * strided view fall back to libnd4j's numbers exactly.
 */
class DnnlKernelsTest {
  static final DnnlKernels DNNL = DnnlKernels.create();

  static BertConfig tiny(Activation act) {
    return new BertConfig(40, 32, 2, 4, 64, act, 0.1, 0.1, 16, 2, 0.02, 1e-12);
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void forwardMatchesUnfusedGraph(Activation act) {
    Map<String, Double> d = KernelCheck.forward(tiny(act), DataType.FLOAT, DNNL, 21);
    assertEquals(5, d.size());
    d.forEach((k, v) -> {
      System.out.printf("onednn fused %s %s max |diff| %.3g%n", act, k, v);
      assertTrue(v <= 1e-5, act + " " + k + " differs by " + v);
    });
  }

  @ParameterizedTest
  @EnumSource(value = Activation.class, names = {"GELU_TANH", "GELU_ERF"})
  void gradientsMatchUnfusedGraph(Activation act) {
    int fallbacks = KernelSession.fallbacksLogged();
    Map<String, Double> d = KernelCheck.gradients(tiny(act), DataType.FLOAT, DNNL, 22);
    assertEquals(2 * 16 + 5 + 2, d.size());
    double worst = 0;
    for (Map.Entry<String, Double> e : d.entrySet()) {
      // the key bias's true gradient is 0: float32 rounding noise on both sides, measured against the 1e-6 floor
      if (e.getKey().endsWith("key/bias")) continue;
      worst = Math.max(worst, e.getValue());
      assertTrue(e.getValue() <= 1e-5, act + " gradient of " + e.getKey() + " differs by " + e.getValue());
    }
    assertEquals(fallbacks, KernelSession.fallbacksLogged(), "a fused op fell back to libnd4j");
    System.out.printf("onednn fused %s gradients: worst relative diff %.3g%n", act, worst);
  }

  /**
   * A training computation with every dropout on and the same seeds in both graphs: the fused graph on oneDNN draws
   * the unfused graph's masks, so loss and gradients match within 1e-5 relative (float32).
   */
  @ParameterizedTest
  @EnumSource(value = Activation.class, names = {"GELU_TANH", "GELU_ERF"})
  void trainingWithDropoutMatchesUnfusedGraph(Activation act) {
    int fallbacks = KernelSession.fallbacksLogged();
    KernelCheck.Training on = KernelCheck.training(tiny(act), DataType.FLOAT, DNNL, 24, true);
    assertTrue(on.lossDiff() <= 1e-5, "loss " + on.fusedLoss() + " vs unfused " + on.plainLoss());
    assertEquals(2 * 16 + 5 + 2, on.gradients().size());
    on.gradients().forEach((k, v) -> {
      if (!k.endsWith("key/bias")) assertTrue(v <= 1e-5, act + " dropout gradient of " + k + " differs by " + v);
    });
    assertEquals(fallbacks, KernelSession.fallbacksLogged(), "a fused op fell back to libnd4j");
    System.out.printf("onednn fused %s with dropout: loss %.6f vs %.6f, worst gradient diff %.3g%n", act,
        on.fusedLoss(), on.plainLoss(), on.worstGradient("key/bias"));
  }

  /** Each gradient kernel on oneDNN against libnd4j's on random arrays (with and without dropout or residual). */
  @Test
  void gradientKernelsMatchLibnd4j() {
    int b = 3;
    int t = 6;
    int h = 16;
    int heads = 4;
    INDArray q = rnd(b * t, h);
    INDArray k = rnd(b * t, h);
    INDArray v = rnd(b * t, h);
    INDArray dc = rnd(b * t, h);
    INDArray mask = Nd4j.zeros(DataType.FLOAT, b, 1, 1, t);
    mask.putScalar(new long[] {1, 0, 0, t - 1}, -10000);
    INDArray keep = Nd4j.rand(DataType.FLOAT, b, heads, t, t).gte(0.1).castTo(DataType.FLOAT).muli(1 / 0.9);
    for (INDArray kp : new INDArray[] {null, keep}) {
      INDArray[] a = zeros(new long[] {b * t, h}, new long[] {b * t, h}, new long[] {b * t, h}, mask.shape());
      INDArray[] r = zeros(new long[] {b * t, h}, new long[] {b * t, h}, new long[] {b * t, h}, mask.shape());
      assertTrue(DNNL.attentionGrad(q, k, v, mask, kp, dc, heads, 0.5, a[0], a[1], a[2], a[3]));
      Nd4jKernels.INSTANCE.attentionGrad(q, k, v, mask, kp, dc, heads, 0.5, r[0], r[1], r[2], r[3]);
      assertClose("attention grad, dropout " + (kp != null), a, r);
      INDArray out = Nd4j.zeros(DataType.FLOAT, b * t, h);
      INDArray ref = Nd4j.zeros(DataType.FLOAT, b * t, h);
      assertTrue(DNNL.attention(q, k, v, mask, kp, heads, 0.5, out));
      Nd4jKernels.INSTANCE.attention(q, k, v, mask, kp, heads, 0.5, ref);
      assertClose("attention, dropout " + (kp != null), new INDArray[] {out}, new INDArray[] {ref});
    }
    INDArray w = rnd(h, 24);
    INDArray bias = rnd(24);
    INDArray dy = rnd(b * t, 24);
    for (Activation act : new Activation[] {null, Activation.GELU_TANH, Activation.GELU_ERF, Activation.RELU}) {
      INDArray[] a = zeros(q.shape(), w.shape(), bias.shape());
      INDArray[] r = zeros(q.shape(), w.shape(), bias.shape());
      assertTrue(DNNL.denseGrad(q, w, bias, act, dy, a[0], a[1], a[2]));
      Nd4jKernels.INSTANCE.denseGrad(q, w, bias, act, dy, r[0], r[1], r[2]);
      assertClose("dense grad " + act, a, r);
    }
    INDArray gamma = rnd(h).addi(1);
    for (INDArray res : new INDArray[] {null, v}) {
      INDArray[] a = zeros(q.shape(), gamma.shape(), gamma.shape());
      INDArray[] r = zeros(q.shape(), gamma.shape(), gamma.shape());
      assertTrue(DNNL.layerNormGrad(q, res, gamma, 1e-12, dc, a[0], a[1], a[2]));
      Nd4jKernels.INSTANCE.layerNormGrad(q, res, gamma, 1e-12, dc, r[0], r[1], r[2]);
      assertClose("layer norm grad, residual " + (res != null), a, r);
    }
  }

  private static INDArray rnd(long... shape) {
    return Nd4j.rand(DataType.FLOAT, shape).subi(0.5);
  }

  private static INDArray[] zeros(long[]... shapes) {
    INDArray[] a = new INDArray[shapes.length];
    for (int i = 0; i < shapes.length; i++) a[i] = Nd4j.zeros(DataType.FLOAT, shapes[i]);
    return a;
  }

  /** Every output within 1e-5 of the largest |reference| (and that reference not all zero). */
  private static void assertClose(String what, INDArray[] actual, INDArray[] ref) {
    for (int i = 0; i < ref.length; i++) {
      double scale = ref[i].amaxNumber().doubleValue();
      assertTrue(scale > 0, what + " output " + i + " is all zero");
      double d = KernelCheck.maxAbs(actual[i], ref[i]) / scale;
      assertTrue(d <= 1e-5, what + " output " + i + " differs by " + d + " relative");
    }
  }

  @Test
  void float64FallsBackToLibnd4jExactly() {
    int before = KernelSession.fallbacksLogged();
    Map<String, Double> viaDnnl = KernelCheck.forward(tiny(Activation.GELU_ERF), DataType.DOUBLE, DNNL, 23);
    Map<String, Double> viaNd4j = KernelCheck.forward(tiny(Activation.GELU_ERF), DataType.DOUBLE,
        Nd4jKernels.INSTANCE, 23);
    assertEquals(viaNd4j, viaDnnl);
    assertTrue(KernelSession.fallbacksLogged() > before, "no fallback was logged");
  }

  @Test
  void declinesWhatItCannotDescribe() {
    INDArray x = Nd4j.rand(DataType.FLOAT, 6, 8);
    INDArray w = Nd4j.rand(DataType.FLOAT, 8, 4);
    INDArray b = Nd4j.rand(DataType.FLOAT, 4);
    INDArray out = Nd4j.zeros(DataType.FLOAT, 6, 4);
    assertFalse(DNNL.dense(x.transpose().transpose().dup('f'), w, b, null, out), "f-ordered input");
    assertFalse(DNNL.dense(x.castTo(DataType.DOUBLE), w.castTo(DataType.DOUBLE), b.castTo(DataType.DOUBLE), null,
        out.castTo(DataType.DOUBLE)), "float64");
    assertEquals(0.0, out.sumNumber().doubleValue(), "a declined call wrote its output");
    assertTrue(DNNL.dense(x, w, b, Activation.GELU_TANH, out));
    INDArray ref = Nd4j.zeros(DataType.FLOAT, 6, 4);
    Nd4jKernels.INSTANCE.dense(x, w, b, Activation.GELU_TANH, ref);
    assertTrue(KernelCheck.maxAbs(out, ref) <= 1e-6, "dense differs by " + KernelCheck.maxAbs(out, ref));
  }

  @Test
  void attentionAcrossGrowingAndShrinkingShapesMatchesLibnd4j() {
    int h = 16;
    int heads = 2;
    for (int[] bt : new int[][] {{2, 5}, {3, 9}, {1, 4}, {4, 12}, {1, 1}}) {
      int b = bt[0];
      int t = bt[1];
      INDArray q = Nd4j.rand(DataType.FLOAT, b * t, h).subi(0.5);
      INDArray k = Nd4j.rand(DataType.FLOAT, b * t, h).subi(0.5);
      INDArray v = Nd4j.rand(DataType.FLOAT, b * t, h).subi(0.5);
      INDArray mask = Nd4j.zeros(DataType.FLOAT, b, 1, 1, t);
      mask.putScalar(new long[] {0, 0, 0, t - 1}, -10000);
      INDArray out = Nd4j.zeros(DataType.FLOAT, b * t, h);
      INDArray ref = Nd4j.zeros(DataType.FLOAT, b * t, h);
      assertTrue(DNNL.attention(q, k, v, mask, null, heads, 0.25, out));
      Nd4jKernels.INSTANCE.attention(q, k, v, mask, null, heads, 0.25, ref);
      double d = KernelCheck.maxAbs(out, ref);
      assertTrue(d <= 1e-6, "B=" + b + " T=" + t + ": attention differs by " + d);
    }
  }

  @Test
  void serviceLoaderFindsOnednnByDefault() {
    assertEquals(DnnlKernels.NAME, KernelRuntime.resolve(null).name());
    assertEquals(DnnlKernels.NAME, KernelRuntime.resolve("onednn").name());
    assertEquals(Nd4jKernels.NAME, KernelRuntime.resolve("libnd4j").name());
  }
}
