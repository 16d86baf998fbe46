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
 * schedule, AdamW; metrics to {@code metrics.jsonl} and the progress bar every {@code log_every} steps, an evaluation
 * callback every {@code eval_every} steps and at the end, checkpoints every {@code checkpoint_every} steps and at the end; finally
 * loss and lr plots and {@code report.md}. Everything goes into {@code output_dir}, starting with
 * {@code config.resolved.yaml}.
 *
 * <p>Exact resume: with {@link #resume(boolean) resume(true)} the run continues from the checkpoint {@code latest}
 * names (parameters, AdamW moments and step, data order position); before each micro-batch nd4j's random generator is
 * seeded from (seed, step, micro-batch), so dropout masks do not depend on what ran before. A resumed run therefore
 * computes the same losses as an uninterrupted one.
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

  /** What a run did. {@code losses} holds this process's per-step losses, index 0 being step {@code firstStep}. */
  public record Result(long firstStep, long lastStep, long totalSteps, List<Double> losses, Map<String, Double> eval,
      Duration wall, Path runDir) {
    public double lastLoss() {
      return losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
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

  /** Continue from the latest checkpoint in {@code output_dir} when there is one. */
  public Trainer<B> resume(boolean resume) {
    this.resume = resume;
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
    long t0 = System.nanoTime();
    Path runDir = Path.of(cfg.outputDir());
    String yaml = YamlBinder.toYaml(resolvedConfig != null ? resolvedConfig : new TrainSection(cfg));
    byte[] yamlBytes = yaml.getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(runDir.resolve("config.resolved.yaml"), out -> out.write(yamlBytes));

    DataOrder order = new DataOrder(data.size(), cfg.batchSize(), cfg.seed(), cfg.shuffle());
    long total = cfg.totalSteps(order.batchesPerEpoch());
    LrSchedule schedule = cfg.lrSchedule(total);
    Map<String, INDArray> params = model.parameters();
    Checkpoints checkpoints = new Checkpoints(runDir, cfg.keepCheckpoints());
    int k = cfg.gradAccumSteps();
    long step = 0;
    Path lastCheckpoint = null;
    List<Double> losses = new ArrayList<>();
    Map<String, Double> lastEval = Map.of();

    try (AdamW opt = new AdamW(params, cfg.adamW());
        GradAccumulator acc = k > 1 ? new GradAccumulator(params) : null) {
      Optional<Path> latest = resume ? checkpoints.latest() : Optional.empty();
      if (latest.isPresent()) {
        step = restore(checkpoints.load(latest.get()), params, opt, order);
        lastCheckpoint = latest.get();
      }
      long firstStep = step + 1;
      ProgressBar bar = progressOut != null ? new ProgressBar(progressOut, step, total, progressTty, System::nanoTime)
          : ProgressBar.stdout(step, total);
      try (MetricsLog metrics = MetricsLog.open(runDir.resolve("metrics.jsonl"), step)) {
        while (step < total && step < stopAfter) {
          double lossSum = 0;
          Map<String, INDArray> grads = null;
          for (int micro = 0; micro < k; micro++) {
            B batch = data.batch(order.next());
            model.seedRandom(Rng.seed(cfg.seed(), step, micro));
            Trainable.LossAndGradients r;
            try {
              r = model.lossAndGradients(batch);
            } finally {
              closeIfPossible(batch);
            }
            if (!Double.isFinite(r.loss())) throw nonFinite(step + 1, "loss", r.loss(), lastCheckpoint);
            lossSum += r.loss();
            if (acc != null) {
              acc.add(r.gradients());
              closeAll(r.gradients());
            } else {
              grads = r.gradients();
            }
          }
          if (acc != null) grads = acc.average();
          double loss = lossSum / k;
          double norm = Clipping.clipGlobalNorm(grads, cfg.maxGradNorm());
          if (!Double.isFinite(norm)) throw nonFinite(step + 1, "gradient norm", norm, lastCheckpoint);
          double lr = schedule.lr(step);
          opt.step(grads, lr);
          if (acc == null) closeAll(grads);
          releaseNativeMemory();
          if (acc != null) acc.reset();
          step++;
          losses.add(loss);

          boolean last = step == total;
          boolean evalNow = evaluator != null && (last || (cfg.evalEvery() > 0 && step % cfg.evalEvery() == 0));
          Map<String, Double> eval = evalNow ? evaluator.evaluate(step) : Map.of();
          if (evalNow) lastEval = eval;
          if (step % cfg.logEvery() == 0 || last || evalNow) {
            Map<String, Double> extra = new LinkedHashMap<>();
            extra.put("grad_norm", norm);
            for (Map.Entry<String, Double> e : eval.entrySet()) extra.put("eval_" + e.getKey(), e.getValue());
            metrics.log(step, loss, lr, extra);
            bar.update(step, loss, lr);
          }
          if (last || step == stopAfter || (cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0)) {
            lastCheckpoint = checkpoints.save(step, params, opt.state(), state(order));
          }
        }
      } finally {
        bar.finish();
      }
      Duration wall = Duration.ofNanos(System.nanoTime() - t0);
      if (step == total) finish(runDir, yaml, step, losses, lastEval, wall);
      return new Result(firstStep, step, total, List.copyOf(losses), lastEval, wall, runDir);
    }
  }

  /**
   * Frees a micro-batch's gradient arrays as soon as they are used: ND4J releases native memory only when the Java
   * objects are collected, which under a small heap happens too rarely to bound the process's memory.
   */
  private static void closeAll(Map<String, INDArray> arrays) {
    for (INDArray a : arrays.values()) {
      if (!a.wasClosed()) a.close();
    }
  }

  /**
   * Collects garbage once per optimizer step. ND4J frees the native memory of an array only when its Java object is
   * collected, and a training step leaves gigabytes of activations behind while the heap barely grows, so without
   * this the process grows to javacpp's {@code maxphysicalbytes} and fails there (measured: BERT-base B=8 stopped
   * at step 35 with 16.4 GB; a small model held 8.4 GB after 20 steps, 4 GB with this). A collection with a small
   * live heap takes tens of milliseconds, against seconds per step.
   */
  private static void releaseNativeMemory() {
    System.gc();
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

  private ObjectNode state(DataOrder order) {
    ObjectNode s = JSON.createObjectNode();
    s.put("seed", cfg.seed());
    ObjectNode d = s.putObject("data");
    DataOrder.Position p = order.position();
    d.put("epoch", p.epoch());
    d.put("batch", p.batch());
    d.put("rng_state", p.rngState());
    return s;
  }

  private static void closeIfPossible(Object batch) {
    if (batch instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing a micro-batch failed", e);
      }
    }
  }

  private static JbertException nonFinite(long step, String what, double value, Path lastGood) {
    return new JbertException("training stopped at step " + step + ": " + what + " is " + value + "; "
        + (lastGood != null ? "the last good checkpoint is " + lastGood : "no checkpoint was written yet")
        + " (lower lr or enable max_grad_norm, then resume)");
  }

  private void finish(Path runDir, String yaml, long step, List<Double> losses, Map<String, Double> eval,
      Duration wall) {
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
    RunReport.write(runDir, title, yaml, fin, wall, List.of("loss.png", "lr.png"));
  }
}
