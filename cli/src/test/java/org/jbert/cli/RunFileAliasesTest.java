package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.config.RunConfig;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.eval.run.EvalConfig;
import org.jbert.finetune.run.FinetuneRunConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 9 on the real run files: YAML aliases resolve ({@code dev: *TR} was the file "TR",
 * {@code output_dir: *OUT} the folder ./OUT), and {@code .inf}/{@code .nan} get the key-named range error instead of
 * "not valid YAML". Binding only: nothing is trained.
 */
class RunFileAliasesTest {
  @TempDir Path dir;

  @Test
  void aliasesInAFineTuningRunResolve() throws Exception {
    Path f = dir.resolve("run.yaml");
    Files.writeString(f, """
        task: finetune
        model: &OUT runs/tiny
        data: {source: jsonl, train: &TR data/train.jsonl, dev: *TR, test: *TR}
        train: {output_dir: *OUT, batch_size: 4}
        """);
    RunConfig c = YamlBinder.load(f, RunConfig.class, RunCommand.RUNS, List.of());
    FinetuneRunConfig ft = assertInstanceOf(FinetuneRunConfig.class, c);
    assertEquals("data/train.jsonl", ft.data().train());
    assertEquals("data/train.jsonl", ft.data().dev());
    assertEquals("data/train.jsonl", ft.data().test());
    assertEquals("runs/tiny", ft.train().outputDir());
    assertEquals(4, ft.train().batchSize());
  }

  @Test
  void aliasesInAnEvalFileResolve() throws Exception {
    Path f = dir.resolve("eval.yaml");
    Files.writeString(f, """
        checks: [loss_curves]
        run_dir: &OUT runs/finetune-spamassassin
        output_dir: *OUT
        """);
    EvalConfig c = YamlBinder.load(f, EvalConfig.class, List.of());
    assertEquals(Path.of("runs/finetune-spamassassin"), c.outputDir());
    assertEquals(c.runDir().orElseThrow(), c.outputDir());
  }

  @Test
  void aDefaultLeftEmptyIsReportedByTheRecord() throws Exception {
    Path f = dir.resolve("eval.yaml");
    Files.writeString(f, "checks: [task]\ntask: {model: runs/x/model}\n");
    CliRun.assertOneLineError(CliRun.run("eval", f.toString()),
        f + ": task.data is empty; expected the labeled file to evaluate on");
  }

  @Test
  void infinityAndNanNameTheKey() throws Exception {
    Path f = dir.resolve("inf.yaml");
    Files.writeString(f, "task: finetune\ndata: {source: jsonl, train: t.jsonl}\ntrain: {lr: .inf}\n");
    CliRun.assertOneLineError(CliRun.run("run", f.toString()), f + ": train.lr is Infinity; expected a finite number");
    Files.writeString(f, "task: finetune\ndata: {source: jsonl, train: t.jsonl}\nhead: {dropout: .NaN}\n");
    CliRun.assertOneLineError(CliRun.run("run", f.toString()), f + ": head.dropout is NaN; expected a finite number");
    Files.writeString(f, "tolerance: -.inf\n");
    CliRun.assertOneLineError(CliRun.run("eval", f.toString()), f + ": tolerance is -Infinity; expected a finite number");
  }

  @Test
  void anAliasBombIsOneLine() throws Exception {
    StringBuilder y = new StringBuilder("task: finetune\nl0: &l0 [x, x]\n");
    for (int i = 1; i <= 24; i++) {
      y.append("l").append(i).append(": &l").append(i).append(" [*l").append(i - 1).append(", *l").append(i - 1)
          .append("]\n");
    }
    Path f = dir.resolve("bomb.yaml");
    Files.writeString(f, y);
    CliRun.assertOneLineError(CliRun.run("run", f.toString()), f + ": not valid YAML", "alias bomb");
  }
}
