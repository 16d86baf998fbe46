package org.jbert.core.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.model.BertModel;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;

class WeightImporterTest {
  @TempDir Path tmp;

  /** The HF tiny BERT's tensors, by HF name. */
  static Map<String, SafeTensors.Tensor> tensors() {
    Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
    try (SafeTensors s = SafeTensors.open(HfTiny.folder().resolve("model.safetensors"))) {
      for (SafeTensors.Entry e : s.entries().values()) out.put(e.name(), new SafeTensors.Tensor(e.shape(), s.read(e.name())));
    }
    return out;
  }

  Path folder(String name, Map<String, SafeTensors.Tensor> t, ObjectNode config) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    SafeTensors.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt"));
    Files.writeString(dir.resolve("config.json"), config.toString());
    return dir;
  }

  static ObjectNode hfConfig() throws Exception {
    return (ObjectNode) new ObjectMapper().readTree(HfTiny.folder().resolve("config.json").toFile());
  }

  static CheckpointNames entry(BertConfig c, String canonical) {
    return CheckpointNames.byCanonical(CheckpointNames.forConfig(c, CheckpointNames.Part.values()), canonical)
        .orElseThrow();
  }

  @Test
  void strictImportListsRenamedAndMissingVariables() throws Exception {
    BertConfig c = BertConfig.fromHuggingFaceJson(HfTiny.folder().resolve("config.json"));
    CheckpointNames renamed = entry(c, "bert/encoder/layer_1/output/dense/kernel");
    CheckpointNames removed = entry(c, "bert/pooler/dense/bias");
    Map<String, SafeTensors.Tensor> t = tensors();
    t.put(renamed.hf().replace("output.dense", "output.dense_x"), t.remove(renamed.hf()));
    t.remove(removed.hf());
    Path dir = folder("renamed", t, hfConfig());
    try (HuggingFaceSource src = HuggingFaceSource.open(dir)) {
      SameDiff sd = SameDiff.create();
      BertGraph.build(sd, c);
      JbertException e = assertThrows(JbertException.class, () -> WeightImporter.load(sd, src));
      String m = e.getMessage();
      assertTrue(m.contains(renamed.canonical()) && m.contains(removed.canonical())
          && m.contains(renamed.hf().replace("output.dense", "output.dense_x")) && !m.contains("\n"), m);

      ImportReport r = WeightImporter.load(sd, src, false);
      assertEquals(List.of(renamed.canonical(), removed.canonical()), r.missing());
      assertTrue(r.unexpected().contains(renamed.hf().replace("output.dense", "output.dense_x")));
      assertEquals(CheckpointNames.forConfig(c, CheckpointNames.Part.ENCODER, CheckpointNames.Part.POOLER).size() - 2,
          r.loaded().size());
    }
  }

  @Test
  void configHiddenSizeDisagreeingWithWeightsListsShapes() throws Exception {
    ObjectNode cfg = hfConfig();
    cfg.put("hidden_size", 64);
    Path dir = folder("wrong-hidden", tensors(), cfg);
    JbertException e = assertThrows(JbertException.class, () -> BertModel.fromHuggingFace(dir));
    String m = e.getMessage();
    assertTrue(m.contains("shape mismatch bert/embeddings/word_embeddings expected [120, 64] found [120, 48]"), m);
    assertTrue(m.contains("bert/encoder/layer_2/attention/self/query/kernel expected [64, 64] found [48, 48]"), m);
  }

  @Test
  void strictEncoderImportReportsHeadTensorsAsUnexpected() {
    try (HuggingFaceSource src = HuggingFaceSource.open(HfTiny.folder())) {
      BertConfig c = src.config().orElseThrow();
      SameDiff sd = SameDiff.create();
      BertGraph.build(sd, c);
      ImportReport r = WeightImporter.load(sd, src);
      // a pretraining checkpoint's heads are reported but do not fail a strict encoder import
      assertTrue(r.missing().isEmpty() && r.shapeMismatches().isEmpty());
      assertTrue(r.unexpected().contains("cls/seq_relationship/output_weights"), r.summary());
      assertEquals(CheckpointNames.forConfig(c, CheckpointNames.Part.ENCODER, CheckpointNames.Part.POOLER).size(),
          r.loaded().size());
    }
  }

  @Test
  void truncatedWeightsInFolder() throws Exception {
    Path dir = tmp.resolve("trunc");
    Files.createDirectories(dir);
    Files.copy(HfTiny.folder().resolve("config.json"), dir.resolve("config.json"));
    byte[] all = Files.readAllBytes(HfTiny.folder().resolve("model.safetensors"));
    Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(all, all.length / 2));
    JbertException e = assertThrows(JbertException.class, () -> BertModel.fromHuggingFace(dir));
    assertTrue(e.getMessage().contains(dir.resolve("model.safetensors").toString())
        && e.getMessage().contains("tensor '"), e.getMessage());
  }

  /** A bare HF BertModel stores encoder weights without the "bert." prefix; both spellings load the same. */
  @Test
  void namesWithoutBertPrefixLoadTheSame() throws Exception {
    Map<String, SafeTensors.Tensor> bare = new LinkedHashMap<>();
    for (Map.Entry<String, SafeTensors.Tensor> e : tensors().entrySet()) {
      if (e.getKey().startsWith("bert.")) bare.put(e.getKey().substring("bert.".length()), e.getValue());
    }
    Path dir = folder("bare", bare, hfConfig());
    int[][] ids = {{2, 17, 33, 4}};
    int[][] mask = {{1, 1, 1, 0}};
    int[][] types = {{0, 0, 1, 0}};
    try (BertModel a = BertModel.fromHuggingFace(dir); BertModel b = BertModel.fromHuggingFace(HfTiny.folder());
        var ra = a.encode(ids, mask, types); var rb = b.encode(ids, mask, types)) {
      assertTrue(a.importReport().orElseThrow().complete(), a.importReport().orElseThrow().summary());
      assertEquals(rb.sequenceOutput(), ra.sequenceOutput());
      assertEquals(rb.pooledOutput(), ra.pooledOutput());
    }
  }
}
