package org.jbert.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.kernels.KernelRuntime;
import org.jbert.core.train.AdamW;
import org.jbert.core.train.OptimizerStep;
import org.jbert.core.weights.WeightSource;
import org.jbert.core.weights.WeightSources;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fine-tuning steps of a sequence classifier (2 classes) on a pretrained encoder, timed: what
 * {@link org.jbert.core.train.Trainer} does per optimizer step, on B x T random token ids (every token real, dropout
 * on): forward and backward ({@link TaskModel#lossAndGradients}), global-norm clipping at 1.0, an {@link AdamW}
 * update (lr 2e-5, weight decay 0.01, eps 1e-6), closing the gradients and the per-step garbage collection that
 * frees native memory. One warm-up step (it also builds the backward graph), then {@code steps} timed ones; the
 * reported time is their median.
 *
 * <p>Micro-batches: with {@code microBatch} M > 0 and M < B, a step of B sequences runs as B/M forward + backward
 * passes of M sequences whose gradients are averaged ({@link GradAccumulator}) before one clipping and one AdamW
 * update: exactly what the Trainer does with {@code batch_size: M} and {@code grad_accum_steps: B/M}. BERT has no
 * batch-dependent op, so this is the gradient of the mean loss over the B sequences (up to float summation order and
 * the dropout draws); only one micro-batch's activations are alive at a time. M = 0 runs B in one pass.
 *
 * <p>Meant to run alone in a JVM ({@link #main}; {@code jbert bench} starts one per batch size through
 * {@link ChildJvm}), so that the peak resident set it reports ({@code VmHWM} of /proc/self/status, read after the
 * last step) is this phase's: JVM, model, optimizer state, activations and gradients of one step. The result is one
 * line on standard output, {@link #MARKER} followed by {@code key=value} pairs ({@link Result#line()}); progress
 * goes to standard error.
 */
public final class TrainStepBenchmark {
  /** The first word of the result line. */
  public static final String MARKER = "jbert-bench-train-result:";
  /** Clipping as in the fine-tuning configs. */
  static final double MAX_GRAD_NORM = 1.0;
  static final AdamW.Hyper HYPER = new AdamW.Hyper(2e-5, 0.9, 0.999, 1e-6, 0.01);
  static final int NUM_LABELS = 2;

  private TrainStepBenchmark() {}

  /**
   * One phase's result.
   *
   * @param batch B
   * @param microBatch sequences per forward + backward pass (B when the step ran in one pass)
   * @param seqLen T
   * @param steps timed steps (after one warm-up)
   * @param secondsPerStep median of the timed steps, whole step
   * @param forwardBackwardSeconds median of the forward + backward part
   * @param updateSeconds median of the rest: clipping, AdamW, closing gradients, garbage collection
   * @param warmupSeconds the warm-up step (includes building the backward graph)
   * @param loss the loss of the last step
   * @param peakRssKb VmHWM at the end, kB (-1 when unknown)
   * @param parameters trainable parameters (encoder, pooler, classifier)
   * @param fusedGraph 1 when the model was built from fused ops (what {@code jbert run} trains on when the kernels
   *     are active), 0 for the unfused graph
   */
  public record Result(int batch, int microBatch, int seqLen, int steps, double secondsPerStep, double forwardBackwardSeconds,
      double updateSeconds, double warmupSeconds, double loss, long peakRssKb, long parameters, int fusedGraph) {

    private static final List<String> KEYS = List.of("batch", "micro_batch", "seq_len", "steps", "seconds_per_step",
        "forward_backward_seconds", "update_seconds", "warmup_seconds", "loss", "vmhwm_kb", "parameters",
        "fused_graph");

    /** {@code jbert-bench-train-result: batch=32 micro_batch=8 seq_len=128 ... parameters=109483778}. */
    public String line() {
      return String.format(Locale.ROOT, "%s batch=%d micro_batch=%d seq_len=%d steps=%d seconds_per_step=%s "
          + "forward_backward_seconds=%s update_seconds=%s warmup_seconds=%s loss=%s vmhwm_kb=%d parameters=%d "
          + "fused_graph=%d", MARKER, batch, microBatch, seqLen, steps, d(secondsPerStep), d(forwardBackwardSeconds),
          d(updateSeconds), d(warmupSeconds), d(loss), peakRssKb, parameters, fusedGraph);
    }

    private static String d(double v) {
      return Double.toString(v);
    }

    /**
     * Parses {@link #line()}'s format: the marker, then {@code key=value} pairs in any order, all of them present.
     *
     * @throws JbertException naming the line and the missing or malformed pair
     */
    public static Result parse(String line) {
      String s = line.strip();
      if (!s.startsWith(MARKER)) throw new JbertException("train result line '" + line + "'; expected " + MARKER);
      Map<String, String> kv = new LinkedHashMap<>();
      for (String pair : s.substring(MARKER.length()).strip().split("\\s+")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) throw new JbertException("train result line '" + line + "': '" + pair + "'; expected key=value");
        kv.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
      for (String k : KEYS) {
        if (!kv.containsKey(k)) throw new JbertException("train result line '" + line + "' has no " + k);
      }
      try {
        return new Result(Integer.parseInt(kv.get("batch")), Integer.parseInt(kv.get("micro_batch")),
            Integer.parseInt(kv.get("seq_len")),
            Integer.parseInt(kv.get("steps")), Double.parseDouble(kv.get("seconds_per_step")),
            Double.parseDouble(kv.get("forward_backward_seconds")), Double.parseDouble(kv.get("update_seconds")),
            Double.parseDouble(kv.get("warmup_seconds")), Double.parseDouble(kv.get("loss")),
            Long.parseLong(kv.get("vmhwm_kb")), Long.parseLong(kv.get("parameters")),
            Integer.parseInt(kv.get("fused_graph")));
      } catch (NumberFormatException e) {
        throw new JbertException("train result line '" + line + "': " + e.getMessage() + "; expected numbers");
      }
    }
  }

  /**
   * Loads the encoder in {@code folder} (any format {@link WeightSources} reads) with a fresh 2-class head and times
   * 1 + {@code steps} training steps at B = {@code batch}, T = {@code seqLen}, in passes of {@code microBatch}
   * sequences (0: one pass); progress to {@code progress}.
   */
  public static Result measure(Path folder, int batch, int microBatch, int seqLen, int steps, long seed,
      PrintStream progress) {
    if (batch < 1 || seqLen < 1 || steps < 1) {
      throw new JbertException("train benchmark: batch " + batch + ", seq_len " + seqLen + ", steps " + steps
          + "; expected each >= 1");
    }
    int micro = microBatch == 0 || microBatch >= batch ? batch : microBatch;
    if (microBatch < 0 || batch % micro != 0) {
      throw new JbertException("train benchmark: micro-batch " + microBatch + " for batch " + batch
          + "; expected 0 (one pass) or a divisor of the batch");
    }
    int passes = batch / micro;
    TaskModel model;
    BertConfig config;
    try (WeightSource src = WeightSources.open(folder)) {
      config = src.config().orElseThrow(() -> new JbertException(src.description()
          + ": no model config found beside the weights"));
      if (seqLen > config.maxPositionEmbeddings()) {
        throw new JbertException(folder + ": max_position_embeddings " + config.maxPositionEmbeddings()
            + " < sequence length " + seqLen + "; expected a model that takes " + seqLen + " tokens");
      }
      model = TaskModel.fromPretrained(src, new SequenceClassificationHead(), HeadContext.of(config, NUM_LABELS),
          seed);
    }
    long params = 0;
    int fused = KernelRuntime.hasFusedOps(model.sameDiff()) ? 1 : 0;
    double[] total = new double[steps];
    double[] fwdBwd = new double[steps];
    double[] update = new double[steps];
    double warmup = Double.NaN;
    double loss = Double.NaN;
    Random rnd = new Random(seed);
    try (model; AdamW opt = new AdamW(model.parameters(), HYPER);
        OptimizerStep<Batch> optimizerStep = new OptimizerStep<>(model, opt, passes, MAX_GRAD_NORM, seed)) {
      for (INDArray p : model.parameters().values()) params += p.length();
      progress.printf(Locale.ROOT, "training B=%d T=%d (%s, %s): %d parameters, 1 warm-up + %d timed steps%n",
          batch, seqLen, passes == 1 ? "one pass" : passes + " micro-batches of " + micro, graphName(fused == 1),
          params, steps);
      Supplier<Batch> batches = () -> {
        int[][] ids = RandomInputs.randomIds(micro, seqLen, config.vocabSize(), rnd);
        int[] labels = new int[micro];
        for (int i = 0; i < micro; i++) labels[i] = rnd.nextInt(NUM_LABELS);
        return Batch.classification(ids, RandomInputs.ones(micro, seqLen), new int[micro][seqLen], labels);
      };
      for (int step = 0; step <= steps; step++) {
        // The Trainer's own step: micro-batches seeded per (seed, step, pass), averaged, clipped, AdamW, GC.
        OptimizerStep.Outcome o = optimizerStep.run(step, batches, HYPER.lr());
        loss = o.loss();
        double s = o.forwardBackwardSeconds() + o.updateSeconds();
        if (step == 0) {
          warmup = s;
        } else {
          total[step - 1] = s;
          fwdBwd[step - 1] = o.forwardBackwardSeconds();
          update[step - 1] = o.updateSeconds();
        }
        progress.printf(Locale.ROOT, "training B=%d T=%d %s: %.3f s (forward+backward %.3f s, update %.3f s), "
            + "loss %.4f%n", batch, seqLen, step == 0 ? "warm-up" : "step " + step + "/" + steps, s,
            o.forwardBackwardSeconds(), o.updateSeconds(), loss);
      }
    }
    return new Result(batch, micro, seqLen, steps, median(total), median(fwdBwd), median(update), warmup, loss,
        ChildJvm.peakRssKb(), params, fused);
  }

  /** "fused graph on onednn kernels" or "unfused graph": which graph a training phase ran. */
  static String graphName(boolean fused) {
    return fused ? "fused graph on " + KernelRuntime.selected().name() + " kernels" : "unfused graph";
  }

  /** The median (mean of the middle two for an even count). */
  static double median(double[] v) {
    if (v.length == 0) return Double.NaN;
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** The child's argument list for {@link #main}. */
  public static List<String> args(Path folder, int batch, int microBatch, int seqLen, int steps, long seed) {
    return new ArrayList<>(List.of(folder.toAbsolutePath().toString(), Integer.toString(batch),
        Integer.toString(microBatch), Integer.toString(seqLen), Integer.toString(steps), Long.toString(seed)));
  }

  /**
   * {@code TrainStepBenchmark MODEL_FOLDER BATCH MICRO_BATCH SEQ_LEN STEPS SEED}: runs {@link #measure} and prints the result
   * line. Exit status 0, 2 for bad input (one line on stderr), 1 for anything else.
   */
  public static void main(String[] args) {
    int code;
    try {
      if (args.length != 6) {
        throw new JbertException("expected MODEL_FOLDER BATCH MICRO_BATCH SEQ_LEN STEPS SEED, got " + args.length
            + " arguments");
      }
      Result r = measure(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
          Integer.parseInt(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]), System.err);
      System.out.println(r.line());
      System.out.flush();
      code = 0;
    } catch (JbertException e) {
      System.err.println("error: " + e.getMessage());
      code = 2;
    } catch (Throwable e) {
      e.printStackTrace();
      System.err.println("error: " + e);
      code = 1;
    }
    System.exit(code);
  }
}
