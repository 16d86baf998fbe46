package org.jbert.core.kernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.graph.DropoutSeeds;
import org.jbert.core.graph.MatmulPrecision;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs one config's encoder twice on the same random weights and inputs, as today's unfused graph (SameDiff's own
 * session) and as the fused graph on given {@link Kernels}, and reports how far apart they are: per output (embedding
 * output, each layer, sequence and pooled output) for the forward pass, and per trainable variable for the gradients
 * of {@code sum(sequence_output * w1) + sum(pooled_output * w2)}. The parity tests and bench's self-check use it.
 *
 * <p>Weights: N(0, 0.3) (gamma 1 + N(0, 0.3)), so activations are of order 1; inputs B=3, T=7 with padding in two
 * rows. Without dropout both graphs are built with dropout probabilities 0 (as inference models are); with dropout
 * ({@link #training}) they keep the config's, run in training mode, and each has a {@link DropoutSeeds} set to the
 * same root seed, so both draw the same masks.
 */
public final class KernelCheck {
  private static final String LOSS = "check_loss";

  private KernelCheck() {}

  /** Largest |fused - unfused| per output. */
  public static Map<String, Double> forward(BertConfig config, DataType dtype, Kernels kernels, long seed) {
    Pair p = new Pair(config, dtype, kernels, seed, false);
    try {
      List<String> outs = new ArrayList<>(List.of(BertGraph.EMBEDDING_OUTPUT));
      for (int l = 0; l < p.config.numHiddenLayers(); l++) outs.add(BertGraph.encoderOutputName(l));
      outs.add(BertGraph.SEQUENCE_OUTPUT);
      outs.add(BertGraph.POOLED_OUTPUT);
      String[] names = outs.toArray(new String[0]);
      Map<String, INDArray> a = p.plain.output(p.inputs, names);
      Map<String, INDArray> b = p.fused.output(p.inputs, names);
      Map<String, Double> diffs = new LinkedHashMap<>();
      for (String n : names) diffs.put(n, maxAbs(a.get(n), b.get(n)));
      return diffs;
    } finally {
      p.close();
    }
  }

  /**
   * Largest |fused - unfused| / max(largest |unfused|, 1e-6) of each trainable variable's gradient, dropout off.
   */
  public static Map<String, Double> gradients(BertConfig config, DataType dtype, Kernels kernels, long seed) {
    return training(config, dtype, kernels, seed, false).gradients();
  }

  /**
   * The loss of each graph and the gradients' differences as {@link #gradients}, from one training step's
   * computation; with {@code dropout}, in training mode with the same dropout seeds in both graphs.
   */
  public static Training training(BertConfig config, DataType dtype, Kernels kernels, long seed, boolean dropout) {
    Pair p = new Pair(config, dtype, kernels, seed, dropout);
    try {
      List<String> vars = new ArrayList<>();
      for (SDVariable v : p.plain.variables()) {
        if (v.getVariableType() == VariableType.VARIABLE) vars.add(v.name());
      }
      p.addLoss(p.plain);
      p.addLoss(p.fused);
      OutAndGrad a = p.plain.calculateGradientsAndOutputs(p.inputs, List.of(LOSS), vars);
      p.fused.createGradFunction();
      SameDiff gradFn = p.fused.getFunction("grad");
      gradFn.getSessions().put(Thread.currentThread().getId(), new KernelSession(gradFn, kernels));
      OutAndGrad b = p.fused.calculateGradientsAndOutputs(p.inputs, List.of(LOSS), vars);
      Map<String, Double> diffs = new LinkedHashMap<>();
      for (String n : vars) {
        INDArray ga = a.getGradients().get(n);
        // floor 1e-6: the key bias's true gradient is 0 (softmax ignores a constant added to a row's scores), both
        // sides hold rounding noise there
        double scale = Math.max(ga.amaxNumber().doubleValue(), 1e-6);
        diffs.put(n, maxAbs(ga, b.getGradients().get(n)) / scale);
      }
      return new Training(a.getOutputs().get(LOSS).getDouble(0), b.getOutputs().get(LOSS).getDouble(0), diffs);
    } finally {
      p.close();
    }
  }

  /**
   * One training computation on both graphs.
   *
   * @param plainLoss the unfused graph's loss
   * @param fusedLoss the fused graph's loss
   * @param gradients per trainable variable, the relative difference of the two gradients
   */
  public record Training(double plainLoss, double fusedLoss, Map<String, Double> gradients) {
    /** |fused - plain| / |plain|. */
    public double lossDiff() {
      return Math.abs(fusedLoss - plainLoss) / Math.abs(plainLoss);
    }

    /** The largest relative gradient difference, skipping variables whose name ends with {@code skipSuffix}. */
    public double worstGradient(String skipSuffix) {
      return gradients.entrySet().stream().filter(e -> skipSuffix == null || !e.getKey().endsWith(skipSuffix))
          .mapToDouble(Map.Entry::getValue).max().orElseThrow();
    }
  }

  /** max |a - b| over all elements, in float64. */
  public static double maxAbs(INDArray a, INDArray b) {
    // castTo returns the array itself when it is float64 already: nothing here may be closed
    return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
  }

  /** The two graphs with the same weights, and the inputs. */
  private static final class Pair {
    final BertConfig config;
    final SameDiff plain = SameDiff.create();
    final SameDiff fused = SameDiff.create();
    final Map<String, INDArray> inputs = new LinkedHashMap<>();
    final long seed;

    Pair(BertConfig c, DataType dtype, Kernels kernels, long seed, boolean dropout) {
      this.config = dropout ? c : c.withDropout(0, 0);
      this.seed = seed;
      BertGraph.build(plain, config, dtype, true, MatmulPrecision.FLOAT32, false);
      BertGraph.build(fused, config, dtype, true, MatmulPrecision.FLOAT32, true);
      if (dropout) {
        for (SameDiff sd : List.of(plain, fused)) {
          BertGraph.setTraining(sd, true);
          DropoutSeeds.attach(sd).setRoot(seed * 31 + 7);
        }
      }
      Random rnd = new Random(seed);
      for (SDVariable v : plain.variables()) {
        if (v.getVariableType() != VariableType.VARIABLE) continue;
        INDArray a = v.getArr();
        boolean gamma = v.name().endsWith("/gamma");
        for (long i = 0; i < a.length(); i++) a.putScalar(i, (gamma ? 1 : 0) + 0.3 * rnd.nextGaussian());
        fused.getVariable(v.name()).getArr().assign(a);
      }
      int b = 3;
      int t = 7;
      int[][] ids = new int[b][t];
      int[][] mask = new int[b][t];
      int[][] types = new int[b][t];
      for (int i = 0; i < b; i++) {
        int len = t - 2 * i;
        for (int j = 0; j < t; j++) {
          ids[i][j] = j < len ? rnd.nextInt(config.vocabSize()) : 0;
          mask[i][j] = j < len ? 1 : 0;
          types[i][j] = j < len / 2 ? 0 : Math.min(1, config.typeVocabSize() - 1);
        }
      }
      inputs.put(BertGraph.INPUT_WORD_IDS, Nd4j.createFromArray(ids));
      inputs.put(BertGraph.INPUT_MASK, Nd4j.createFromArray(mask));
      inputs.put(BertGraph.INPUT_TYPE_IDS, Nd4j.createFromArray(types));
      fused.getSessions().put(Thread.currentThread().getId(), new KernelSession(fused, kernels));
    }

    void addLoss(SameDiff sd) {
      Random rnd = new Random(seed + 1);
      DataType dt = sd.getVariable(BertGraph.SEQUENCE_OUTPUT).dataType();
      int h = config.hiddenSize();
      INDArray w1 = Nd4j.create(dt, 3, 7, h);
      INDArray w2 = Nd4j.create(dt, 3, h);
      for (long i = 0; i < w1.length(); i++) w1.putScalar(i, rnd.nextDouble() - 0.5);
      for (long i = 0; i < w2.length(); i++) w2.putScalar(i, rnd.nextDouble() - 0.5);
      SDVariable seq = sd.getVariable(BertGraph.SEQUENCE_OUTPUT);
      SDVariable pooled = sd.getVariable(BertGraph.POOLED_OUTPUT);
      SDVariable loss = sd.sum(seq.mul(sd.constant(w1))).add(LOSS, sd.sum(pooled.mul(sd.constant(w2))));
      loss.markAsLoss();
    }

    void close() {
      inputs.values().forEach(INDArray::close);
      for (SameDiff sd : List.of(plain, fused)) {
        for (SDVariable v : sd.variables()) {
          INDArray a = v.getVariableType() == VariableType.VARIABLE
              || v.getVariableType() == VariableType.CONSTANT ? v.getArr() : null;
          if (a != null && a.closeable() && !a.wasClosed()) a.close();
        }
      }
    }
  }
}
