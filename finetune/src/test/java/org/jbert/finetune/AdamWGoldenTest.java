package org.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jbert.core.train.AdamW;
import org.jbert.core.train.Trainable.LossAndGradients;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Four AdamW steps on the hf-tiny-bert seqcls model with the golden batch, against golden.json {@code train_adamw}
 * (torch.optim.AdamW lr 1e-3, betas 0.9/0.999, eps 1e-6, weight decay 0.01 except biases and LayerNorm, no clipping,
 * no schedule; Hugging Face transformers 5.17.0 / torch 2.11 float32): the loss before each update and the global
 * gradient norm within 1e-5 / 1e-4 relative, and four parameters after the first update within 1e-6 absolute.
 */
class AdamWGoldenTest {
  @Test
  void fourStepsMatchTorch() {
    JsonNode golden = HfTiny.golden().get("train_adamw");
    int[] labels = HfTiny.ints1(golden.get("labels"));
    try (TaskModel m = TaskModelFiles.fromHuggingFace(HfTiny.folder("seqcls"));
        Batch b = Batch.classification(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), labels);
        AdamW adam = new AdamW(m.parameters(), new AdamW.Hyper(1e-3, 0.9, 0.999, 1e-6, 0.01))) {
      List<CheckpointNames> table = m.tableEntries();
      for (int step = 0; step < 4; step++) {
        JsonNode g = golden.get("steps").get(step);
        LossAndGradients lg = m.lossAndGradients(b);
        double norm = 0;
        for (INDArray x : lg.gradients().values()) norm += Math.pow(x.norm2Number().doubleValue(), 2);
        norm = Math.sqrt(norm);
        double lossRel = Math.abs(lg.loss() - g.get("loss").asDouble()) / g.get("loss").asDouble();
        double normRel = Math.abs(norm - g.get("global_grad_norm").asDouble()) / g.get("global_grad_norm").asDouble();
        System.out.printf("step %d loss %.8f (HF %.8f, rel %.2g) grad norm %.8f (HF %.8f, rel %.2g)%n", step,
            lg.loss(), g.get("loss").asDouble(), lossRel, norm, g.get("global_grad_norm").asDouble(), normRel);
        assertTrue(lossRel <= 1e-5, "step " + step + " loss rel " + lossRel);
        assertTrue(normRel <= 1e-4, "step " + step + " grad norm rel " + normRel);
        adam.step(lg.gradients());
        if (step == 0) {
          for (Iterator<Map.Entry<String, JsonNode>> it = g.get("params_after").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            CheckpointNames entry = CheckpointNames.byHuggingFace(table, e.getKey()).orElseThrow();
            INDArray p = m.parameters().get(entry.canonical());
            double[] ours = (entry.transposed() ? p.transpose() : p).dup('c').data().asDouble();
            double diff = HfTiny.maxAbsDiff(ours, HfTiny.flat(e.getValue()));
            System.out.printf("after step 0: %s max abs diff %.3g%n", entry.canonical(), diff);
            assertTrue(diff <= 1e-6, entry.canonical() + " after step 0 differs by " + diff);
          }
        }
      }
    }
  }
}
