package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.BertModel;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbert run} with a fine-tuning config on a tiny encoder and a separable toy task. */
class RunCommandTest {
  static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "great", "fine",
      "bad", "awful", "poor", "the", "movie", "was", "film");
  @TempDir static Path dir;
  static Path encoder;

  @BeforeAll
  static void setUp() throws Exception {
    BertConfig c = new BertConfig(VOCAB.size(), 16, 1, 2, 32, Activation.GELU_TANH, 0.1, 0.1, 16, 2, 0.02, 1e-12);
    encoder = dir.resolve("encoder");
    try (BertModel m = BertModel.random(c, 3)) {
      m.save(encoder);
    }
    Files.write(encoder.resolve("vocab.txt"), VOCAB);
    java.util.Random r = new java.util.Random(5);
    String[] pos = {"good", "great", "fine"}, neg = {"bad", "awful", "poor"}, filler = {"the", "movie", "was", "film"};
    for (String split : List.of("train", "dev", "test")) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < (split.equals("train") ? 64 : 16); i++) {
        boolean p = i % 2 == 0;
        String text = filler[r.nextInt(4)] + " " + filler[r.nextInt(4)] + " " + (p ? pos : neg)[r.nextInt(3)];
        lines.add("{\"text\": \"" + text + "\", \"label\": \"" + (p ? "pos" : "neg") + "\"}");
      }
      Files.write(dir.resolve(split + ".jsonl"), lines);
    }
  }

  private Path config(String name) throws Exception {
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, """
        task: finetune
        model: %s
        head: {type: sequence_classification, dropout: 0.1}
        data: {source: jsonl, train: %s, dev: %s, test: %s, max_seq_length: 8, max_train_examples: 0}
        train: {lr: 1.0e-2, warmup_steps: 0, epochs: 4, batch_size: 8, seed: 3, log_every: 1, eval_every: 16,
                checkpoint_every: 8, keep_checkpoints: 5, output_dir: %s}
        """.formatted(encoder, dir.resolve("train.jsonl"), dir.resolve("dev.jsonl"), dir.resolve("test.jsonl"),
        dir.resolve(name)));
    return f;
  }

  private static List<Double> losses(Path run) throws Exception {
    List<Double> out = new ArrayList<>();
    for (String l : Files.readAllLines(run.resolve("metrics.jsonl"))) out.add(new ObjectMapper().readTree(l)
        .get("loss").asDouble());
    return out;
  }

  @Test
  void fineTunesEvaluatesSavesAndResumesExactly() throws Exception {
    CliRun.Result r = CliRun.run("run", config("full").toString());
    assertEquals(0, r.code(), r.err());
    Path run = dir.resolve("full");
    List<Double> full = losses(run);
    assertEquals(32, full.size(), "4 epochs of 8 batches");
    assertTrue(full.subList(28, 32).stream().mapToDouble(d -> d).average().orElseThrow()
        < full.subList(0, 4).stream().mapToDouble(d -> d).average().orElseThrow(), "loss falls: " + full);
    JsonNode test = new ObjectMapper().readTree(run.resolve("test_metrics.json").toFile());
    assertEquals(16, test.get("examples").asInt());
    assertTrue(test.get("accuracy").asDouble() >= 0.75, "a separable toy task is learned: " + test);
    try (TaskModel m = TaskModelFiles.load(run.resolve("model"))) {
      assertEquals(2, m.context().numLabels());
    }
    // Stopped at step 8 and resumed: the losses of the uninterrupted run, exactly (dropout on).
    assertEquals(0, CliRun.run("run", config("split").toString(), "--stop-after", "8").code());
    assertEquals(0, CliRun.run("run", config("split").toString(), "--resume").code());
    assertEquals(full, losses(dir.resolve("split")));
  }

  /**
   * Issue 15, item 2: a second run into a finished run's folder is refused and leaves it as it was; --overwrite starts
   * over (the old metrics and checkpoints gone); --resume with --overwrite is an error; item 3: --resume where there
   * is no checkpoint is an error, not a silent fresh start.
   */
  @Test
  void aFolderHoldingARunNeedsResumeOrOverwrite() throws Exception {
    String cfg = config("again").toString();
    Path run = dir.resolve("again");
    String[] oneEpoch = {"--set", "train.epochs=1", "--set", "train.eval_every=0"};
    assertEquals(0, CliRun.run(CliRun.concat(new String[] {"run", cfg}, oneEpoch)).code());
    List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertEquals(8, metrics.size());
    CliRun.assertOneLineError(CliRun.run("run", cfg, "--set", "train.epochs=1", "--set", "train.max_steps=2"),
        run.toString(), "holds an earlier run", "metrics.jsonl", "--resume", "--overwrite");
    assertEquals(metrics, Files.readAllLines(run.resolve("metrics.jsonl")), "the refused run changed nothing");
    assertEquals(0, CliRun.run("run", cfg, "--overwrite", "--set", "train.max_steps=2").code());
    assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    assertTrue(Files.exists(run.resolve("checkpoints/step-2")));
    assertTrue(Files.notExists(run.resolve("checkpoints/step-8")), "the earlier run's checkpoints are gone");
    CliRun.assertOneLineError(CliRun.run("run", cfg, "--resume", "--overwrite"), "--resume", "--overwrite");
    CliRun.assertOneLineError(CliRun.run("run", cfg, "--resume", "--set", "train.output_dir=" + dir.resolve("agian")),
        "agian", "no checkpoint to resume from");
    assertTrue(Files.notExists(dir.resolve("agian")));
  }

  /**
   * Issue 15, item 10: a vocab.txt longer than the model's vocab_size is refused when the run loads the model, before
   * the folder gets anything (it used to fail mid-training, after a step and a checkpoint).
   */
  @Test
  void aVocabularyLargerThanTheModelIsRefusedAtLoad() throws Exception {
    Path big = dir.resolve("encoder-big-vocab");
    Files.createDirectories(big);
    try (var s = Files.list(encoder)) {
      for (Path p : s.toList()) Files.copy(p, big.resolve(p.getFileName()));
    }
    List<String> vocab = new ArrayList<>(VOCAB);
    vocab.addAll(List.of("superb", "dreadful"));
    Files.write(big.resolve("vocab.txt"), vocab);
    Path run = dir.resolve("bigvocab");
    CliRun.assertOneLineError(CliRun.run("run", config("bigvocab").toString(), "--set", "model=" + big),
        big.resolve("vocab.txt").toString(), "17 entries", "vocab_size is 15");
    assertTrue(Files.notExists(run.resolve("config.resolved.yaml")) && Files.notExists(run.resolve("checkpoints")));
  }

  /** Issue 15, item 11: train.batch_size 1 runs through the CLI (it crashed in the loss's one-hot). */
  @Test
  void batchSizeOneTrains() throws Exception {
    CliRun.Result r = CliRun.run("run", config("b1").toString(), "--set", "train.batch_size=1", "--set",
        "train.max_steps=3");
    assertEquals(0, r.code(), r.err());
    List<Double> l = losses(dir.resolve("b1"));
    assertEquals(3, l.size());
    for (double x : l) assertTrue(Double.isFinite(x), l.toString());
  }

  /**
   * Issue 15, "Also", through a fine-tuning run: checkpoints/best names the step with the highest dev accuracy in
   * metrics.jsonl (the first of equals), it survives keep_checkpoints 1, and with load_best_model_at_end the saved
   * model's test accuracy is the best step's dev accuracy (dev and test are the same file here).
   */
  @Test
  void theBestCheckpointByDevAccuracyIsKeptAndSaved() throws Exception {
    Path run = dir.resolve("best");
    CliRun.Result r = CliRun.run("run", config("best").toString(), "--set", "data.test=" + dir.resolve("dev.jsonl"),
        "--set", "train.max_steps=12", "--set", "train.eval_every=2", "--set", "train.checkpoint_every=0",
        "--set", "train.keep_checkpoints=1", "--set", "train.metric_for_best_model=eval_accuracy",
        "--set", "train.load_best_model_at_end=true");
    assertEquals(0, r.code(), r.err());
    long bestStep = 0;
    double best = -1;
    for (String l : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      JsonNode n = new ObjectMapper().readTree(l);
      if (n.has("eval_accuracy") && n.get("eval_accuracy").asDouble() > best) {
        best = n.get("eval_accuracy").asDouble();
        bestStep = n.get("step").asLong();
      }
    }
    assertEquals("step-" + bestStep, Files.readString(run.resolve("checkpoints/best")).strip());
    assertTrue(Files.isDirectory(run.resolve("checkpoints/step-" + bestStep)));
    assertTrue(Files.isDirectory(run.resolve("checkpoints/step-12")));
    JsonNode test = new ObjectMapper().readTree(run.resolve("test_metrics.json").toFile());
    assertEquals(best, test.get("accuracy").asDouble(), 1e-12);
  }

  @Test
  void unknownKeysAndTasksAreNamed() throws Exception {
    CliRun.assertOneLineError(CliRun.run("run", config("bad").toString(), "--set", "train.lr_schedule=linear"),
        "lr_schedule");
    Path f = dir.resolve("task.yaml");
    Files.writeString(f, "task: distill\n");
    CliRun.assertOneLineError(CliRun.run("run", f.toString()), "task", "distill", "pretrain", "finetune");
    Files.writeString(f, Files.readString(config("bad2")).replace("head:", "heads:"));
    CliRun.assertOneLineError(CliRun.run("run", f.toString()), "heads");
  }
}
