package org.jbert.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.tokenize.Vocab;
import org.jbert.core.weights.WeightSources;
import org.jbert.testing.HfTiny;
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
    assertEquals(WeightSources.Format.SAFETENSORS, WeightSources.detect(HfTiny.folder()));
    String m = assertThrows(JbertException.class, () -> WeightSources.detect(dir)).getMessage();
    assertTrue(m.contains(dir.toString()) && m.contains("saved_model.pb") && m.contains("config.json"), m);
    m = assertThrows(JbertException.class, () -> WeightSources.detect(dir.resolve("nope"))).getMessage();
    assertTrue(m.contains("nope") && m.contains("not found"), m);
  }

  /** A folder without vocabulary loads for pre-tokenized input (issue 12 item 5) and cannot tokenize text. */
  @Test
  void aFolderWithoutVocabularyCannotTokenize() {
    try (Bert bert = Bert.load(HfTiny.folder().toString())) {
      assertFalse(bert.hasTokenizer());
      String m = assertThrows(JbertException.class, () -> bert.preprocess(List.of("a"))).getMessage();
      assertTrue(m.contains("vocab.txt") && m.contains("tokenizer.json") && m.contains("pre-tokenized"), m);
      try (EncoderResult r = bert.encode(new org.jbert.core.tokenize.Features(HfTiny.ids(), HfTiny.mask(),
          HfTiny.types()))) {
        assertEquals(3, r.sequenceOutput().size(0));
      }
    }
  }

  /**
   * A Hugging Face folder with tokenizer.json and tokenizer_config.json but no vocab.txt tokenizes with them, and a
   * saved copy keeps both files.
   */
  @Test
  void tokenizerJsonAndItsConfigServeWhenVocabTxtIsAbsent(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m");
    try (BertModel m = BertModel.fromHuggingFace(HfTiny.folder())) {
      m.save(model);
    }
    com.fasterxml.jackson.databind.node.ObjectNode vocab = new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode();
    List<String> tokens = new java.util.ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Hello",
        "hello", "##s"));
    for (int i = tokens.size(); i < 120; i++) tokens.add("t" + i);
    for (int i = 0; i < tokens.size(); i++) vocab.put(tokens.get(i), i);
    Files.writeString(model.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\", \"unk_token\":"
        + " \"[UNK]\", \"continuing_subword_prefix\": \"##\", \"vocab\": " + vocab + "}}");
    Files.writeString(model.resolve("tokenizer_config.json"), "{\"do_lower_case\": false, \"model_max_length\": 4}");
    try (Bert bert = Bert.load(model.toString())) {
      assertFalse(bert.tokenizer().lowerCase(), "do_lower_case false from tokenizer_config.json");
      org.jbert.core.tokenize.Features f = bert.preprocess(List.of("Hellos hello"), null, 32, false);
      assertEquals(List.of(2, 5, 7, 3), java.util.Arrays.stream(f.inputWordIds()[0]).boxed().toList(),
          "[CLS] Hello ##s [SEP]: cased, and cut to model_max_length 4");
      Path copy = dir.resolve("copy");
      bert.model().save(copy);
      assertTrue(Files.isRegularFile(copy.resolve("tokenizer.json")));
      assertTrue(Files.isRegularFile(copy.resolve("tokenizer_config.json")));
      assertFalse(Files.exists(copy.resolve("vocab.txt")));
    }
  }

  @Test
  void aVocabularyOfTheWrongSizeIsRejected(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m");
    try (BertModel m = BertModel.fromHuggingFace(HfTiny.folder())) {
      m.save(model);
    }
    Files.write(model.resolve("vocab.txt"), List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a"));
    String msg = assertThrows(JbertException.class, () -> Bert.load(model.toString())).getMessage();
    assertTrue(msg.contains("6 entries") && msg.contains("vocab_size is 120"), msg);
  }

  @Test
  void theInferenceFacadeBuildsNoDropoutOpsButKeepsTheConfig(@TempDir Path dir) throws Exception {
    List<String> vocab = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c");
    org.jbert.core.config.BertConfig c = new org.jbert.core.config.BertConfig(vocab.size(), 16, 2, 2, 32,
        org.jbert.core.config.Activation.GELU_TANH, 0.1, 0.1, 16, 2, 0.02, 1e-12);
    Path folder = dir.resolve("m");
    int[][] ids = {{2, 5, 6, 7, 3}}, mask = {{1, 1, 1, 1, 1}}, types = {{0, 0, 0, 0, 0}};
    float[] trainable;
    try (BertModel m = BertModel.random(c, 9)) {
      assertTrue(randomOps(m) > 0, "the trainable graph has dropout ops");
      m.save(folder);
      try (EncoderResult r = m.encode(ids, mask, types)) {
        trainable = r.sequenceOutput().dup().data().asFloat();
      }
    }
    Files.write(folder.resolve("vocab.txt"), vocab);
    try (Bert bert = Bert.load(folder.toString())) {
      assertEquals(0, randomOps(bert.model()), "no random ops in the inference graph");
      assertEquals(0.1, bert.config().hiddenDropoutProb(), "the config keeps its dropout");
      try (EncoderResult r = bert.model().encode(ids, mask, types)) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(trainable, r.sequenceOutput().dup().data().asFloat(), 0f);
      }
    }
  }

  private static long randomOps(BertModel m) {
    return java.util.Arrays.stream(m.sameDiff().ops()).map(o -> o.opName().toLowerCase(java.util.Locale.ROOT))
        .filter(n -> n.contains("random") || n.contains("distribution")).count();
  }
}
