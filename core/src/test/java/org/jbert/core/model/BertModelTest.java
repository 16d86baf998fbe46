package org.jbert.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.core.weights.SafeTensors;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BertModelTest {
  @TempDir Path tmp;

  static int[][] ids(JsonNode g) {
    return HfTiny.ints(g.get("input_ids"));
  }

  static int[][] mask(JsonNode g) {
    return HfTiny.ints(g.get("attention_mask"));
  }

  static int[][] types(JsonNode g) {
    return HfTiny.ints(g.get("token_type_ids"));
  }

  static double[] vals(INDArray a) {
    return a.castTo(DataType.DOUBLE).dup().data().asDouble();
  }

  /** Golden: HF transformers 5.17.0 BertModel outputs, float32 CPU (hf-tiny-bert/README.md). Tolerance 1e-4. */
  @Test
  void encodeMatchesHuggingFace() {
    JsonNode g = HfTiny.golden();
    try (BertModel m = BertModel.fromHuggingFace(HfTiny.folder());
        EncoderResult r = m.encode(ids(g), mask(g), types(g))) {
      assertEquals(Activation.GELU_ERF, m.config().hiddenAct());
      JsonNode hs = g.get("bert").get("hidden_states");
      double[] d = new double[5];
      d[0] = HfTiny.maxAbsDiff(vals(r.get(BertGraph.EMBEDDING_OUTPUT)), HfTiny.flat(hs.get(0)));
      for (int l = 0; l < 3; l++) {
        d[l + 1] = Math.max(d[l + 1],
            HfTiny.maxAbsDiff(vals(r.encoderOutputs().get(l)), HfTiny.flat(hs.get(l + 1))));
      }
      double ds = HfTiny.maxAbsDiff(vals(r.sequenceOutput()), HfTiny.flat(g.get("bert").get("sequence_output")));
      double dp = HfTiny.maxAbsDiff(vals(r.get(BertGraph.DEFAULT)), HfTiny.flat(g.get("bert").get("pooled_output")));
      System.out.printf("BertModel parity: embedding %.3g, layers %.3g %.3g %.3g, sequence %.3g, pooled %.3g%n",
          d[0], d[1], d[2], d[3], ds, dp);
      for (double x : d) assertTrue(x <= 1e-4, "layer diff " + x);
      assertTrue(ds <= 1e-4 && dp <= 1e-4, ds + " " + dp);
      assertArrayEquals(new long[] {3, 16, 48}, r.sequenceOutput().shape());
      assertArrayEquals(new long[] {3, 48}, r.pooledOutput().shape());
    }
  }

  /** Dynamic padding: a row padded to 16 and the same row cut to its 7 real tokens give the same real positions. */
  @Test
  void shorterBatchGivesSameValues() {
    JsonNode g = HfTiny.golden();
    try (BertModel m = BertModel.fromHuggingFace(HfTiny.folder());
        EncoderResult full = m.encode(ids(g), mask(g), types(g))) {
      int[][] id = {java.util.Arrays.copyOf(ids(g)[2], 7)};
      int[][] mk = {java.util.Arrays.copyOf(mask(g)[2], 7)};
      int[][] ty = {java.util.Arrays.copyOf(types(g)[2], 7)};
      try (EncoderResult cut = m.encode(id, mk, ty)) {
        INDArray a = full.sequenceOutput().get(org.nd4j.linalg.indexing.NDArrayIndex.point(2),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 7), org.nd4j.linalg.indexing.NDArrayIndex.all());
        double d = HfTiny.maxAbsDiff(vals(a), vals(cut.sequenceOutput()));
        assertTrue(d <= 1e-5, "padding changed real positions by " + d);
      }
    }
  }

  @Test
  void huggingFaceExportRoundTrip() {
    JsonNode g = HfTiny.golden();
    Path out = tmp.resolve("hf-export");
    try (BertModel m = BertModel.fromHuggingFace(HfTiny.folder());
        EncoderResult r1 = m.encode(ids(g), mask(g), types(g))) {
      m.exportHuggingFace(out);
      try (SafeTensors s = SafeTensors.open(out.resolve("model.safetensors"))) {
        // HF names and HF layout ([out,in] for Linear weights)
        assertArrayEquals(new long[] {96, 48},
            s.entries().get("bert.encoder.layer.0.intermediate.dense.weight").shape());
        assertTrue(s.entries().containsKey("bert.embeddings.word_embeddings.weight"));
      }
      assertTrue(Files.isRegularFile(out.resolve("config.json")));
      assertEquals(m.config(), BertConfig.fromHuggingFaceJson(out.resolve("config.json")));
      try (BertModel m2 = BertModel.fromHuggingFace(out); EncoderResult r2 = m2.encode(ids(g), mask(g), types(g))) {
        assertEquals(r1.sequenceOutput(), r2.sequenceOutput());
        assertEquals(r1.pooledOutput(), r2.pooledOutput());
        assertEquals(r1.embeddingOutput(), r2.embeddingOutput());
      }
      // only the target folder remains, no temp leftovers
      assertEquals(1, tmp.toFile().list().length);
    }
  }

  @Test
  void jbertFolderRoundTrip() throws Exception {
    JsonNode g = HfTiny.golden();
    Path vocab = tmp.resolve("vocab.txt");
    Files.writeString(vocab, "[PAD]\n[UNK]\n");
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Files.copy(HfTiny.folder().resolve("config.json"), src.resolve("config.json"));
    Files.copy(HfTiny.folder().resolve("model.safetensors"), src.resolve("model.safetensors"));
    Files.copy(vocab, src.resolve("vocab.txt"));
    Path saved = tmp.resolve("saved");
    try (BertModel m = BertModel.fromHuggingFace(src); EncoderResult r1 = m.encode(ids(g), mask(g), types(g))) {
      m.save(saved);
      m.save(saved); // overwriting an existing folder works
      assertTrue(Files.isRegularFile(saved.resolve(BertModel.JBERT_FILE)));
      assertEquals("[PAD]\n[UNK]\n", Files.readString(saved.resolve("vocab.txt")));
      try (BertModel m2 = BertModel.load(saved); EncoderResult r2 = m2.encode(ids(g), mask(g), types(g))) {
        assertEquals(m.config(), m2.config());
        assertTrue(m2.vocab().isPresent());
        assertEquals(r1.sequenceOutput(), r2.sequenceOutput());
        assertEquals(r1.pooledOutput(), r2.pooledOutput());
        for (int l = 0; l < 3; l++) assertEquals(r1.encoderOutputs().get(l), r2.encoderOutputs().get(l));
      }
    }
  }

  @Test
  void tanhGeluConfigSurvivesSaveAndLoad() {
    BertConfig c = new BertConfig(20, 8, 1, 2, 16, Activation.GELU_TANH, 0.1, 0.1, 12, 2, 0.02, 1e-7);
    try (BertModel m = BertModel.random(c, 3)) {
      m.save(tmp.resolve("m"));
      try (BertModel m2 = BertModel.load(tmp.resolve("m"))) {
        assertEquals(c, m2.config());
      }
    }
  }

  @Test
  void randomInitFollowsGoogle() {
    BertConfig c = new BertConfig(50, 16, 1, 2, 32, Activation.GELU_TANH, 0.1, 0.1, 12, 2, 0.02, 1e-12);
    try (BertModel m = BertModel.random(c, 42); BertModel same = BertModel.random(c, 42)) {
      INDArray w = m.sameDiff().getVariable("bert/embeddings/word_embeddings").getArr();
      assertEquals(0.02, w.stdNumber().doubleValue(), 0.004);
      assertTrue(w.amaxNumber().doubleValue() <= 0.04 + 1e-7, "truncated at 2 stddev");
      assertEquals(1.0, m.sameDiff().getVariable("bert/embeddings/LayerNorm/gamma").getArr().minNumber()
          .doubleValue());
      assertEquals(0.0, m.sameDiff().getVariable("bert/pooler/dense/bias").getArr().amaxNumber().doubleValue());
      assertEquals(w, same.sameDiff().getVariable("bert/embeddings/word_embeddings").getArr());
    }
  }

  /** One graph serves inference and training: the training switch turns inverted dropout on and off. */
  @Test
  void trainingSwitchTogglesDropout() {
    BertConfig c = new BertConfig(30, 16, 2, 2, 32, Activation.GELU_TANH, 0.3, 0.3, 12, 2, 0.02, 1e-12);
    try (BertModel m = BertModel.random(c, 1)) {
      Map<String, INDArray> ph = new HashMap<>();
      ph.put(BertGraph.INPUT_WORD_IDS, Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6}}));
      ph.put(BertGraph.INPUT_MASK, Nd4j.createFromArray(new int[][] {{1, 1, 1, 1, 1, 1}}));
      ph.put(BertGraph.INPUT_TYPE_IDS, Nd4j.createFromArray(new int[][] {{0, 0, 0, 1, 1, 1}}));
      var sd = m.sameDiff();
      INDArray inf1 = sd.output(ph, BertGraph.EMBEDDING_OUTPUT).get(BertGraph.EMBEDDING_OUTPUT);
      INDArray inf2 = sd.output(ph, BertGraph.EMBEDDING_OUTPUT).get(BertGraph.EMBEDDING_OUTPUT);
      assertEquals(inf1, inf2);
      BertGraph.setTraining(sd, true);
      INDArray tr = sd.output(ph, BertGraph.EMBEDDING_OUTPUT).get(BertGraph.EMBEDDING_OUTPUT);
      BertGraph.setTraining(sd, false);
      assertNotEquals(inf1, tr);
      // inverted dropout: each element is either 0 or the inference value / (1 - 0.3)
      double[] a = vals(inf1), b = vals(tr);
      int zeros = 0;
      for (int i = 0; i < a.length; i++) {
        if (b[i] == 0) {
          zeros++;
        } else {
          assertEquals(a[i] / 0.7, b[i], 1e-4);
        }
      }
      assertTrue(zeros > 0 && zeros < a.length, "dropped " + zeros + " of " + a.length);
      INDArray inf3 = sd.output(ph, BertGraph.EMBEDDING_OUTPUT).get(BertGraph.EMBEDDING_OUTPUT);
      assertEquals(inf1, inf3);
    }
  }

  @Test
  void sequenceLongerThanMaxPositions() {
    try (BertModel m = BertModel.fromHuggingFace(HfTiny.folder())) {
      int[][] x = new int[1][41];
      JbertException e = assertThrows(JbertException.class, () -> m.encode(x, x, x));
      assertTrue(e.getMessage().contains("41") && e.getMessage().contains("max_position_embeddings 40"),
          e.getMessage());
    }
  }

  @Test
  void tokenIdOutsideVocabulary() {
    try (BertModel m = BertModel.fromHuggingFace(HfTiny.folder())) {
      int[][] ids = {{1, 2, 120}};
      int[][] ones = {{1, 1, 1}};
      int[][] zeros = {{0, 0, 0}};
      JbertException e = assertThrows(JbertException.class, () -> m.encode(ids, ones, zeros));
      assertTrue(e.getMessage().contains("120") && e.getMessage().contains("vocab_size"), e.getMessage());
      int[][] ragged = {{1, 2, 3}, {1, 2}};
      JbertException e2 = assertThrows(JbertException.class,
          () -> m.encode(ragged, new int[][] {{1, 1, 1}, {1, 1}}, new int[][] {{0, 0, 0}, {0, 0}}));
      assertTrue(e2.getMessage().contains("row 1"), e2.getMessage());
    }
  }

  @Test
  void loadRejectsFolderWithoutMarker() {
    JbertException e = assertThrows(JbertException.class, () -> BertModel.load(HfTiny.folder()));
    assertTrue(e.getMessage().contains("jbert.json"), e.getMessage());
    JbertException e2 = assertThrows(JbertException.class, () -> BertModel.load(tmp.resolve("nope")));
    assertTrue(e2.getMessage().contains("nope"), e2.getMessage());
  }

  @Test
  void hiddenSizeNotDivisibleByHeads() {
    JbertException e = assertThrows(JbertException.class,
        () -> new BertConfig(20, 10, 1, 3, 16, Activation.GELU_TANH, 0.1, 0.1, 12, 2, 0.02, 1e-12));
    assertTrue(e.getMessage().contains("hidden_size 10") && e.getMessage().contains("num_attention_heads 3"),
        e.getMessage());
  }

  @Test
  void missingFolder() {
    JbertException e = assertThrows(JbertException.class,
        () -> HuggingFaceSource.open(tmp.resolve("missing-model")));
    assertTrue(e.getMessage().contains("missing-model"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("missing-model")));
  }

  /**
   * bf16 dense products (inference only): the same tiny HF model gives every layer within 0.05 of its float32
   * outputs (bf16 keeps 8 mantissa bits; the tiny model's hidden states are O(1)) but not equal to them, which shows
   * the bf16 path ran; 5 kernel copies per layer + the pooler's; a trainable bf16 model is refused.
   */
  @Test
  void bf16ProductsStayCloseToFloat32() {
    JsonNode g = HfTiny.golden();
    try (HuggingFaceSource src = HuggingFaceSource.open(HfTiny.folder());
        BertModel fp32 = BertModel.fromWeights(src.config().orElseThrow(), src, true, false);
        BertModel bf16 = BertModel.fromWeights(src.config().orElseThrow(), src, true, false,
            org.jbert.core.graph.MatmulPrecision.BF16);
        EncoderResult a = fp32.encode(ids(g), mask(g), types(g));
        EncoderResult b = bf16.encode(ids(g), mask(g), types(g))) {
      int layers = fp32.config().numHiddenLayers();
      assertEquals(5 * layers + 1, BertGraph.copyKernelsToBf16(bf16.sameDiff()));
      assertEquals(0, BertGraph.copyKernelsToBf16(fp32.sameDiff()));
      double worst = 0;
      for (int l = 0; l < layers; l++) {
        worst = Math.max(worst, HfTiny.maxAbsDiff(vals(b.encoderOutputs().get(l)), vals(a.encoderOutputs().get(l))));
      }
      double pooled = HfTiny.maxAbsDiff(vals(b.pooledOutput()), vals(a.pooledOutput()));
      assertTrue(worst < 0.05 && pooled < 0.05, "bf16 vs float32: layers " + worst + ", pooled " + pooled);
      assertTrue(worst > 1e-5, "bf16 outputs equal float32 (" + worst + "): the bf16 products did not run");
      JbertException e = assertThrows(JbertException.class, () -> BertModel.fromWeights(
          src.config().orElseThrow(), src, true, true, org.jbert.core.graph.MatmulPrecision.BF16));
      assertTrue(e.getMessage().contains("expected FLOAT32"), e.getMessage());
    }
  }
}
