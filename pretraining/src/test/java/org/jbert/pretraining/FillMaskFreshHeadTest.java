package org.jbert.pretraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.BertModel;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15 item 12: fill-mask refuses an encoder-only folder unless a fresh MLM head is asked for. */
class FillMaskFreshHeadTest {
  @TempDir Path dir;

  /** A vocab.txt of the tiny model's 120 ids with BERT's special tokens. */
  private static void writeVocab(Path folder) throws Exception {
    List<String> v = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
    for (int i = v.size(); i < 120; i++) v.add("w" + i);
    Files.write(folder.resolve("vocab.txt"), v);
  }

  @Test
  void encoderOnlyFolderIsRefusedUnlessAFreshHeadIsAsked() throws Exception {
    BertConfig c = BertConfig.fromFolder(HfTiny.folder());
    Path encoder = dir.resolve("encoder-only");
    try (BertModel m = BertModel.random(c, 1)) {
      m.save(encoder);
    }
    writeVocab(encoder);
    JbertException e = assertThrows(JbertException.class, () -> FillMask.open(encoder.toString()));
    assertEquals(encoder + ": no MLM head (cls/predictions/*) in the weights, so fill-mask would answer from a"
        + " freshly initialised head; expected a model with its MLM head (BertForMaskedLM, BertForPreTraining, a"
        + " SavedModel or Google checkpoint), or ask for a fresh head (--fresh-head)", e.getMessage());
    try (FillMask f = FillMask.open(encoder.toString(), true)) {
      List<FillMask.MaskPrediction> p = f.fill("w7 [MASK] w9", 3);
      assertEquals(1, p.size());
      assertEquals(3, p.get(0).candidates().size());
    }
  }

  @Test
  void aFolderWithItsMlmHeadOpensWithoutTheFlag() throws Exception {
    Path withHead = Files.createDirectories(dir.resolve("pretraining"));
    try (var files = Files.list(HfTiny.folder())) {
      for (Path p : files.toList()) Files.copy(p, withHead.resolve(p.getFileName()));
    }
    writeVocab(withHead);
    try (FillMask f = FillMask.open(withHead.toString())) {
      double p = f.fill("w7 [MASK] w9", 1).get(0).candidates().get(0).probability();
      assertTrue(p > 0 && p <= 1, "a probability: " + p);
    }
  }
}
