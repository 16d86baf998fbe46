package org.jbert.core.train;

import org.jbert.core.JbertException;

/**
 * The {@code train:} section shared by pretraining and fine-tuning runs, bound from YAML by
 * {@link org.jbert.core.config.yaml.YamlBinder} (keys are the snake_case component names). Every key is optional;
 * {@link #defaults()} lists the defaults with what they mean.
 *
 * @param lr peak learning rate of AdamW
 * @param weightDecay decoupled AdamW weight decay; never applied to biases and LayerNorm parameters
 * @param adamBeta1 AdamW beta1
 * @param adamBeta2 AdamW beta2
 * @param adamEps AdamW epsilon (torch's default 1e-8; Google's BERT used 1e-6)
 * @param schedule learning-rate schedule
 * @param warmupSteps linear-warmup steps; 0 uses {@code warmupRatio}
 * @param warmupRatio warmup as a fraction of the total optimizer steps (rounded up, as HF does)
 * @param maxSteps total optimizer steps; when {@code <= 0}, {@code epochs} decides
 * @param epochs passes over the training data when {@code maxSteps <= 0}
 * @param batchSize examples per micro-batch (one forward/backward)
 * @param shuffle visit the examples in a fresh seeded permutation each epoch; false keeps file order (every epoch the
 *     same batches, e.g. to reproduce another framework's run batch by batch)
 * @param gradAccumSteps micro-batches whose gradients are averaged into one optimizer step
 * @param maxGradNorm global gradient-norm clip; {@code <= 0} disables clipping
 * @param seed seeds the data order and every random op (dropout); part of each checkpoint
 * @param logEvery optimizer steps between metrics lines and progress updates
 * @param evalEvery optimizer steps between evaluations; 0 evaluates only at the end
 * @param checkpointEvery optimizer steps between checkpoints; 0 writes only the final one
 * @param keepCheckpoints how many of the newest checkpoints to keep
 * @param outputDir the run folder: checkpoints/, metrics.jsonl, config.resolved.yaml, plots, report.md
 * @param metricForBestModel the dev metric that picks the best checkpoint (e.g. {@code accuracy}, {@code macro_f1},
 *     {@code mlm_loss}; an {@code eval_} prefix is allowed); empty = none. Each evaluation that improves it writes a
 *     checkpoint and points {@code checkpoints/best} at it; {@code keep_checkpoints} never deletes that one
 * @param metricMode whether larger or smaller {@code metricForBestModel} is better; {@code auto}: smaller for names
 *     ending in {@code loss}, {@code perplexity} or {@code mse}, else larger
 * @param earlyStoppingPatience stop after this many evaluations in a row without improving the best metric by more
 *     than {@code earlyStoppingThreshold}; 0 = never (needs {@code metricForBestModel})
 * @param earlyStoppingThreshold the least change that counts as an improvement
 * @param loadBestModelAtEnd at the end of the run (total steps or early stop), load the best checkpoint's weights,
 *     so the saved model and the test metrics are the best model's (needs {@code metricForBestModel})
 */
