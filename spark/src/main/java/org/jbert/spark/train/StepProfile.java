package org.jbert.spark.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.train.AdamW;
import org.jbert.core.train.BatchSource;
import org.jbert.core.train.OptimizerStep;
import org.jbert.core.weights.WeightSource;
import org.jbert.core.weights.WeightSources;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.SequenceClassificationHead;

/**
 * Data-parallel fine-tuning steps, measured part by part ({@code jbert spark step-profile}): a 2-class classifier on a
 * pretrained encoder, {@code batch} synthetic rows of {@code seqLen} real tokens (random ids and labels) cached on the
 * executors in {@code workers} partitions, and per step the {@link OptimizerStep} a run uses (clipping at 1.0, AdamW at
 * 2e-5 with weight decay 0.01) over {@link SparkDataParallel}, every row in every step (so each worker computes
 * batch / workers rows, in {@code microBatches} passes). One warm-up step (replicas built, graphs traced), then
 * {@code steps} measured ones.
 */
public final class StepProfile {
  /** The share of a step that moving weights and gradients may take in the projection. */
  public static final double SHARE_BOUND = 0.1;
  static final AdamW.Hyper HYPER = new AdamW.Hyper(2e-5, 0.9, 0.999, 1e-6, 0.01);
  static final double MAX_GRAD_NORM = 1.0;
  static final long SEED = 42;
  /**
   * Per-step keys besides {@link StepTimings}': the step's wall time, its clipping + AdamW part, the rest, and the wall
   * time of an empty Spark job of {@code workers} tasks run right after the step (Spark's fixed cost per job).
   */
  public static final String STEP = "step_s", UPDATE = "update_s", OTHER = "other_s", EMPTY_JOB = "empty_job_s";

  private final Path model;
  private final int workers;
  private final int batch;
  private final int microBatches;
  private final int steps;
  private final int seqLen;
  private final BertConfig config;
  private SparkDataParallel.Reduction reduction = SparkDataParallel.Reduction.DRIVER;

  private StepProfile(Path model, int workers, int batch, int microBatches, int steps, int seqLen, BertConfig config) {
    this.model = model;
    this.workers = workers;
    this.batch = batch;
    this.microBatches = microBatches;
    this.steps = steps;
    this.seqLen = seqLen;
    this.config = config;
  }

  /** Checks the sizes (even shares and passes) and reads the encoder's config from {@code model}. */
  public static StepProfile of(Path model, int workers, int batch, int microBatches, int steps, int seqLen) {
    if (workers < 1 || microBatches < 1 || steps < 1 || seqLen < 2 || batch % workers != 0
        || (batch / workers) % microBatches != 0 || batch < workers * microBatches) {
      throw new JbertException("step-profile: --workers " + workers + ", --batch " + batch + ", --micro-batches "
          + microBatches + ", --steps " + steps + ", --seq-len " + seqLen + "; expected a batch that the workers and"
          + " each worker's micro-batches divide evenly, steps >= 1 and seq-len >= 2");
    }
    BertConfig c;
    try (WeightSource src = WeightSources.open(model)) {
      c = src.config().orElseThrow(() -> new JbertException(src.description() + ": no model config found beside"
          + " the weights"));
    }
    if (seqLen > c.maxPositionEmbeddings()) {
      throw new JbertException(model + ": max_position_embeddings " + c.maxPositionEmbeddings() + " < --seq-len "
          + seqLen + "; expected a model that takes " + seqLen + " tokens");
    }
    return new StepProfile(model, workers, batch, microBatches, steps, seqLen, c);
  }

  /** Profiles {@code r} ({@link SparkDataParallel.Reduction#DRIVER} unless set). */
  public StepProfile reduction(SparkDataParallel.Reduction r) {
    this.reduction = java.util.Objects.requireNonNull(r, "reduction");
    return this;
  }

  /** The reduction profiled. */
  public SparkDataParallel.Reduction reduction() {
    return reduction;
  }

  /** The driver's model: the encoder with a fresh 2-class head (the workers build the same from the same folder). */
  public TaskModel driverModel() {
    return classifier(model.toAbsolutePath().toString());
  }

  private static TaskModel classifier(String folder) {
    try (WeightSource src = WeightSources.open(Path.of(folder))) {
      BertConfig c = src.config().orElseThrow(() -> new JbertException(folder + ": no model config"));
      return TaskModel.fromPretrained(src, new SequenceClassificationHead(), HeadContext.of(c, 2), SEED);
    }
  }

