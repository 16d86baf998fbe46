package org.jbert.pretraining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.CheckpointNames.Part;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.core.weights.SafeTensors;
import org.jbert.core.weights.WeightSource;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading policy (strict encoder, lenient heads), save/load round trip and input errors, on the HF tiny BERT. */
class PretrainingModelTest {
  @TempDir Path tmp;

  static final int[][] IDS = {{2, 15, 4, 9, 3}, {2, 7, 3, 0, 0}};
  static final int[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
  static final int[][] TYPES = {{0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}};

  @Test
  void saveAndLoadKeepBothHeadsAsBertForPreTraining() throws Exception {
    Path dir = tmp.resolve("saved");
    double[] logits;
    double[] nsp;
    try (PretrainingModel m = PretrainingModel.fromHuggingFace(HfTiny.folder());
        PretrainingResult r = m.predict(IDS, MASK, TYPES)) {
      logits = HfTiny.vals(r.predictionLogits());
      nsp = HfTiny.vals(r.seqRelationshipLogits());
      m.save(dir);
    }
    JsonNode cfg = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
    assertEquals("BertForPreTraining", cfg.get("architectures").get(0).asText());
    try (SafeTensors st = SafeTensors.open(dir.resolve("model.safetensors"))) {
      Set<String> names = st.entries().keySet();
      assertTrue(names.contains("cls.predictions.bias") && names.contains("cls.seq_relationship.weight")
          && names.contains("cls.predictions.transform.dense.weight"), names.toString());
      assertFalse(names.contains("cls.predictions.decoder.weight"), "decoder stays tied, not written twice");
      assertEquals(CheckpointNames.forConfig(BertConfig.fromFolder(dir), Part.values()).size(), names.size());
    }
    try (PretrainingModel back = PretrainingModel.load(dir); PretrainingResult r = back.predict(IDS, MASK, TYPES)) {
      assertTrue(back.importReport().orElseThrow().complete(), back.importReport().orElseThrow().summary());
      assertArrayEquals(logits, HfTiny.vals(r.predictionLogits()), 0.0);
      assertArrayEquals(nsp, HfTiny.vals(r.seqRelationshipLogits()), 0.0);
    }
  }

  @Test
  void missingHeadsStartFreshButAMissingEncoderWeightFails() {
    try (HuggingFaceSource hf = HuggingFaceSource.open(HfTiny.folder())) {
      BertConfig c = hf.config().orElseThrow();
      Set<String> nspNames = names(c, Part.NSP_HEAD);
      try (PretrainingModel m = PretrainingModel.fromWeights(c, without(hf, nspNames), true, 3)) {
        assertEquals(nspNames, Set.copyOf(m.importReport().orElseThrow().missing()));
        assertEquals(nspNames, Set.copyOf(m.freshlyInitialized()));
        double sd = m.sameDiff().getVariable("cls/seq_relationship/output_weights").getArr().stdNumber()
            .doubleValue();
        assertTrue(sd > 0.03 && sd < 0.05, "truncated normal with initializer_range 0.05: std " + sd);
        // The MLM head still comes from the folder: same logits as the full model.
        try (PretrainingModel full = PretrainingModel.fromHuggingFace(HfTiny.folder());
            PretrainingResult a = m.predict(IDS, MASK, TYPES); PretrainingResult b = full.predict(IDS, MASK, TYPES)) {
          assertArrayEquals(HfTiny.vals(b.predictionLogits()), HfTiny.vals(a.predictionLogits()), 0.0);
        }
      }
      String query = "bert/encoder/layer_1/attention/self/query/kernel";
      JbertException e = assertThrows(JbertException.class,
          () -> PretrainingModel.fromWeights(c, without(hf, Set.of(query)), true, 3));
      assertTrue(e.getMessage().contains("missing encoder weights [" + query + "]"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
    }
  }

  @Test
  void badPredictionInputsNameTheArrayAndValue() {
    try (PretrainingModel m = PretrainingModel.random(BertConfig.fromFolder(HfTiny.folder()), 1)) {
      JbertException pos = assertThrows(JbertException.class,
          () -> m.maskedLmLogits(IDS, MASK, TYPES, new int[][] {{1}, {5}}));
      assertTrue(pos.getMessage().contains("masked_lm_positions[1][0] is 5, outside [0, 5)"), pos.getMessage());
      JbertException label = assertThrows(JbertException.class, () -> m.lossHuggingFace(IDS, MASK, TYPES,
          new int[][] {{-100, 120, -100, -100, -100}, {-100, -100, -100, -100, -100}}, new int[] {0, 1}));
      assertTrue(label.getMessage().contains("masked_lm_ids[0][0] is 120"), label.getMessage());
      JbertException nsp = assertThrows(JbertException.class, () -> m.lossHuggingFace(IDS, MASK, TYPES,
          new int[][] {{-100, 11, -100, -100, -100}, {-100, -100, -100, -100, -100}}, new int[] {0, 2}));
      assertTrue(nsp.getMessage().contains("next_sentence_labels[1] is 2"), nsp.getMessage());
      assertEquals(List.copyOf(m.freshlyInitialized()).size(),
          CheckpointNames.forConfig(m.config(), Part.values()).size(), "a random model is all fresh");
    }
  }

  private static Set<String> names(BertConfig c, Part part) {
    return CheckpointNames.forConfig(c, part).stream().map(CheckpointNames::canonical).collect(Collectors.toSet());
  }

  /** {@code src} with some tensors hidden. */
  private static WeightSource without(WeightSource src, Set<String> hidden) {
    return new WeightSource() {
      public String description() {
        return src.description();
      }

      public Set<String> names() {
        return src.names().stream().filter(n -> !hidden.contains(n)).collect(Collectors.toSet());
      }

      public Set<String> unrecognized() {
        return src.unrecognized();
      }

      public long[] shape(String name) {
        return src.shape(name);
      }

      public float[] read(String name) {
        return src.read(name);
      }

      public Optional<BertConfig> config() {
        return src.config();
      }

      public Optional<Path> vocab() {
        return src.vocab();
      }
    };
  }
}