public record TrainConfig(
    double lr,
    double weightDecay,
    double adamBeta1,
    double adamBeta2,
    double adamEps,
    Schedule schedule,
    long warmupSteps,
    double warmupRatio,
    long maxSteps,
    double epochs,
    int batchSize,
    boolean shuffle,
    int gradAccumSteps,
    double maxGradNorm,
    long seed,
    int logEvery,
    int evalEvery,
    int checkpointEvery,
    int keepCheckpoints,
    String outputDir,
    String metricForBestModel,
    MetricMode metricMode,
    int earlyStoppingPatience,
    double earlyStoppingThreshold,
    boolean loadBestModelAtEnd) {

  /** Learning-rate schedules. */
  public enum Schedule {
    /** Linear warmup from 0, then linear decay to 0 at the last step (HF get_linear_schedule_with_warmup). */
    LINEAR,
    /** The peak rate throughout (after the warmup, if any). */
    CONSTANT
  }

  /** Whether a larger or a smaller best-model metric is better. */
  public enum MetricMode {
    /** Smaller for names ending in loss, perplexity or mse; larger otherwise. */
    AUTO,
    /** Larger is better. */
    MAX,
    /** Smaller is better. */
    MIN
  }

  /** A config without best-model tracking or early stopping. */
  public TrainConfig(double lr, double weightDecay, double adamBeta1, double adamBeta2, double adamEps,
      Schedule schedule, long warmupSteps, double warmupRatio, long maxSteps, double epochs, int batchSize,
      boolean shuffle, int gradAccumSteps, double maxGradNorm, long seed, int logEvery, int evalEvery,
      int checkpointEvery, int keepCheckpoints, String outputDir) {
    this(lr, weightDecay, adamBeta1, adamBeta2, adamEps, schedule, warmupSteps, warmupRatio, maxSteps, epochs,
        batchSize, shuffle, gradAccumSteps, maxGradNorm, seed, logEvery, evalEvery, checkpointEvery, keepCheckpoints,
        outputDir, "", MetricMode.AUTO, 0, 0, false);
  }

  public TrainConfig {
    if (!(lr > 0) || Double.isInfinite(lr)) throw new JbertException("lr " + lr + "; expected a number > 0");
    if (!(weightDecay >= 0)) throw new JbertException("weight_decay " + weightDecay + "; expected >= 0");
    if (!(adamBeta1 >= 0 && adamBeta1 < 1)) throw new JbertException("adam_beta1 " + adamBeta1 + "; expected in [0, 1)");
    if (!(adamBeta2 >= 0 && adamBeta2 < 1)) throw new JbertException("adam_beta2 " + adamBeta2 + "; expected in [0, 1)");
    if (!(adamEps >= 0)) throw new JbertException("adam_eps " + adamEps + "; expected >= 0");
    if (schedule == null) throw new JbertException("schedule is null; expected linear or constant");
    if (warmupSteps < 0) throw new JbertException("warmup_steps " + warmupSteps + "; expected >= 0");
    if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
      throw new JbertException("warmup_ratio " + warmupRatio + "; expected in [0, 1]");
    }
    if (warmupSteps > 0 && warmupRatio > 0) {
      throw new JbertException("warmup_steps " + warmupSteps + " and warmup_ratio " + warmupRatio
          + " are both set; expected one of them");
    }
    if (maxSteps <= 0 && !(epochs > 0)) {
      throw new JbertException("max_steps " + maxSteps + " and epochs " + epochs + "; expected max_steps > 0 or epochs > 0");
    }
    if (batchSize < 1) throw new JbertException("batch_size " + batchSize + "; expected >= 1");
    if (gradAccumSteps < 1) throw new JbertException("grad_accum_steps " + gradAccumSteps + "; expected >= 1");
    if (Double.isNaN(maxGradNorm)) throw new JbertException("max_grad_norm is NaN; expected a number (<= 0 disables)");
    if (logEvery < 1) throw new JbertException("log_every " + logEvery + "; expected >= 1");
    if (evalEvery < 0) throw new JbertException("eval_every " + evalEvery + "; expected >= 0");
    if (checkpointEvery < 0) throw new JbertException("checkpoint_every " + checkpointEvery + "; expected >= 0");
    if (keepCheckpoints < 1) throw new JbertException("keep_checkpoints " + keepCheckpoints + "; expected >= 1");
    if (outputDir == null || outputDir.isBlank()) throw new JbertException("output_dir is empty; expected a folder");
    if (metricForBestModel == null) metricForBestModel = "";
    if (metricMode == null) throw new JbertException("metric_mode is null; expected auto, max or min");
    if (earlyStoppingPatience < 0) {
      throw new JbertException("early_stopping_patience " + earlyStoppingPatience + "; expected >= 0 (0 = off)");
    }
    if (!(earlyStoppingThreshold >= 0) || Double.isInfinite(earlyStoppingThreshold)) {
      throw new JbertException("early_stopping_threshold " + earlyStoppingThreshold + "; expected a number >= 0");
    }
    if (metricForBestModel.isBlank() && (earlyStoppingPatience > 0 || loadBestModelAtEnd)) {
      throw new JbertException((earlyStoppingPatience > 0 ? "early_stopping_patience " + earlyStoppingPatience
          : "load_best_model_at_end true") + " needs metric_for_best_model; expected a dev metric such as accuracy");
    }
  }

  /** The metric that picks the best checkpoint without an {@code eval_} prefix; empty when none. */
  public String bestMetric() {
    return metricForBestModel.startsWith("eval_") ? metricForBestModel.substring(5) : metricForBestModel;
  }

  /** Whether a larger {@link #bestMetric()} is better ({@code metric_mode}, or {@code auto} by its name). */
  public boolean greaterIsBetter() {
    if (metricMode != MetricMode.AUTO) return metricMode == MetricMode.MAX;
    String m = bestMetric();
    return !(m.endsWith("loss") || m.endsWith("perplexity") || m.endsWith("mse"));
  }

  /** The defaults, nanoGPT style: one line each. */
  public static TrainConfig defaults() {
    return new TrainConfig(
        5e-5,             // lr: BERT fine-tuning uses 2e-5..5e-5; pretraining 1e-4 (BERT-base, batch 256)
        0.01,             // weight_decay: as Google's BERT and HF's examples
        0.9,              // adam_beta1
        0.999,            // adam_beta2
        1e-6,             // adam_eps: Google's BERT optimizer; torch's default is 1e-8
        Schedule.LINEAR,  // schedule: linear warmup then linear decay to 0
        0,                // warmup_steps: 0 = use warmup_ratio
        0.1,              // warmup_ratio: 10% of the steps, as Google's run_classifier.py
        -1,               // max_steps: <= 0 = from epochs
        3,                // epochs: Google's fine-tuning default
        32,               // batch_size: examples per micro-batch
        true,             // shuffle: a seeded permutation per epoch; false = file order
        1,                // grad_accum_steps: effective batch = batch_size * grad_accum_steps
        1.0,              // max_grad_norm: Google's BERT clips at 1.0; <= 0 disables
        42,               // seed: data order and dropout
        10,               // log_every: steps between metrics.jsonl lines
        0,                // eval_every: 0 = only at the end
        500,              // checkpoint_every: 0 = only at the end
        3,                // keep_checkpoints: newest N kept (and the best one)
        "runs/train",     // output_dir: the run folder
        "",               // metric_for_best_model: "" = no best checkpoint
        MetricMode.AUTO,  // metric_mode: auto = smaller for *loss/*perplexity/*mse, larger otherwise
        0,                // early_stopping_patience: 0 = never stop early
        0.0,              // early_stopping_threshold: least improvement that counts
        false);           // load_best_model_at_end: the saved model is the last step's
  }

  /**
   * Total optimizer steps: {@code maxSteps} when positive, else
   * {@code ceil(epochs * max(1, floor(batchesPerEpoch / gradAccumSteps)))} as HF's Trainer computes it.
   */
  public long totalSteps(long batchesPerEpoch) {
    if (maxSteps > 0) return maxSteps;
    long perEpoch = Math.max(1, batchesPerEpoch / gradAccumSteps);
    return (long) Math.ceil(epochs * perEpoch);
  }

  /** Warmup steps: {@code warmupSteps} when positive, else {@code ceil(warmupRatio * total)}. */
  public long warmup(long totalSteps) {
    return warmupSteps > 0 ? Math.min(warmupSteps, totalSteps) : (long) Math.ceil(warmupRatio * totalSteps);
  }

  /** The schedule over {@code totalSteps}. */
  public LrSchedule lrSchedule(long totalSteps) {
    long w = warmup(totalSteps);
    if (schedule == Schedule.LINEAR) return LrSchedule.linearWarmupDecay(lr, w, totalSteps);
    return step -> step < w ? lr * ((double) step / Math.max(1, w)) : lr;
  }

  /** This config with another {@code batchSize} (e.g. cut to a training set smaller than the configured one). */
  public TrainConfig withBatchSize(int b) {
    return new TrainConfig(lr, weightDecay, adamBeta1, adamBeta2, adamEps, schedule, warmupSteps, warmupRatio, maxSteps,
        epochs, b, shuffle, gradAccumSteps, maxGradNorm, seed, logEvery, evalEvery, checkpointEvery, keepCheckpoints,
        outputDir, metricForBestModel, metricMode, earlyStoppingPatience, earlyStoppingThreshold, loadBestModelAtEnd);
  }

  /** The AdamW hyperparameters of this config. */
  public AdamW.Hyper adamW() {
    return new AdamW.Hyper(lr, adamBeta1, adamBeta2, adamEps, weightDecay);
  }
}