  /**
   * Runs 1 + {@code steps} optimizer steps on {@code sc}, updating {@code driver}; per step (the warm-up first)
   * {@link StepTimings}' keys, {@link #STEP}, {@link #UPDATE} and {@link #OTHER} (step minus the measured parts).
   */
  public List<Map<String, Double>> run(JavaSparkContext sc, TaskModel driver) {
    String folder = model.toAbsolutePath().toString();
    List<Map<String, Double>> out = new ArrayList<>();
    int[] all = new int[batch];
    Arrays.setAll(all, i -> i);
    try (SparkDataParallel<Batch, TaskBatchSharding.Share> dp = new SparkDataParallel<>(sc, driver, workers,
            folder + "#step-profile", () -> classifier(folder), new TaskBatchSharding()).microBatches(microBatches)
            .reduction(reduction);
        AdamW opt = new AdamW(driver.parameters(), HYPER);
        OptimizerStep<Batch> step = new OptimizerStep<>(dp, opt, 1, MAX_GRAD_NORM, SEED)) {
      BatchSource<Batch> rows = dp.cache(rows());
      for (int s = 0; s <= steps; s++) {
        OptimizerStep.Outcome o = step.run(s, () -> rows.batch(all), HYPER.lr());
        double seconds = o.forwardBackwardSeconds() + o.updateSeconds();
        Map<String, Double> r = row(dp.stepMetrics(), seconds, o.updateSeconds());
        r.put(EMPTY_JOB, emptyJob(sc));
        out.add(r);
      }
    }
    return out;
  }

  private double emptyJob(JavaSparkContext sc) {
    List<Integer> tasks = new ArrayList<>();
    for (int i = 0; i < workers; i++) tasks.add(i);
    long t0 = System.nanoTime();
    sc.parallelize(tasks, workers).map(i -> i).collect();
    return (System.nanoTime() - t0) / 1e9;
  }

  /** {@code batch} rows of {@code seqLen} random ids (the upper half of the vocabulary), every token real. */
  private BatchSource<Batch> rows() {
    Random rnd = new Random(SEED);
    int v = config.vocabSize();
    int[][] ids = new int[batch][seqLen];
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) {
      for (int j = 0; j < seqLen; j++) ids[i][j] = v / 2 + rnd.nextInt(v - v / 2);
      labels[i] = rnd.nextInt(2);
    }
    return new BatchSource<>() {
      @Override
      public int size() {
        return batch;
      }

      @Override
      public Batch batch(int[] indices) {
        int n = indices.length;
        int[][] x = new int[n][], mask = new int[n][seqLen], types = new int[n][seqLen];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
          x[i] = ids[indices[i]].clone();
          Arrays.fill(mask[i], 1);
          y[i] = labels[indices[i]];
        }
        return Batch.classification(x, mask, types, y);
      }
    };
  }

  static Map<String, Double> row(Map<String, Double> timings, double stepSeconds, double updateSeconds) {
    if (timings.isEmpty()) throw new IllegalStateException("the step ran no Spark job");
    Map<String, Double> r = new LinkedHashMap<>(timings);
    r.put(STEP, stepSeconds);
    r.put(UPDATE, updateSeconds);
    double parts = updateSeconds;
    for (String k : List.of(StepTimings.BROADCAST, StepTimings.COMPUTE, StepTimings.TRANSFER, StepTimings.REDUCE)) {
      parts += timings.get(k);
    }
    r.put(OTHER, stepSeconds - parts);
    return r;
  }

  /** The median of each key over {@code rows} (the mean of the middle two for an even count). */
  public static Map<String, Double> medians(List<Map<String, Double>> rows) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String k : rows.get(0).keySet()) {
      double[] v = rows.stream().mapToDouble(r -> r.get(k)).sorted().toArray();
      int n = v.length;
      m.put(k, n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
    }
    return m;
  }

  /**
   * The projection's inputs from a step's medians: compute per example (the slowest worker's compute over its
   * batch / workers rows), its micro-batch size, one worker's gradient bytes, bytes collected per second of transfer
   * beyond an empty job's time, that time, the broadcast, the reduction per worker gradient and the update.
   */
  public StepProjection.Measured measured(Map<String, Double> medians) {
    int share = batch / workers;
    double bytes = medians.get(StepTimings.GRAD_MB) * 1e6;
    double job = Math.min(medians.get(EMPTY_JOB), medians.get(StepTimings.TRANSFER));
    double moving = Math.max(medians.get(StepTimings.TRANSFER) - job, 1e-6); // > 0 even when the job is all of it
    return new StepProjection.Measured(medians.get(StepTimings.COMPUTE) / share, share / microBatches,
        bytes / workers, bytes / moving, job, medians.get(StepTimings.BROADCAST), medians.get(StepTimings.REDUCE)
        / workers, medians.get(UPDATE), reduction, workers);
  }
}
