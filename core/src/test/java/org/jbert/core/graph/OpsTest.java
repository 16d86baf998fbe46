package org.jbert.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.api.Test;

class OpsTest {
  /**
   * Inverted dropout in training mode: output x*m/(1-p) and gradient w*m/(1-p) with the same mask m in one pass;
   * in inference mode the identity with gradient w.
   */
  @Test
  void dropoutHasTheInvertedDropoutGradient() {
    SameDiff sd = SameDiff.create();
    double[] xs = new double[400], ws = new double[400];
    for (int i = 0; i < 400; i++) {
      xs[i] = i + 1;
      ws[i] = 0.5 * (i + 1);
    }
    SDVariable x = sd.var("x", Nd4j.createFromArray(xs));
    SDVariable training = sd.constant("training", Nd4j.scalar(DataType.DOUBLE, 1));
    INDArray wArr = Nd4j.createFromArray(ws);
    SDVariable y = Ops.dropout(x, training, 0.25);
    sd.identity("y", y);
    sd.sum("loss", y.mul(sd.constant(wArr))).markAsLoss();
    OutAndGrad r = sd.calculateGradientsAndOutputs(Map.of(), List.of("y"), List.of("x"));
    INDArray out = r.getOutputs().get("y");
    INDArray grad = r.getGradients().get("x");
    int dropped = 0;
    for (int i = 0; i < 400; i++) {
      double xi = i + 1, wi = 0.5 * (i + 1);
      if (out.getDouble(i) == 0) {
        dropped++;
        assertEquals(0.0, grad.getDouble(i), 1e-12);
      } else {
        assertEquals(xi / 0.75, out.getDouble(i), 1e-9);
        assertEquals(wi / 0.75, grad.getDouble(i), 1e-9);
      }
    }
    assertTrue(dropped > 60 && dropped < 140, "dropped " + dropped + " of 400 at rate 0.25");
    sd.getVariable("training").getArr().assign(0);
    OutAndGrad inf = sd.calculateGradientsAndOutputs(Map.of(), List.of("y"), List.of("x"));
    assertEquals(x.getArr(), inf.getOutputs().get("y"));
    assertEquals(wArr, inf.getGradients().get("x"));
  }

  /** LayerNorm with its epsilon: [[1,2,3],[2,2,2]] by hand. */
  @Test
  void layerNormUsesEpsilon() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.constant(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {2, 2, 2}}));
    SDVariable g = sd.constant(Nd4j.createFromArray(2.0, 2.0, 2.0));
    SDVariable b = sd.constant(Nd4j.createFromArray(1.0, 1.0, 1.0));
    sd.identity("y", Ops.layerNorm(x, g, b, 0.5));
    INDArray y = sd.output(Map.of(), "y").get("y");
    double s = Math.sqrt(2.0 / 3 + 0.5);
    assertEquals(1 - 2 / s, y.getDouble(0, 0), 1e-12);
    assertEquals(1 + 2 / s, y.getDouble(0, 2), 1e-12);
    assertEquals(1.0, y.getDouble(1, 1), 1e-12); // zero variance: eps keeps it finite
  }

  /**
   * {@link Ops#tanh} (libnd4j's declarable tanh) equals Math.tanh over [-8,8] in float32, and its gradient
   * w*(1 - tanh(x)^2); the GELU built on it equals 0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3))) computed in double.
   */
  @Test
  void nativeTanhAndTanhGeluMatchTheFormulas() {
    SameDiff sd = SameDiff.create();
    int n = 321;
    float[] xs = new float[n], ws = new float[n];
    for (int i = 0; i < n; i++) {
      xs[i] = -8f + 16f * i / (n - 1);
      ws[i] = 0.25f + (i % 7);
    }
    SDVariable x = sd.var("x", Nd4j.createFromArray(xs));
    SDVariable t = sd.identity("t", Ops.tanh(x));
    SDVariable g = sd.identity("g", Ops.activation(x, org.jbert.core.config.Activation.GELU_TANH));
    sd.sum("loss", t.mul(sd.constant(Nd4j.createFromArray(ws)))).markAsLoss();
    OutAndGrad r = sd.calculateGradientsAndOutputs(Map.of(), List.of("t", "g"), List.of("x"));
    INDArray out = r.getOutputs().get("t"), gelu = r.getOutputs().get("g"), grad = r.getGradients().get("x");
    for (int i = 0; i < n; i++) {
      double xi = xs[i], th = Math.tanh(xi);
      assertEquals(th, out.getDouble(i), 1e-6, "tanh at x=" + xi);
      assertEquals(ws[i] * (1 - th * th), grad.getDouble(i), 1e-5, "tanh gradient at x=" + xi);
      double ref = 0.5 * xi * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (xi + 0.044715 * xi * xi * xi)));
      assertEquals(ref, gelu.getDouble(i), 1e-5 * Math.max(1, Math.abs(ref)), "gelu at x=" + xi);
    }
  }
}
