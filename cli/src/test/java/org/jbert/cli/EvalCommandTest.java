package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.BertModel;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.finetune.head.TaskHeads;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbert eval} on a tiny random model folder (fast; the real model runs in the eval module's tests). */
class EvalCommandTest {
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void tinyModelAndConfig() throws Exception {
    BertConfig c = new BertConfig(EmbedCommandTest.VOCAB.size(), 16, 2, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 32, 2,
        0.02, 1e-12);
    Path model = dir.resolve("tiny");
    try (BertModel m = BertModel.random(c, 3)) {
      m.save(model);
    }
    Files.write(model.resolve("vocab.txt"), EmbedCommandTest.VOCAB);
    config = dir.resolve("eval.yaml");
    Files.writeString(config, "model: " + model + "\nseq_length: 16\noutput_dir: " + dir.resolve("out") + "\n");
  }

  /** Runs the command with stdout captured. */
  private static String[] run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    CliRun.Result r;
    try {
      r = CliRun.run(args);
    } finally {
      System.setOut(old);
    }
    return new String[] {Integer.toString(r.code()), buf.toString(StandardCharsets.UTF_8), r.err()};
  }

  @Test
  void passingChecksExitZeroAndWriteTheReport() {
    // 11 embedding checks, the safetensors round trip and the backend; parity is skipped (not a SavedModel).
    String[] r = run("eval", config.toString());
    assertEquals("0", r[0], r[1] + r[2]);
    assertTrue(r[1].contains("jbert eval: PASS, 13 of 13 checks passed"), r[1]);
    assertTrue(Files.isRegularFile(dir.resolve("out/report.md")));
    assertTrue(Files.isRegularFile(dir.resolve("out/report.json")));
  }

  @Test
  void aFailedCheckExitsOneWithOneLinePerFailure() {
    String[] r = run("eval", config.toString(), "--set", "backend=cuda", "--set", "checks=[backend]",
        "--set", "output_dir=" + dir.resolve("cuda"));
    assertEquals(Integer.toString(EvalCommand.CHECK_FAILED), r[0], r[1] + r[2]);
    List<String> fails = r[1].lines().filter(l -> l.startsWith("FAIL ")).toList();
    assertEquals(1, fails.size(), r[1]);
    assertTrue(fails.get(0).startsWith("FAIL ND4J backend (cuda required)"), fails.get(0));
  }

  /** A tiny random classifier (labels neg/pos) and a file where one text has both labels: accuracy is below 1. */
  private static Path taskConfig(String name, String extra) throws Exception {
    Path model = dir.resolve("classifier");
    if (!Files.isDirectory(model)) {
      BertConfig c = new BertConfig(EmbedCommandTest.VOCAB.size(), 16, 1, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 32,
          2, 0.02, 1e-12);
      try (TaskModel m = TaskModel.random(TaskHeads.get(SequenceClassificationHead.TYPE),
          HeadContext.of(c, 2).withLabelNames(List.of("neg", "pos")), 5)) {
        m.save(model);
      }
      Files.write(model.resolve("vocab.txt"), EmbedCommandTest.VOCAB);
      Files.write(dir.resolve("task.jsonl"), List.of("{\"text\": \"hello\", \"label\": \"pos\"}",
          "{\"text\": \"hello\", \"label\": \"neg\"}", "{\"text\": \"world\", \"label\": \"pos\"}"));
    }
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, "checks: [task" + (extra.contains("run_dir") ? ", loss_curves" : "") + "]\ntask: {model: "
        + model + ", data: " + dir.resolve("task.jsonl") + ", min: {accuracy: 1.0}}\n" + extra + "output_dir: "
        + dir.resolve(name) + "\n");
    return f;
  }

  @Test
  void aMissedTaskFloorExitsOneAndTheReportNamesIt() throws Exception {
    String[] r = run("eval", taskConfig("floor", "").toString());
    assertEquals(Integer.toString(EvalCommand.CHECK_FAILED), r[0], r[1] + r[2]);
    List<String> fails = r[1].lines().filter(l -> l.startsWith("FAIL ")).toList();
    assertEquals(1, fails.size(), r[1]);
    assertTrue(fails.get(0).startsWith("FAIL task accuracy measured "), fails.get(0));
    assertTrue(fails.get(0).contains(">= 1.000e+00"), fails.get(0));
    String md = Files.readString(dir.resolve("floor/report.md"));
    assertTrue(md.startsWith("# jbert eval: " + dir.resolve("classifier") + "\n\n**FAIL**: 0 of 1 checks passed."), md);
    assertTrue(md.contains("| task accuracy | **FAIL** |"), md);
    assertTrue(Files.isRegularFile(dir.resolve("floor/confusion-matrix.png")));
  }

  @Test
  void aGarbledMetricsLogIsABadInputErrorNamingFileAndLine() throws Exception {
    Path run = dir.resolve("run");
    Files.createDirectories(run);
    Files.writeString(run.resolve("metrics.jsonl"), "{\"step\": 1, \"loss\": 2.0}\n{\"step\": 2, \"loss\n");
    CliRun.assertOneLineError(CliRun.run("eval", taskConfig("garbled", "run_dir: " + run + "\n").toString()),
        run.resolve("metrics.jsonl") + ":2: not valid JSON");
  }

  @Test
  void anUnknownKeyIsABadInputError() {
    CliRun.assertOneLineError(CliRun.run("eval", config.toString(), "--set", "tolerence=1e-3"), "tolerence",
        "tolerance");
  }
}
