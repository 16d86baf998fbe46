package org.jbert.core.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jbert.core.JbertException;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.core.io.AtomicFiles;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loop for any {@link Trainable}: per optimizer step, {@code grad_accum_steps} micro-batches in a seeded
 * order (or file order, {@code shuffle: false}) whose gradients are averaged, global-norm clipping, the learning-rate
 * schedule, AdamW; metrics to {@code metrics.jsonl} (with the model's {@link Trainable#stepMetrics} and then the
 * step's wall time {@code step_s} and its clipping + update part {@code update_s}, when the model measured anything)
 * and the progress bar every {@code log_every} steps, an evaluation callback every {@code eval_every} steps and at the
 * end, checkpoints every {@code checkpoint_every} steps and at the end; finally loss and lr plots and
 * {@code report.md}. Everything goes into {@code output_dir}, starting with
 * {@code config.resolved.yaml}.
 *
 * <p>The folder is a {@link RunFolder}: locked for the run, refused when it holds an earlier run (unless resumed or
 * overwritten), cleared of stale temps. Exact resume: with {@link #resume(boolean) resume(true)} the run continues
 * from the checkpoint {@code latest} names, or the newest complete one (parameters, AdamW moments and step, data order
 * position), after checking that its recorded settings ({@link ResumeCheck}) are the run's; before each micro-batch
 * nd4j's random generator is seeded from (seed, step, micro-batch), so dropout masks do not depend on what ran before.
 * A resumed run therefore computes the same losses as an uninterrupted one.
 *
 * <p>Best model ({@code metric_for_best_model}): an evaluation that improves the metric writes a checkpoint and marks
 * it {@code checkpoints/best} (never pruned); {@code early_stopping_patience} evaluations without improvement end the
 * run (with a checkpoint, plots and report); {@code load_best_model_at_end} loads the best checkpoint's weights then.
 *
 * <p>A NaN or infinite loss or gradient norm stops the run with a {@link JbertException} naming the step; no
 * checkpoint is written after it, so {@code latest} still names the last good one.
 *
 * @param <B> the micro-batch type
 */
public final class Trainer<B> {

  /** Evaluation at a step: metric name to value (written to metrics.jsonl with an {@code eval_} prefix). */
  @FunctionalInterface
  public interface Evaluator {
    Map<String, Double> evaluate(long step);
  }

  /**
   * What a run did. {@code losses} holds this process's per-step losses, index 0 being step {@code firstStep}.
   * {@code stoppedEarly}: early stopping ended the run before {@code totalSteps}; {@code bestStep} is the step of the
   * best checkpoint by {@code metric_for_best_model} (0 without one), {@code bestValue} its metric.
   */
  public record Result(long firstStep, long lastStep, long totalSteps, List<Double> losses, Map<String, Double> eval,
      Duration wall, Path runDir, boolean stoppedEarly, long bestStep, double bestValue) {
    public double lastLoss() {
      return losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
    }

    /** The run reached its end (the total steps, or an early stop): the final model is to be saved. */
    public boolean finished() {
      return lastStep == totalSteps || stoppedEarly;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrainConfig cfg;
  private final Trainable<B> model;
  private final BatchSource<B> data;
  private Evaluator evaluator;
  private Record resolvedConfig;
  private PrintStream progressOut;
  private Boolean progressTty;
  private boolean resume;
  private RunFolder folder;
  private String title = "Training run";

  public Trainer(TrainConfig cfg, Trainable<B> model, BatchSource<B> data) {
    this.cfg = cfg;
    this.model = model;
    this.data = data;
  }

  /** Called every {@code eval_every} steps and after the last step. */
  public Trainer<B> evaluator(Evaluator e) {
    this.evaluator = e;
    return this;
  }

  /** The whole run config, written as {@code config.resolved.yaml} (default: the train section alone). */
  public Trainer<B> resolvedConfig(Record fullConfig) {
    this.resolvedConfig = fullConfig;
    return this;
  }

  /**
   * Continue from the newest complete checkpoint in {@code output_dir} (an error when there is none, or when it was
   * written with other data-order settings); without it, a folder holding an earlier run is refused. Used when no
   * {@link #folder} is given.
   */
  public Trainer<B> resume(boolean resume) {
    this.resume = resume;
    return this;
  }

  /**
   * The run folder, already locked and checked by the caller (who closes it); its checkpoint, if any, is resumed
   * and its settings are recorded in every checkpoint. Without it the trainer takes {@code output_dir} itself with
   * the train section's settings ({@link ResumeCheck#of}).
   */
  public Trainer<B> folder(RunFolder folder) {
    this.folder = folder;
    return this;
  }

  /** Where the progress bar goes (default standard output, in place when it is a console). */
  public Trainer<B> progress(PrintStream out, boolean tty) {
    this.progressOut = out;
    this.progressTty = tty;
    return this;
  }

  /** The report's heading. */
  public Trainer<B> title(String title) {
    this.title = title;
    return this;
  }

  /** Trains to the total step count. */
  public Result run() {
    return run(Long.MAX_VALUE);
  }

  /**
   * Trains until optimizer step {@code stopAfter} (or the total, whichever is first) and writes a checkpoint there,
   * as a time-limited job would; a later {@code resume(true).run()} continues exactly. Plots and report are written
   * only when the total is reached.
   */
  public Result run(long stopAfter) {
    Path runDir = Path.of(cfg.outputDir());
    if (!cfg.bestMetric().isEmpty() && evaluator == null) {
      throw new JbertException("train.metric_for_best_model is " + cfg.metricForBestModel() + " but the run has no"
          + " evaluation; expected a dev set (data.dev, or the pretraining dev_fraction)");
    }
    RunFolder f = folder != null ? folder
        : RunFolder.open(runDir, resume ? RunFolder.Mode.RESUME : RunFolder.Mode.FRESH, ResumeCheck.of(cfg));
    try {
      return run(f, runDir, stopAfter);
    } finally {
      if (folder == null) f.close();
    }
  }

  private Result run(RunFolder f, Path runDir, long stopAfter) {
    long t0 = System.nanoTime();
    String yaml = YamlBinder.toYaml(resolvedConfig != null ? resolvedConfig : new TrainSection(cfg));
    byte[] yamlBytes = yaml.getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(runDir.resolve("config.resolved.yaml"), out -> out.write(yamlBytes));

    DataOrder order = new DataOrder(data.size(), cfg.batchSize(), cfg.seed(), cfg.shuffle());
    long total = cfg.totalSteps(order.batchesPerEpoch());
    LrSchedule schedule = cfg.lrSchedule(total);
    Map<String, INDArray> params = model.parameters();
    Checkpoints checkpoints = new Checkpoints(runDir, cfg.keepCheckpoints());
    BestModel best = cfg.bestMetric().isEmpty() ? null : new BestModel(cfg);
    int k = cfg.gradAccumSteps();
    long step = 0;
    Path lastCheckpoint = null;
    List<Double> losses = new ArrayList<>();
    Map<String, Double> lastEval = Map.of();
    double earlierSeconds = 0; // training time of the processes before a resume, up to the checkpoint resumed from

    try (AdamW opt = new AdamW(params, cfg.adamW());
        OptimizerStep<B> optimizerStep = new OptimizerStep<>(model, opt, k, cfg.maxGradNorm(), cfg.seed())) {
      Optional<Path> from = f.resumeFrom();
      if (from.isPresent()) {
        Checkpoints.Loaded c = checkpoints.load(from.get());
        step = restore(c, params, opt, order);
        earlierSeconds = c.state().path(TRAIN_SECONDS).asDouble(0);
        if (best != null) best.restore(c.state());
        lastCheckpoint = from.get();
      }
      long firstStep = step + 1;
      ProgressBar bar = progressOut != null ? new ProgressBar(progressOut, step, total, progressTty, System::nanoTime)
          : ProgressBar.stdout(step, total);
      try (MetricsLog metrics = MetricsLog.open(runDir.resolve("metrics.jsonl"), step)) {
        while (step < total && step < stopAfter && (best == null || !best.stopped())) {
          double lr = schedule.lr(step);
          OptimizerStep.Outcome o;
          try {
            o = optimizerStep.run(step, () -> data.batch(order.next()), lr);
          } catch (OptimizerStep.NonFinite e) {
            throw nonFinite(step + 1, e.what(), e.value(), lastCheckpoint);
          }
          double loss = o.loss();
          double norm = o.gradNorm();
          Map<String, Double> measured = model.stepMetrics();
          step++;
          losses.add(loss);

          boolean last = step == total;
          boolean evalNow = evaluator != null && (last || (cfg.evalEvery() > 0 && step % cfg.evalEvery() == 0));
          Map<String, Double> eval = evalNow ? evaluator.evaluate(step) : Map.of();
          if (evalNow) NativeMemory.release(); // the evaluation's batches have their own sizes
          if (evalNow) lastEval = eval;
          boolean newBest = evalNow && best != null && best.update(step, eval);
          boolean stopNow = best != null && best.stopped();
          if (step % cfg.logEvery() == 0 || last || evalNow) {
            Map<String, Double> extra = new LinkedHashMap<>();
            extra.put("grad_norm", norm);
            if (!measured.isEmpty()) {
              extra.putAll(measured);
              extra.put("step_s", o.forwardBackwardSeconds() + o.updateSeconds());
              extra.put("update_s", o.updateSeconds());
            }
            for (Map.Entry<String, Double> e : eval.entrySet()) extra.put("eval_" + e.getKey(), e.getValue());
            metrics.log(step, loss, lr, extra);
            bar.update(step, loss, lr);
          }
          if (last || step == stopAfter || newBest || stopNow
              || (cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0)) {
            double trained = earlierSeconds + (System.nanoTime() - t0) / 1e9;
            lastCheckpoint = checkpoints.save(step, params, opt.state(), state(order, f, best, trained), newBest);
          }
        }
      } finally {
        bar.finish();
      }
      boolean stoppedEarly = best != null && best.stopped();
      if (stoppedEarly && progressOut != null) {
        progressOut.printf("jbert: early stopping at step %d: %s has not improved on %.6g (step %d) for %d"
            + " evaluations%n", step, best.metric(), best.value(), best.step(), cfg.earlyStoppingPatience());
      }
      boolean finished = step == total || stoppedEarly;
      if (finished && cfg.loadBestModelAtEnd() && best.step() > 0 && best.step() != step) {
        Path b = checkpoints.dir().resolve("step-" + best.step());
        Checkpoints.assign(checkpoints.loadModel(b), params, b.resolve(Checkpoints.MODEL).toString());
      }
      Duration wall = Duration.ofNanos(System.nanoTime() - t0);
      if (finished) finish(runDir, yaml, step, losses, lastEval, wall, Duration.ofMillis(Math.round(earlierSeconds * 1e3)),
          firstStep, best);
      return new Result(firstStep, step, total, List.copyOf(losses), lastEval, wall, runDir, stoppedEarly,
          best == null ? 0 : best.step(), best == null ? Double.NaN : best.value());
    }
  }

  /** The YAML shape of the default resolved config: {@code train:} and the section. */
  public record TrainSection(TrainConfig train) {}

  private long restore(Checkpoints.Loaded c, Map<String, INDArray> params, AdamW opt, DataOrder order) {
    String where = c.dir().toString();
    Checkpoints.assign(c.model(), params, c.dir().resolve(Checkpoints.MODEL).toString());
    Map<String, INDArray> m = Checkpoints.toArrays(c.m()), v = Checkpoints.toArrays(c.v());
    try {
      opt.load(new AdamW.State(c.state().path("optimizer_step").asLong(-1), m, v), where);
    } finally {
      m.values().forEach(INDArray::close);
      v.values().forEach(INDArray::close);
    }
    ObjectNode d = (ObjectNode) c.state().get("data");
    if (d == null || !d.has("epoch") || !d.has("batch") || !d.has("rng_state")) {
      throw new JbertException(c.dir().resolve(Checkpoints.STATE) + ": no data position (data.epoch, data.batch, "
          + "data.rng_state); expected a checkpoint written by jbert's Trainer");
    }
    long seed = c.state().path("seed").asLong();
    if (seed != cfg.seed()) {
      throw new JbertException(c.dir().resolve(Checkpoints.STATE) + ": written with seed " + seed + " but the config "
          + "has seed " + cfg.seed() + "; expected the same seed to resume exactly");
    }
    order.restore(new DataOrder.Position(d.get("epoch").asLong(), d.get("batch").asLong(), d.get("rng_state").asLong()));
    return c.step();
  }

  /** The checkpoint key holding the training time up to that checkpoint, over every process of the run (seconds). */
  static final String TRAIN_SECONDS = "train_seconds";

  private ObjectNode state(DataOrder order, RunFolder f, BestModel best, double trainSeconds) {
    ObjectNode s = JSON.createObjectNode();
    s.put("seed", cfg.seed());
    s.put(TRAIN_SECONDS, trainSeconds);
    s.set(ResumeCheck.STATE_KEY, f.settings().toJson());
    if (best != null) best.write(s);
    ObjectNode d = s.putObject("data");
    DataOrder.Position p = order.position();
    d.put("epoch", p.epoch());
    d.put("batch", p.batch());
    d.put("rng_state", p.rngState());
    return s;
  }

  private static JbertException nonFinite(long step, String what, double value, Path lastGood) {
    return new JbertException("training stopped at step " + step + ": " + what + " is " + value + "; "
        + (lastGood != null ? "the last good checkpoint is " + lastGood : "no checkpoint was written yet")
        + " (lower lr or enable max_grad_norm, then resume)");
  }

  private void finish(Path runDir, String yaml, long step, List<Double> losses, Map<String, Double> eval,
      Duration wall, Duration earlier, long firstStep, BestModel best) {
    List<ObjectNode> lines = MetricsLog.read(runDir.resolve("metrics.jsonl"));
    long[] x = new long[lines.size()];
    double[] loss = new double[lines.size()], lr = new double[lines.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = lines.get(i).path("step").asLong();
      loss[i] = lines.get(i).path("loss").asDouble(Double.NaN);
      lr[i] = lines.get(i).path("lr").asDouble(Double.NaN);
    }
    Plots.line(runDir.resolve("loss.png"), "Training loss", "loss", x, loss);
    Plots.line(runDir.resolve("lr.png"), "Learning rate", "lr", x, lr);
    Map<String, Number> fin = new LinkedHashMap<>();
    fin.put("step", step);
    if (lines.size() > 0) fin.put("loss", loss[loss.length - 1]);
    for (Map.Entry<String, Double> e : eval.entrySet()) fin.put("eval_" + e.getKey(), e.getValue());
    if (best != null && best.step() > 0) {
      fin.put("best_step", best.step());
      fin.put("best_eval_" + best.metric(), best.value());
      if (best.stopped()) fin.put("stopped_early_at_step", step);
    }
    RunReport.write(runDir, title, yaml, fin, wall, earlier, firstStep, List.of("loss.png", "lr.png"));
  }
}
