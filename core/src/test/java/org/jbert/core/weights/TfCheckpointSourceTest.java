package org.jbert.core.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TfCheckpointSource on the TF-written fixture bundle (see tfbundle/README.md). The round trip of the real BERT-base
 * weights through a TF-written checkpoint is in eval's TfCheckpointRoundTripTest (it needs TF Java).
 */
class TfCheckpointSourceTest {

  @TempDir Path tmp;

  @Test
  void checkpointWithForeignNamesReportsThemAndDropsOptimizerState() throws IOException {
    // The fixture's 150 scope_* tensors and "scalar" mean nothing to jbert; its global_step is training state.
    TensorBundleTest.copyFixture(tmp);
    Files.move(tmp.resolve("tiny.index"), tmp.resolve("model.ckpt-5.index"));
    Files.move(tmp.resolve("tiny.data-00000-of-00001"), tmp.resolve("model.ckpt-5.data-00000-of-00001"));
    Files.writeString(tmp.resolve("bert_config.json"), """
        {"attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
         "hidden_size": 48, "initializer_range": 0.02, "intermediate_size": 96, "max_position_embeddings": 40,
         "num_attention_heads": 4, "num_hidden_layers": 3, "type_vocab_size": 2, "vocab_size": 120}""");
    try (TfCheckpointSource s = TfCheckpointSource.open(tmp)) {
      assertTrue(s.names().isEmpty());
      assertEquals(151, s.unrecognized().size());
      assertTrue(s.unrecognized().contains("scalar"));
      assertTrue(!s.unrecognized().contains("global_step"));
      assertTrue(s.vocab().isEmpty());
      assertEquals(48, s.config().orElseThrow().hiddenSize());
    }
  }

  @Test
  void folderWithoutConfigOrCheckpointIsRejected() throws IOException {
    JbertException noConfig = assertThrows(JbertException.class, () -> TfCheckpointSource.open(tmp));
    assertTrue(noConfig.getMessage().contains("bert_config.json"), noConfig.getMessage());
    Files.writeString(tmp.resolve("bert_config.json"), """
        {"hidden_act": "gelu", "hidden_size": 48, "intermediate_size": 96, "max_position_embeddings": 40,
         "num_attention_heads": 4, "num_hidden_layers": 3, "type_vocab_size": 2, "vocab_size": 120}""");
    JbertException noIndex = assertThrows(JbertException.class, () -> TfCheckpointSource.open(tmp));
    assertTrue(noIndex.getMessage().contains("bert_model.ckpt.index"), noIndex.getMessage());
  }
}
