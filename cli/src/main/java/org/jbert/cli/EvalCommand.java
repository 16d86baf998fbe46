package org.jbert.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.eval.run.EvalConfig;
import org.jbert.eval.run.EvalRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jbert eval CONFIG.yaml}: the article's embedding checks, TF parity, the backend, task metrics of a fine-tuned
 * model and a run's loss curves, as a report.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the check groups of the eval file CONFIG: on `model`, the TF Hub article's embedding checks (keys, shapes,"
          + " encoder_outputs[-1] == sequence_output, padding invariance), every layer against TensorFlow on a"
          + " SavedModel and the safetensors export reloaded; which ND4J backend (CPU or CUDA) ran; the task metrics"
          + " of a fine-tuned model on a labeled file (task: accuracy, precision/recall/F1, MCC and the confusion"
          + " matrix, Pearson/Spearman for regression, MLM accuracy and perplexity), with task.min/task.max bounds as"
          + " checks; and the loss curves of a training run (run_dir). Writes report.md, report.json, plots and"
          + " config.resolved.yaml into output_dir; prints one line per failed check and exits 1 when any check"
          + " fails.",
      "Examples: configs/eval-seed.yaml, configs/eval-finetuned-spamassassin.yaml"
    })
final class EvalCommand implements Callable<Integer> {
  /** Exit status when a check failed. */
  static final int CHECK_FAILED = 1;

  @Parameters(index = "0", paramLabel = "CONFIG.yaml", description = "the eval file")
  Path config;

  @Option(names = "--set", paramLabel = "KEY.PATH=VALUE",
      description = "override one key, checked like the file (repeatable), e.g. --set texts.spamassassin_bodies=10")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    EvalConfig c = YamlBinder.load(config, EvalConfig.class, overrides);
    EvalRun.Outcome o = EvalRun.run(c, System.out);
    List<String> failures = EvalRun.failureLines(o.report());
    failures.forEach(System.out::println);
    long total = o.report().checks().size();
    System.out.printf("jbert eval: %s, %d of %d checks passed; report in %s%n", o.passed() ? "PASS" : "FAIL",
        total - failures.size(), total, o.reportFile());
    return o.passed() ? 0 : CHECK_FAILED;
  }
}
