package org.jbert.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.ConfigMapper;
import org.jbert.core.config.RunConfig;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.core.train.RunFolder;
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
          + " checkpoints/, the final model/, loss and learning-rate plots and report.md. One run at a time holds the folder"
          + " (run.lock); a folder holding an earlier run needs --resume or --overwrite.",
      "Examples: configs/pretrain-small-spamassassin.yaml, configs/pretrain-bert-base-continued.yaml,"
          + " configs/finetune-spamassassin.yaml, configs/finetune-tagging-example.yaml,"
          + " configs/finetune-squad-example.yaml, configs/finetune-hf-tiny-golden.yaml"
    })
final class RunCommand implements Runnable {
  /** The run files this command runs, chosen by their {@code task} key. */
  static final ConfigMapper RUNS = ConfigMapper.yaml()
      .withSubtypes(List.of(PretrainRunConfig.class, FinetuneRunConfig.class));

  @Parameters(index = "0", paramLabel = "CONFIG.yaml", description = "the run file")
  Path config;

  @Option(names = "--set", paramLabel = "KEY.PATH=VALUE",
      description = "override one key, checked like the file (repeatable), e.g. --set train.lr=1e-4")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--resume", description = "continue from the newest complete checkpoint in the output folder; its"
      + " batch size, accumulation, seed, shuffle, step count and data files must be the config's")
  boolean resume;

  @Option(names = "--overwrite", description = "delete an earlier run's outputs in the output folder and start over"
      + " (without it a folder holding a run is refused)")
  boolean overwrite;

  @Option(names = "--stop-after", paramLabel = "STEP",
      description = "stop with a checkpoint after this optimizer step; --resume continues exactly")
  long stopAfter = Long.MAX_VALUE;

  @Override
  public void run() {
    if (resume && overwrite) {
      throw new JbertException("--resume and --overwrite exclude each other; expected one of them");
    }
    RunFolder.Mode mode = resume ? RunFolder.Mode.RESUME : overwrite ? RunFolder.Mode.OVERWRITE : RunFolder.Mode.FRESH;
    RunConfig c = YamlBinder.load(config, RunConfig.class, RUNS, overrides);
    Trainer.Result r;
    Path model;
    String bestMetric = "";
    if (c instanceof PretrainRunConfig p) {
      bestMetric = p.train().metricForBestModel();
      PretrainRun.Outcome o = PretrainRun.run(p, mode, System.out, stopAfter);
      r = o.result();
      model = o.modelDir();
    } else if (c instanceof FinetuneRunConfig f) {
      bestMetric = f.train().metricForBestModel();
      FinetuneRun.Outcome o = FinetuneRun.run(f, mode, System.out, stopAfter, TaskScores::score);
      r = o.result();
      model = o.modelDir();
      if (!o.test().isEmpty()) System.out.println("jbert: test " + o.test());
    } else {
      throw new IllegalStateException("no runner for task " + c.task());
    }
    System.out.printf("jbert: steps %d..%d of %d, last loss %.4f, eval %s; model in %s, report in %s%n",
        r.firstStep(), r.lastStep(), r.totalSteps(), r.lastLoss(), r.eval(), model, r.runDir().resolve("report.md"));
    if (r.bestStep() > 0) {
      System.out.printf("jbert: best checkpoint step %d (%s %.6g)%s%n", r.bestStep(), bestMetric,
          r.bestValue(), r.stoppedEarly() ? "; stopped early at step " + r.lastStep() : "");
    }
  }
}
