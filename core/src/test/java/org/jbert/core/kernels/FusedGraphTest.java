package org.jbert.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.graph.MatmulPrecision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The fused graph on libnd4j's kernels against today's unfused graph, on a tiny model (H=32, N=4, I=64, 2 layers):
 * every output within 1e-5 in float32, every gradient within 1e-8 relative in float64, dropout off and on (the same
 * masks).
 */
class FusedGraphTest {
  static BertConfig tiny(Activation act) {
    return new BertConfig(40, 32, 2, 4, 64, act, 0.1, 0.1, 16, 2, 0.02, 1e-12);
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void forwardMatchesUnfusedGraph(Activation act) {
    Map<String, Double> d = KernelCheck.forward(tiny(act), DataType.FLOAT, Nd4jKernels.INSTANCE, 11);
    assertEquals(5, d.size());
    d.forEach((k, v) -> {
      System.out.printf("libnd4j fused %s %s max |diff| %.3g%n", act, k, v);
      assertTrue(v <= 1e-5, act + " " + k + " differs by " + v);
    });
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void gradientsMatchUnfusedGraph(Activation act) {
    Map<String, Double> d = KernelCheck.gradients(tiny(act), DataType.DOUBLE, Nd4jKernels.INSTANCE, 12);
    assertEquals(2 * 16 + 5 + 2, d.size()); // 16 per layer, embeddings (3 tables + LayerNorm), pooler
    d.forEach((k, v) -> assertTrue(v <= 1e-8, act + " gradient of " + k + " differs by " + v));
    System.out.printf("libnd4j fused %s gradients: worst relative diff %.3g%n", act,
        d.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow());
  }

  /**
   * One training computation with every dropout on (attention probabilities included) and the same dropout seeds in
   * both graphs: the fused graph draws the same masks, so loss and gradients match (float64, 1e-8 relative), and the
   * masks are in effect (the loss differs from the one without dropout).
   */
  @ParameterizedTest
  @EnumSource(value = Activation.class, names = {"GELU_TANH", "GELU_ERF"})
  void trainingWithDropoutMatchesUnfusedGraph(Activation act) {
    KernelCheck.Training on = KernelCheck.training(tiny(act), DataType.DOUBLE, Nd4jKernels.INSTANCE, 13, true);
    KernelCheck.Training off = KernelCheck.training(tiny(act), DataType.DOUBLE, Nd4jKernels.INSTANCE, 13, false);
    assertTrue(on.lossDiff() <= 1e-8, "loss " + on.fusedLoss() + " vs unfused " + on.plainLoss());
    assertTrue(off.lossDiff() <= 1e-8, "loss " + off.fusedLoss() + " vs unfused " + off.plainLoss());
    assertTrue(Math.abs(on.plainLoss() - off.plainLoss()) > 1e-3 * Math.abs(off.plainLoss()),
        "dropout changed nothing: " + on.plainLoss() + " vs " + off.plainLoss());
    assertEquals(2 * 16 + 5 + 2, on.gradients().size());
    on.gradients().forEach((k, v) -> assertTrue(v <= 1e-8, act + " dropout gradient of " + k + " differs by " + v));
    System.out.printf("libnd4j fused %s with dropout: loss %.6f vs %.6f, worst gradient diff %.3g%n", act,
        on.fusedLoss(), on.plainLoss(), on.worstGradient(null));
  }

  @Test
  void fusedGraphRejectsWhatItDoesNotBuild() {
    BertConfig c = tiny(Activation.GELU_TANH);
    JbertException e = assertThrows(JbertException.class,
        () -> BertGraph.build(SameDiff.create(), c, DataType.FLOAT, true, MatmulPrecision.BF16, true));
    assertTrue(e.getMessage().contains("BF16"), e.getMessage());
  }

  @Test
  void unknownKernelPathIsNamed() {
    JbertException e = assertThrows(JbertException.class, () -> KernelRuntime.resolve("cuda"));
    assertTrue(e.getMessage().contains("JBERT_KERNELS=cuda") && e.getMessage().contains("libnd4j"), e.getMessage());
    assertEquals(Nd4jKernels.INSTANCE, KernelRuntime.resolve(" LIBND4J "));
  }
}
