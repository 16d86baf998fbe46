package org.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.EncoderResult;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The library's one entry point (issue 12 item 3): each folder opens into the model type it holds. */
class ModelsTest {
  @TempDir Path dir;

  @Test
  void taskFoldersOpenAsTaskModelsWithTheirPerTokenOutputs() {
    try (LoadedModel m = Models.open(HfTiny.folder("seqcls").toString())) {
      assertEquals(LoadedModel.Kind.TASK, m.kind());
      assertEquals("sequence_classification", m.headName());
      assertTrue(m.hasLabels());
      assertEquals(Set.of(), m.perTokenOutputs());
    }
    try (LoadedModel m = Models.openWithHead(HfTiny.folder("tokcls").toString())) {
      assertEquals(LoadedModel.Kind.TASK, m.kind());
      assertEquals(Set.of("logits"), m.perTokenOutputs());
    }
    try (LoadedModel m = Models.open(HfTiny.folder("qa").toString())) {
      assertEquals(Set.of("start_logits", "end_logits"), m.perTokenOutputs());
      assertTrue(!m.hasLabels());
    }
  }

  @Test
  void aPretrainingFolderOpensWithBothHeads() {
    try (LoadedModel m = Models.open(HfTiny.folder("pretraining").toString())) {
      assertEquals(LoadedModel.Kind.PRETRAINING, m.kind());
      assertEquals("pretraining heads (MLM, NSP)", m.kindDescription());
      assertEquals(List.of(), m.notes());
      Map<String, INDArray> r = m.predict(HfTiny.ids(), HfTiny.mask(), HfTiny.types());
      assertEquals(List.of("prediction_logits", "seq_relationship_logits"), List.copyOf(r.keySet()));
      r.values().forEach(INDArray::close);
    }
  }

  /**
   * An encoder-only folder opens as the encoder, its outputs bit-identical to the BertModel saved; with a head
   * required it is refused.
   */
  @Test
  void anEncoderOnlyFolderOpensAsTheEncoderOrIsRefused() {
    BertConfig c = BertConfig.fromFolder(HfTiny.folder());
    Path encoder = dir.resolve("encoder");
    try (BertModel b = BertModel.random(c, 3)) {
      b.save(encoder);
      try (LoadedModel m = Models.open(encoder.toString()); EncoderResult want = b.encode(HfTiny.ids(),
          HfTiny.mask(), HfTiny.types())) {
        assertEquals(LoadedModel.Kind.ENCODER, m.kind());
        Map<String, INDArray> r = m.predict(HfTiny.ids(), HfTiny.mask(), HfTiny.types());
        assertArrayEquals(want.sequenceOutput().data().asFloat(), r.get("sequence_output").data().asFloat());
        assertArrayEquals(want.pooledOutput().data().asFloat(), r.get("pooled_output").data().asFloat());
        r.values().forEach(INDArray::close);
      }
    }
    JbertException e = assertThrows(JbertException.class, () -> Models.openWithHead(encoder.toString()));
    assertTrue(e.getMessage().contains("no task head and no MLM head (cls/predictions/*)"), e.getMessage());
  }
}
