package org.jbert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.core.train.Trainer;
import org.jbert.eval.metrics.TaskScores;
import org.jbert.finetune.run.FinetuneRun;
import org.jbert.finetune.run.FinetuneRunConfig;
import org.jbert.pretraining.run.PretrainRun;
import org.jbert.pretraining.run.PretrainRunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jbert run CONFIG.yaml}: a pretraining or fine-tuning run described by a YAML file. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the YAML run file CONFIG (its 'task' key: pretrain or finetune). Every key is checked; unknown keys are rejected"
          + " with their key path. The output folder (train.output_dir) receives config.resolved.yaml, metrics.jsonl,"
          + " checkpoints/, the final model/, loss and learning-rate plots and report.md.",
      "Examples: configs/pretrain-small-spamassassin.yaml, configs/pretrain-bert-base-continued.yaml,"
          + " configs/finetune-spamassassin.yaml, configs/finetune-tagging-example.yaml,"
          + " configs/finetune-squad-example.yaml, configs/finetune-hf-tiny-golden.yaml"
    })
final class RunCommand implements Runnable {
  static final List<String> TASKS = List.of(PretrainRunConfig.TASK, FinetuneRunConfig.TASK);

  @Parameters(index = "0", paramLabel = "CONFIG.yaml", description = "the run file")
  Path config;

  @Option(names = "--set", paramLabel = "KEY.PATH=VALUE",
      description = "override one key, checked like the file (repeatable), e.g. --set train.lr=1e-4")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--resume", description = "continue from the latest checkpoint in the output folder")
  boolean resume;

  @Option(names = "--stop-after", paramLabel = "STEP",
      description = "stop with a checkpoint after this optimizer step; --resume continues exactly")
  long stopAfter = Long.MAX_VALUE;

  @Override
  public void run() {
    ObjectNode tree = YamlBinder.readTree(config);
    JsonNode task = tree.get("task");
    if (task == null || !task.isTextual() || !TASKS.contains(task.asText())) {
      throw new JbertException(config + ": key 'task' is " + (task == null ? "missing" : task.toString())
          + "; expected one of " + TASKS);
    }
    Trainer.Result r;
    Path model;
    if (task.asText().equals(PretrainRunConfig.TASK)) {
      for (String o : overrides) YamlBinder.applyOverride(tree, PretrainRunConfig.class, o);
      PretrainRunConfig c = YamlBinder.bind(tree, PretrainRunConfig.class, config.toString());
      PretrainRun.Outcome o = PretrainRun.run(c, resume, System.out, stopAfter);
      r = o.result();
      model = o.modelDir();
    } else {
      for (String o : overrides) YamlBinder.applyOverride(tree, FinetuneRunConfig.class, o);
      FinetuneRunConfig c = YamlBinder.bind(tree, FinetuneRunConfig.class, config.toString());
      FinetuneRun.Outcome o = FinetuneRun.run(c, resume, System.out, stopAfter, TaskScores::score);
      r = o.result();
      model = o.modelDir();
      if (!o.test().isEmpty()) System.out.println("jbert: test " + o.test());
    }
    System.out.printf("jbert: steps %d..%d of %d, last loss %.4f, eval %s; model in %s, report in %s%n",
        r.firstStep(), r.lastStep(), r.totalSteps(), r.lastLoss(), r.eval(), model, r.runDir().resolve("report.md"));
  }
}
