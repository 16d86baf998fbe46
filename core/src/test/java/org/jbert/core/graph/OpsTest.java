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
}
