package org.jbert.pretraining.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.pretraining.PretrainingModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole pretraining run from YAML on a small corpus: learning, exact resume, config errors. */
class PretrainRunTest {
  @TempDir static Path dir;
  static Path corpus;

  @BeforeAll
  static void corpus() throws Exception {
    corpus = dir.resolve("corpus.txt");
    StringBuilder b = new StringBuilder();
    String[] words = {"the", "cat", "sat", "on", "mat", "dog", "ran", "to", "park", "bird", "sang", "in", "tree"};
    java.util.Random r = new java.util.Random(3);
    for (int d = 0; d < 60; d++) {
      for (int s = 0; s < 4; s++) {
        for (int w = 0; w < 6 + r.nextInt(5); w++) b.append(words[(d + s + w * (1 + d % 3)) % words.length]).append(' ');
        b.append(".\n");
      }
      b.append('\n');
    }
    Files.writeString(corpus, b.toString());
  }

  private static PretrainRunConfig config(Path out, long steps, String... overrides) {
    String yaml = """
        task: pretrain
        model: {from: "", vocab: bert-base-uncased, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2,
                intermediate_size: 32, max_position_embeddings: 32, dropout: 0.1, nsp: true}
        data:
          corpus: %s
          max_documents: 1000
          dev_fraction: 0.1
          instances: {max_seq_length: 32, max_predictions_per_seq: 5, masked_lm_prob: 0.15, dupe_factor: 1,
                      short_seq_prob: 0.1, whole_word_mask: false, seed: 7, shard_documents: 100}
        train: {lr: 5.0e-3, warmup_steps: 0, max_steps: %d, batch_size: 8, seed: 11, log_every: 1, eval_every: 0,
                checkpoint_every: 2, keep_checkpoints: 5, output_dir: %s}
        """.formatted(corpus, steps, out);
    var tree = YamlBinder.parse(yaml, "test.yaml");
    for (String o : overrides) YamlBinder.applyOverride(tree, PretrainRunConfig.class, o);
    return YamlBinder.bind(tree, PretrainRunConfig.class, "test.yaml");
  }

  private static List<Double> losses(Path run) throws Exception {
    List<Double> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      out.add(new ObjectMapper().readTree(line).get("loss").asDouble());
    }
    return out;
  }

  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @Test
  void learnsAndResumesExactly() throws Exception {
    Path full = dir.resolve("full");
    PretrainRun.Outcome o = PretrainRun.run(config(full, 8), false, QUIET);
    List<Double> l = losses(full);
    assertEquals(8, l.size());
    assertTrue(l.get(7) < l.get(0), "loss falls: " + l);
    Map<String, Double> eval = o.result().eval();
    assertTrue(eval.get("mlm_accuracy") >= 0 && eval.get("mlm_accuracy") <= 1, eval.toString());
    assertTrue(Files.isRegularFile(full.resolve("report.md")));
    try (PretrainingModel m = PretrainingModel.load(o.modelDir())) {
      assertEquals(16, m.config().hiddenSize());
    }

    // Stop at step 4 (a checkpoint), then resume to 8: steps 5..8 repeat the uninterrupted losses exactly, dropout on.
    Path split = dir.resolve("split");
    PretrainRun.Outcome first = PretrainRun.run(config(split, 8), false, QUIET, 4);
    assertEquals(4, first.result().lastStep());
    PretrainRun.Outcome second = PretrainRun.run(config(split, 8), true, QUIET);
    assertEquals(5, second.result().firstStep());
    List<Double> resumed = losses(split);
    assertEquals(l, resumed, "resumed run repeats the uninterrupted losses");
  }

  /**
   * {@code train.batch_size: 1}: MLM and NSP losses on one row per step, and the held-out evaluation in batches of 1.
   * Each step's loss is finite and the held-out MLM loss equals the mean over its one-instance batches.
   */
  @Test
  void batchOfOneTrains() throws Exception {
    Path out = dir.resolve("b1");
    PretrainRun.Outcome o = PretrainRun.run(config(out, 3, "train.batch_size=1", "train.checkpoint_every=0"), false,
        QUIET);
    List<Double> l = losses(out);
    assertEquals(3, l.size());
    for (double x : l) assertTrue(Double.isFinite(x) && x > 0, l.toString());
    assertTrue(Double.isFinite(o.result().eval().get("mlm_loss")), o.result().eval().toString());
    assertTrue(Double.isFinite(o.result().eval().get("nsp_loss")), o.result().eval().toString());
  }

  @Test
  void badConfigsAreNamed() {
    Path out = dir.resolve("bad");
    JbertException e = assertThrows(JbertException.class, () -> PretrainRun.run(
        config(out, 2, "data.instances.max_seq_length=64"), false, QUIET));
    assertTrue(e.getMessage().contains("max_seq_length 64") && e.getMessage().contains("max_position_embeddings 32"),
        e.getMessage());
    e = assertThrows(JbertException.class, () -> config(out, 2, "train.learning_rate=1"));
    assertTrue(e.getMessage().contains("learning_rate"), e.getMessage());
    e = assertThrows(JbertException.class, () -> PretrainRun.run(config(out, 2, "data.corpus=" + dir.resolve("none.txt")),
        false, QUIET));
    assertTrue(e.getMessage().contains("none.txt") && e.getMessage().contains("not found"), e.getMessage());
    e = assertThrows(JbertException.class, () -> config(out, 2, "data.instances.max_predictions_per_seq=0"));
    assertTrue(e.getMessage().contains("max"), e.getMessage());
  }
}
