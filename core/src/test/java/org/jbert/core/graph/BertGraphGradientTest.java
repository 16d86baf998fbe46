package org.jbert.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.weights.CheckpointNames;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences against SameDiff's backprop, in float64, dropout off: every trainable variable,
 * embedding tables and LayerNorm parameters included, must get a gradient within relative error 1e-3.
 */
class BertGraphGradientTest {
  static final double H = 1e-6;
  static final double MAX_REL = 1e-3;

  @Test
  void erfGeluGradientsMatchFiniteDifferences() {
    check(tiny(Activation.GELU_ERF));
  }

  @Test
  void tanhGeluGradientsMatchFiniteDifferences() {
    check(tiny(Activation.GELU_TANH));
  }

  @Test
  void fusedGraphGradientsMatchFiniteDifferences() {
    check(tiny(Activation.GELU_TANH).withDropout(0.1, 0), true);
    check(tiny(Activation.GELU_ERF).withDropout(0.1, 0), true);
  }

  /**
   * The fused graph in training mode with every dropout on (attention probabilities included): the dropout seeds are
   * fixed, so every run draws the same masks and the loss is a smooth function of the weights.
   */
  @Test
  void fusedGraphWithDropoutGradientsMatchFiniteDifferences() {
    check(tiny(Activation.GELU_TANH), true, true);
  }

  static BertConfig tiny(Activation act) {
    return new BertConfig(13, 8, 2, 2, 12, act, 0.1, 0.1, 9, 2, 0.3, 1e-12);
  }

  static void check(BertConfig c) {
    check(c, false);
  }

  static void check(BertConfig c, boolean fused) {
    check(c, fused, false);
  }

  /**
   * With {@code fused}, the graph of fused ops (run on libnd4j's kernels in core's tests); with {@code dropout}, in
   * training mode with a fixed dropout seed (the same masks in every run).
   */
  static void check(BertConfig c, boolean fused, boolean dropout) {
    Random rnd = new Random(7);
    Nd4j.getRandom().setSeed(7);
    SameDiff sd = SameDiff.create();
    EncoderOutputs e = BertGraph.build(sd, c, DataType.DOUBLE, true, MatmulPrecision.FLOAT32, fused);
    if (dropout) {
      BertGraph.setTraining(sd, true);
      DropoutSeeds.attach(sd).setRoot(77);
    }
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() != VariableType.VARIABLE) continue;
      INDArray a = v.getArr();
      boolean gamma = v.name().endsWith("/gamma");
      for (long i = 0; i < a.length(); i++) a.putScalar(i, (gamma ? 1 : 0) + 0.3 * rnd.nextGaussian());
    }
    int b = 2, t = 5;
    int[][] ids = {{1, 5, 7, 12, 3}, {2, 9, 4, 0, 0}};
    int[][] mask = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
    int[][] types = {{0, 0, 1, 1, 1}, {0, 1, 1, 0, 0}};
    SDVariable w1 = sd.constant(Nd4j.rand(DataType.DOUBLE, b, t, c.hiddenSize()).subi(0.5));
    SDVariable w2 = sd.constant(Nd4j.rand(DataType.DOUBLE, b, c.hiddenSize()).subi(0.5));
    SDVariable loss = sd.sum(e.sequenceOutput().mul(w1)).add("loss", sd.sum(e.pooledOutput().mul(w2)));
    loss.markAsLoss();
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(BertGraph.INPUT_WORD_IDS, Nd4j.createFromArray(ids));
    ph.put(BertGraph.INPUT_MASK, Nd4j.createFromArray(mask));
    ph.put(BertGraph.INPUT_TYPE_IDS, Nd4j.createFromArray(types));

    List<String> vars = new ArrayList<>();
    for (CheckpointNames n : CheckpointNames.forConfig(c, CheckpointNames.Part.ENCODER, CheckpointNames.Part.POOLER)) {
      vars.add(n.canonical());
    }
    Map<String, INDArray> grads = sd.calculateGradients(ph, vars);
    assertEquals(vars.size(), grads.size());
    List<String> failures = new ArrayList<>();
    double worst = 0;
    int zeroGradients = 0;
    String worstName = "";
    for (String name : vars) {
      INDArray arr = sd.getVariable(name).getArr();
      INDArray grad = grads.get(name);
      assertTrue(grad != null, "no gradient for " + name);
      List<Long> picks = pick(name, arr, ids, rnd);
      for (long idx : picks) {
        double orig = arr.getDouble(idx);
        arr.putScalar(idx, orig + H);
        double up = lossValue(sd, ph);
        arr.putScalar(idx, orig - H);
        double down = lossValue(sd, ph);
        arr.putScalar(idx, orig);
        double numeric = (up - down) / (2 * H);
        double analytic = grad.getDouble(idx);
        double abs = Math.abs(numeric - analytic);
        double scale = Math.max(Math.abs(numeric), Math.abs(analytic));
        if (scale < 1e-6) {
          // The key bias has an exactly zero gradient (softmax ignores a constant added to every score of a row):
          // both sides are at rounding level there, so the test is absolute.
          zeroGradients++;
          if (abs > 1e-8) failures.add(name + "[" + idx + "] analytic " + analytic + " numeric " + numeric);
          continue;
        }
        double rel = abs / scale;
        if (rel > worst) {
          worst = rel;
          worstName = name + "[" + idx + "]";
        }
        if (rel > MAX_REL) {
          failures.add(name + "[" + idx + "] analytic " + analytic + " numeric " + numeric + " relative error " + rel);
        }
      }
    }
    failures.forEach(System.out::println);
    assertTrue(failures.isEmpty(), failures.size() + " gradient elements off, first: "
        + (failures.isEmpty() ? "" : failures.get(0)));
    System.out.printf("grad check %s fused=" + fused + " dropout=" + dropout + ": %d variables, worst relative error %.3g at %s (%d elements with a zero gradient)%n",
        c.hiddenAct(), vars.size(), worst, worstName, zeroGradients);
  }

  /** A few element indices; for tables, elements of rows the inputs actually use (other rows have zero gradient). */
  static List<Long> pick(String name, INDArray arr, int[][] ids, Random rnd) {
    List<Long> out = new ArrayList<>();
    long cols = arr.rank() == 2 ? arr.size(1) : 1;
    for (int k = 0; k < 2; k++) {
      long row;
      if (name.endsWith("word_embeddings")) {
        row = ids[rnd.nextInt(2)][rnd.nextInt(3)];
      } else if (name.endsWith("position_embeddings")) {
        row = rnd.nextInt(5);
      } else {
        row = rnd.nextInt((int) (arr.length() / cols));
      }
      out.add(row * cols + rnd.nextInt((int) cols));
    }
    return out;
  }

  static double lossValue(SameDiff sd, Map<String, INDArray> ph) {
    return sd.output(ph, "loss").get("loss").getDouble(0);
  }
}
