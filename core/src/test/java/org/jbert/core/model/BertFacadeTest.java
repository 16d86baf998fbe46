package org.jbert.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.TestData;
import org.jbert.core.tokenize.Vocab;
import org.jbert.core.weights.WeightSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BertFacadeTest {

  @Test
  void casingIsInferredFromTheVocabularyUnlessTheTokenizerConfigSaysSo(@TempDir Path dir) throws Exception {
    assertTrue(Bert.lowerCase(dir, Vocab.bundled("bert-base-uncased")));
    assertFalse(Bert.lowerCase(dir, Vocab.bundled("bert-base-cased")));
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");
    assertFalse(Bert.lowerCase(dir, Vocab.bundled("bert-base-uncased")));
  }

  @Test
  void formatsAreDetectedAndUnknownFoldersNamed(@TempDir Path dir) {
    assertEquals(WeightSources.Format.SAFETENSORS, WeightSources.detect(TestData.hfTinyBert()));
    String m = assertThrows(JbertException.class, () -> WeightSources.detect(dir)).getMessage();
    assertTrue(m.contains(dir.toString()) && m.contains("saved_model.pb") && m.contains("config.json"), m);
    m = assertThrows(JbertException.class, () -> WeightSources.detect(dir.resolve("nope"))).getMessage();
    assertTrue(m.contains("nope") && m.contains("not found"), m);
  }

  @Test
  void aFolderWithoutVocabularyCannotTokenize() {
    String m = assertThrows(JbertException.class, () -> Bert.load(TestData.hfTinyBert().toString())).getMessage();
    assertTrue(m.contains("vocab.txt"), m);
  }

  @Test
  void aVocabularyOfTheWrongSizeIsRejected(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m");
    try (BertModel m = BertModel.fromHuggingFace(TestData.hfTinyBert())) {
      m.save(model);
    }
    Files.write(model.resolve("vocab.txt"), List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a"));
    String msg = assertThrows(JbertException.class, () -> Bert.load(model.toString())).getMessage();
    assertTrue(msg.contains("6 entries") && msg.contains("vocab_size is 120"), msg);
  }
}
