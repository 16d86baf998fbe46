package org.jbert.pretraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.jbert.pretraining.heads.PretrainingHeads;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Parity of the pretraining heads and losses with Hugging Face {@code BertForPreTraining}: golden.json's
 * {@code pretraining} section (HF transformers 5.17.0, float32 CPU, dropout 0; see hf-tiny-bert/README.md), computed
 * on the same 3 x 16 batch with its mlm_labels (-100 = not predicted) and nsp_labels. Logits to 1e-4 max abs,
 * losses to 1e-5 relative.
 */
class PretrainingParityTest {
  static final double LOGIT_TOL = 1e-4;
  static final double LOSS_REL_TOL = 1e-5;

  @Test
  void logitsAndLossesMatchHuggingFace() {
    JsonNode g = HfTiny.golden();
    JsonNode p = g.get("pretraining");
    int[][] ids = HfTiny.ints(g.get("input_ids"));
    int[][] mask = HfTiny.ints(g.get("attention_mask"));
    int[][] types = HfTiny.ints(g.get("token_type_ids"));
    int[][] labels = HfTiny.ints(p.get("mlm_labels"));
    int[] nsp = HfTiny.ints1(p.get("nsp_labels"));
    try (PretrainingModel m = PretrainingModel.fromHuggingFace(HfTiny.folder())) {
      System.out.println("import: " + m.importReport().orElseThrow().summary());
      assertTrue(m.importReport().orElseThrow().complete(), m.importReport().orElseThrow().summary());
      assertTrue(m.freshlyInitialized().isEmpty(), "every head weight comes from the HF folder");

      try (PretrainingResult r = m.predict(ids, mask, types)) {
        assertEquals(3, r.predictionLogits().rank());
        assertEquals(120, r.predictionLogits().size(2));
        double dl = HfTiny.maxAbsDiff(HfTiny.vals(r.predictionLogits()), HfTiny.flat(p.get("prediction_logits")));
        double ds = HfTiny.maxAbsDiff(HfTiny.vals(r.seqRelationshipLogits()),
            HfTiny.flat(p.get("seq_relationship_logits")));
        System.out.printf("parity prediction_logits max abs diff %.3g, seq_relationship_logits %.3g%n", dl, ds);
        assertTrue(dl <= LOGIT_TOL, "prediction_logits differ from HF by " + dl);
        assertTrue(ds <= LOGIT_TOL, "seq_relationship_logits differ from HF by " + ds);
      }

      PretrainingLoss hf = m.lossHuggingFace(ids, mask, types, labels, nsp);
      double dm = HfTiny.relDiff(hf.mlm(), p.get("mlm_loss").asDouble());
      double dn = HfTiny.relDiff(hf.nsp(), p.get("nsp_loss").asDouble());
      double dt = HfTiny.relDiff(hf.total(), p.get("total_loss").asDouble());
      System.out.printf("parity HF-style losses mlm %.7f (rel %.3g) nsp %.7f (rel %.3g) total %.7f (rel %.3g)%n",
          hf.mlm(), dm, hf.nsp(), dn, hf.total(), dt);
      assertTrue(dm <= LOSS_REL_TOL, "mlm_loss rel diff " + dm);
      assertTrue(dn <= LOSS_REL_TOL, "nsp_loss rel diff " + dn);
      assertTrue(dt <= LOSS_REL_TOL, "total_loss rel diff " + dt);

      // Google's weighting divides by (6 predictions + 1e-5): 1.7e-6 relative below HF's mean, inside the tolerance,
      // and exactly that factor below the HF-style value.
      PretrainingBatch batch = PretrainingBatch.fromHuggingFaceLabels(ids, mask, types, labels, nsp);
      PretrainingLoss google = m.loss(batch);
      System.out.printf("parity Google-style mlm %.7f (rel %.3g)%n", google.mlm(),
          HfTiny.relDiff(google.mlm(), p.get("mlm_loss").asDouble()));
      assertEquals(hf.mlm() * 6 / (6 + PretrainingHeads.GOOGLE_MLM_EPSILON), google.mlm(), 1e-6);
      assertTrue(HfTiny.relDiff(google.total(), p.get("total_loss").asDouble()) <= LOSS_REL_TOL);
    }
  }

  @Test
  void gatheredLogitsEqualTheFullLogitsAtThosePositions() {
    JsonNode g = HfTiny.golden();
    JsonNode full = g.get("pretraining").get("prediction_logits");
    int[][] positions = {{2, 9, 15}, {7, 0, 7}, {2, 2, 2}};
    try (PretrainingModel m = PretrainingModel.fromHuggingFace(HfTiny.folder());
        INDArray at = m.maskedLmLogits(HfTiny.ints(g.get("input_ids")), HfTiny.ints(g.get("attention_mask")),
            HfTiny.ints(g.get("token_type_ids")), positions)) {
      assertEquals(3, at.size(1));
      double worst = 0;
      double[] all = HfTiny.vals(at);
      int v = (int) at.size(2);
      for (int b = 0; b < 3; b++) {
        for (int j = 0; j < 3; j++) {
          double[] got = java.util.Arrays.copyOfRange(all, (b * 3 + j) * v, (b * 3 + j + 1) * v);
          double[] want = HfTiny.flat(full.get(b).get(positions[b][j]));
          worst = Math.max(worst, HfTiny.maxAbsDiff(got, want));
        }
      }
      System.out.printf("parity masked_lm_logits max abs diff %.3g%n", worst);
      assertTrue(worst <= LOGIT_TOL, "gathered logits differ from HF's prediction_logits by " + worst);
    }
  }
}
