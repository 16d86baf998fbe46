package org.jbert.pretraining.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.CheckpointNames.Part;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Head variable names against the name table, and head gradients against central finite differences (float64). */
class PretrainingHeadsTest {
  static final BertConfig TINY = new BertConfig(13, 8, 2, 2, 12, Activation.GELU_TANH, 0, 0, 9, 2, 0.3, 1e-12);

  @Test
  void variableNamesAndShapesAreTheCheckpointNames() {
    for (boolean nsp : new boolean[] {true, false}) {
      SameDiff sd = SameDiff.create();
      PretrainingHeads.build(sd, TINY, BertGraph.build(sd, TINY), nsp, DataType.FLOAT);
      Set<String> vars = new TreeSet<>();
      for (SDVariable v : sd.variables()) {
        if (v.getVariableType() == VariableType.VARIABLE) vars.add(v.name());
      }
      List<CheckpointNames> table = nsp
          ? CheckpointNames.forConfig(TINY, Part.values())
          : CheckpointNames.forConfig(TINY, Part.ENCODER, Part.POOLER, Part.MLM_HEAD);
      Set<String> expected = new TreeSet<>();
      for (CheckpointNames e : table) {
        expected.add(e.canonical());
        assertArrayEquals(e.shape(), sd.getVariable(e.canonical()).getShape(), e.canonical());
      }
      assertEquals(expected, vars, "nsp=" + nsp);
      assertTrue(vars.contains("cls/predictions/transform/dense/kernel"));
      assertEquals(nsp, vars.contains("cls/seq_relationship/output_weights"));
    }
  }

  @Test
  void totalLossGradientsMatchFiniteDifferences() {
    Random rnd = new Random(11);
    SameDiff sd = SameDiff.create();
    EncoderOutputs enc = BertGraph.build(sd, TINY, DataType.DOUBLE);
    PretrainingOutputs heads = PretrainingHeads.build(sd, TINY, enc, true, DataType.DOUBLE);
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() != VariableType.VARIABLE) continue;
      INDArray a = v.getArr();
      boolean gamma = v.name().endsWith("/gamma");
      for (long i = 0; i < a.length(); i++) a.putScalar(i, (gamma ? 1 : 0) + 0.3 * rnd.nextGaussian());
    }
    heads.totalLoss().markAsLoss();
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(BertGraph.INPUT_WORD_IDS, Nd4j.createFromArray(new int[][] {{1, 5, 4, 12, 3}, {2, 4, 4, 0, 0}}));
    ph.put(BertGraph.INPUT_MASK, Nd4j.createFromArray(new int[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}));
    ph.put(BertGraph.INPUT_TYPE_IDS, Nd4j.createFromArray(new int[][] {{0, 0, 1, 1, 1}, {0, 1, 1, 0, 0}}));
    ph.put(PretrainingHeads.MASKED_LM_POSITIONS, Nd4j.createFromArray(new int[][] {{2, 4}, {1, 0}}));
    ph.put(PretrainingHeads.MASKED_LM_IDS, Nd4j.createFromArray(new int[][] {{7, 9}, {11, 0}}));
    ph.put(PretrainingHeads.MASKED_LM_WEIGHTS, Nd4j.createFromArray(new double[][] {{1, 1}, {1, 0}}));
    ph.put(PretrainingHeads.NEXT_SENTENCE_LABELS, Nd4j.createFromArray(new int[] {1, 0}));
    List<String> vars = new ArrayList<>();
    for (CheckpointNames e : CheckpointNames.forConfig(TINY, Part.MLM_HEAD, Part.NSP_HEAD, Part.POOLER)) {
      vars.add(e.canonical());
    }
    vars.add(CheckpointNames.WORD_EMBEDDINGS); // tied: gets gradient from the input lookup and the decoder
    vars.add("bert/encoder/layer_0/attention/self/query/kernel");
    Map<String, INDArray> grads = sd.calculateGradients(ph, vars);
    double h = 1e-6;
    double worst = 0;
    for (String name : vars) {
      INDArray arr = sd.getVariable(name).getArr();
      INDArray grad = grads.get(name);
      assertTrue(grad != null, "no gradient for " + name);
      for (int k = 0; k < 3; k++) {
        long idx = (long) rnd.nextInt((int) arr.length());
        double orig = arr.getDouble(idx);
        arr.putScalar(idx, orig + h);
        double up = loss(sd, ph);
        arr.putScalar(idx, orig - h);
        double down = loss(sd, ph);
        arr.putScalar(idx, orig);
        double numeric = (up - down) / (2 * h);
        double analytic = grad.getDouble(idx);
        double scale = Math.max(Math.max(Math.abs(numeric), Math.abs(analytic)), 1e-4);
        double rel = Math.abs(numeric - analytic) / scale;
        worst = Math.max(worst, rel);
        assertTrue(rel < 1e-4, name + "[" + idx + "] analytic " + analytic + " numeric " + numeric);
      }
    }
    System.out.printf("head grad check: %d variables, worst relative error %.3g%n", vars.size(), worst);
  }

  private static double loss(SameDiff sd, Map<String, INDArray> ph) {
    return sd.output(ph, PretrainingHeads.TOTAL_LOSS).get(PretrainingHeads.TOTAL_LOSS).getDouble(0);
  }
}
