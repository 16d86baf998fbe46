package org.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbert.core.train.Trainable.LossAndGradients;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training math behind the optimizer: {@link TaskModel#lossAndGradients} on the hf-tiny-bert seqcls model and
 * the golden batch gives HF's step-0 loss and, for every parameter, HF's gradient (golden.json {@code train_adamw}
 * step 0 from Hugging Face transformers 5.17.0 / torch 2.11: per-parameter gradient norms, the global norm, and the
 * full gradients of four parameters). The key biases' gradients are exactly 0 in exact arithmetic (see below);
 * their "non-zero" gradients are rounding noise on both sides.
 */
class GradientParityTest {
  private static final double RTOL = 1e-4;

  @Test
  void gradientsReachEveryVariableAndMatchHf() {
    JsonNode step0 = HfTiny.golden().get("train_adamw").get("steps").get(0);
    int[] labels = HfTiny.ints1(HfTiny.golden().get("train_adamw").get("labels"));
    try (TaskModel m = TaskModelFiles.fromHuggingFace(HfTiny.folder("seqcls"));
        Batch b = Batch.classification(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), labels)) {
      LossAndGradients lg = m.lossAndGradients(b);
      // Every trainable variable, encoder and head, gets a non-zero gradient.
      List<String> vars = m.trainableVariables();
      assertEquals(Set.copyOf(vars), lg.gradients().keySet());
      assertTrue(vars.contains("output_weights") && vars.contains("bert/embeddings/word_embeddings"), vars::toString);
      for (String v : vars) {
        INDArray g = lg.gradients().get(v);
        assertNotNull(g, v);
        assertTrue(g.norm2Number().doubleValue() > 0, "zero gradient for " + v);
      }

      double lossRel = Math.abs(lg.loss() - step0.get("loss").asDouble()) / step0.get("loss").asDouble();
      System.out.printf("step-0 loss %.8f vs HF %.8f (rel %.3g)%n", lg.loss(), step0.get("loss").asDouble(), lossRel);
      assertTrue(lossRel < 1e-5, "loss rel diff " + lossRel);

      // Per-parameter gradient norms, by HF name through the one name table.
      List<CheckpointNames> table = m.tableEntries();
      JsonNode norms = step0.get("grad_norms");
      Set<String> seen = new HashSet<>();
      double worst = 0;
      int checked = 0;
      String worstName = "";
      for (Iterator<Map.Entry<String, JsonNode>> it = norms.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        CheckpointNames entry = CheckpointNames.byHuggingFace(table, e.getKey()).orElseThrow();
        seen.add(entry.canonical());
        double ours = lg.gradients().get(entry.canonical()).norm2Number().doubleValue();
        if (entry.canonical().endsWith("attention/self/key/bias")) {
          // The key bias adds q.b to every score of a row, which softmax ignores: its exact gradient is 0 and both
          // sides hold float32 rounding noise (~1e-10), so it is checked against an absolute bound instead.
          assertTrue(ours < 1e-8 && e.getValue().asDouble() < 1e-8, entry.canonical() + " " + ours);
          continue;
        }
        double rel = Math.abs(ours - e.getValue().asDouble()) / e.getValue().asDouble();
        if (rel > worst) {
          worst = rel;
          worstName = entry.canonical();
        }
        checked++;
        assertTrue(rel <= RTOL, entry.canonical() + " gradient norm " + ours + " vs HF " + e.getValue() + " rel "
            + rel);
      }
      System.out.printf("%d of %d gradient norms vs HF (key biases aside): worst relative diff %.3g (%s)%n", checked,
          norms.size(), worst, worstName);
      assertEquals(Set.copyOf(vars), seen, "golden covers every variable");
      double global = 0;
      for (INDArray g : lg.gradients().values()) global += Math.pow(g.norm2Number().doubleValue(), 2);
      global = Math.sqrt(global);
      double globalRel = Math.abs(global - step0.get("global_grad_norm").asDouble())
          / step0.get("global_grad_norm").asDouble();
      System.out.printf("global gradient norm %.8f vs HF %.8f (rel %.3g)%n", global,
          step0.get("global_grad_norm").asDouble(), globalRel);
      assertTrue(globalRel <= RTOL, "global norm rel " + globalRel);

      // Full gradients of four parameters, element by element (HF layout: Linear weights transposed).
      List<String> report = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = step0.get("grads").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        CheckpointNames entry = CheckpointNames.byHuggingFace(table, e.getKey()).orElseThrow();
        INDArray g = lg.gradients().get(entry.canonical());
        double[] ours = (entry.transposed() ? g.transpose() : g).dup('c').data().asDouble();
        double[] hf = HfTiny.flat(e.getValue());
        double diff = HfTiny.maxAbsDiff(ours, hf);
        double scale = 0;
        for (double v : hf) scale = Math.max(scale, Math.abs(v));
        report.add(String.format("%s max abs diff %.3g (max |g| %.3g)", entry.canonical(), diff, scale));
        assertTrue(diff <= RTOL * scale, entry.canonical() + " gradient max abs diff " + diff + " > 1e-4 x " + scale);
      }
      report.forEach(System.out::println);
    }
  }
}
