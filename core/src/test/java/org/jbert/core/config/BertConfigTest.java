package org.jbert.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BertConfigTest {

  /** google-research/bert's uncased_L-12_H-768_A-12/bert_config.json, verbatim. */
  private static final String GOOGLE_BASE = """
      {
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": 768,
        "initializer_range": 0.02,
        "intermediate_size": 3072,
        "max_position_embeddings": 512,
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "type_vocab_size": 2,
        "vocab_size": 30522
      }""";

  @Test
  void googleGeluIsTheTanhApproximation(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bert_config.json");
    Files.writeString(f, GOOGLE_BASE);
    BertConfig c = BertConfig.fromGoogleJson(f);
    assertEquals(BertConfig.base(), c);
    assertEquals(Activation.GELU_TANH, c.hiddenAct());
    assertEquals(64, c.headSize());
    assertEquals(c, BertConfig.fromFolder(dir));
  }

  @Test
  void huggingFaceGeluIsErfAndGeluNewIsTanh(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("config.json");
    String hf = GOOGLE_BASE.replace("{", "{\"model_type\": \"bert\", \"layer_norm_eps\": 1e-12, ");
    Files.writeString(f, hf);
    assertEquals(Activation.GELU_ERF, BertConfig.fromHuggingFaceJson(f).hiddenAct());
    Files.writeString(f, hf.replace("\"gelu\"", "\"gelu_new\""));
    assertEquals(Activation.GELU_TANH, BertConfig.fromHuggingFaceJson(f).hiddenAct());
    Files.writeString(f, hf.replace("\"gelu\"", "\"gelu_pytorch_tanh\""));
    assertEquals(Activation.GELU_TANH, BertConfig.fromHuggingFaceJson(f).hiddenAct());
  }

  @Test
  void huggingFaceRoundTripThroughToJson(@TempDir Path dir) throws Exception {
    BertConfig c = new BertConfig(120, 48, 3, 4, 96, Activation.GELU_ERF, 0.0, 0.0, 40, 2, 0.02, 1e-12);
    Path f = dir.resolve("config.json");
    Files.writeString(f, c.toHuggingFaceJson().toString());
    assertEquals(c, BertConfig.fromHuggingFaceJson(f));
    BertConfig t = c.withDropout(0.1, 0.1);
    Files.writeString(f, new BertConfig(120, 48, 3, 4, 96, Activation.GELU_TANH, 0.1, 0.1, 40, 2, 0.02, 1e-12)
        .toHuggingFaceJson().toString());
    assertEquals(Activation.GELU_TANH, BertConfig.fromHuggingFaceJson(f).hiddenAct());
    assertEquals(0.1, t.hiddenDropoutProb());
  }

  @Test
  void largePreset() {
    BertConfig l = BertConfig.large();
    assertEquals(24, l.numHiddenLayers());
    assertEquals(1024, l.hiddenSize());
    assertEquals(16, l.numAttentionHeads());
    assertEquals(4096, l.intermediateSize());
  }

  @Test
  void hiddenSizeNotDivisibleByHeadsNamesBoth() {
    JbertException e = assertThrows(JbertException.class,
        () -> new BertConfig(100, 50, 2, 4, 64, Activation.GELU_ERF, 0, 0, 16, 2, 0.02, 1e-12));
    assertTrue(e.getMessage().contains("hidden_size 50") && e.getMessage().contains("num_attention_heads 4"),
        e.getMessage());
  }

  @Test
  void probabilitiesMustBeBelowOne() {
    JbertException e = assertThrows(JbertException.class,
        () -> new BertConfig(100, 48, 2, 4, 64, Activation.GELU_ERF, 1.0, 0, 16, 2, 0.02, 1e-12));
    assertTrue(e.getMessage().contains("hidden_dropout_prob"), e.getMessage());
  }

  @Test
  void badFilesNameTheFileAndKey(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bert_config.json");
    assertTrue(assertThrows(JbertException.class, () -> BertConfig.fromGoogleJson(f)).getMessage()
        .contains("not found"));
    Files.writeString(f, "{ not json");
    assertTrue(assertThrows(JbertException.class, () -> BertConfig.fromGoogleJson(f)).getMessage()
        .contains("not valid JSON"));
    Files.writeString(f, GOOGLE_BASE.replace("\"hidden_size\": 768", "\"hidden_size\": \"768\""));
    String m = assertThrows(JbertException.class, () -> BertConfig.fromGoogleJson(f)).getMessage();
    assertTrue(m.contains(f.toString()) && m.contains("hidden_size"), m);
    Files.writeString(f, GOOGLE_BASE.replace("\"vocab_size\"", "\"vocab_sise\""));
    m = assertThrows(JbertException.class, () -> BertConfig.fromGoogleJson(f)).getMessage();
    assertTrue(m.contains("vocab_sise"), m);
    Files.writeString(f, GOOGLE_BASE.replace("\"gelu\"", "\"swish\""));
    m = assertThrows(JbertException.class, () -> BertConfig.fromGoogleJson(f)).getMessage();
    assertTrue(m.contains("swish"), m);
    assertTrue(assertThrows(JbertException.class, () -> BertConfig.fromFolder(dir.resolve("nope"))).getMessage()
        .contains("nope"));
  }
}
