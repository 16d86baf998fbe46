package org.jbert.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jbert.core.model.PretrainedModels;
import org.jbert.bench.BenchResults;
import org.jbert.bench.BenchRun;
import org.jbert.bench.ChildJvm;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jbert bench}: jbert against TensorFlow Java on the same inputs, in one run ({@link BenchRun}). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures jbert against TensorFlow Java (running the same SavedModel) on this machine, T = 128 throughout:",
      "  sgemm      the measured sgemm peak: best GFLOP/s of square float32 products n x n (n = --sgemm-size/4,"
          + " /2 and itself) in nd4j, and in TensorFlow (tf_sgemm_peak_gflops);",
      "  inference  dense batches of --batch x 128 random tokens, every token real: jbert seq/s over TF seq/s"
          + " (inference_vs_tf), rounds alternating the two;",
      "  realtext   real texts (SpamAssassin sentences, or --texts-file): jbert with dynamic padding and length"
          + " bucketing over TF padded to 128 as TF Hub does (realtext_vs_tf_fixed128); pooled outputs compared;",
      "  train      a fine-tuning step of a 2-class sequence classifier (forward, backward, clipping, AdamW) at each"
          + " of --train-batches: median seconds per step after one warm-up, GFLOP/s (3 x forward FLOPs) and its"
          + " fraction of the sgemm peak.",
      "%nPeak RSS: each training batch size runs in its own child JVM (same java and class path, this JVM's options"
          + " forwarded, -Dorg.bytedeco.javacpp.maxphysicalbytes included) which reads its VmHWM from"
          + " /proc/self/status after its last step and reports it on one stdout line; train_b<B>_peak_rss_gb is"
          + " that child's peak. Inference and real texts run in this JVM (inference_peak_rss_gb: its VmHWM,"
          + " jbert and TF loaded together).",
      "%nOutput: progress and notes on stderr; stdout ends with one name=value line per figure: inference_vs_tf,"
          + " realtext_vs_tf_fixed128, train_b32_seconds_per_step, train_b32_peak_rss_gb,"
          + " train_b32_fraction_of_sgemm_peak, then the others. Figures not measured print as nan (e.g. every ratio"
          + " to TF with --no-tf, or when the model is no TF SavedModel). --output writes the same figures, the notes,"
          + " the machine (CPU, nd4j backend, BLAS threads, javacpp platform extension) and the settings as JSON."
          + " Exit status 1 when a training child failed (its figures nan, a note says why).",
      "%nThe machine should be otherwise idle: other processes show up in every figure."
    })
final class BenchCommand implements Callable<Integer> {
  /** Exit status when a phase could not finish. */
  static final int PHASE_FAILED = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", paramLabel = "NAME|DIR", defaultValue = PretrainedModels.DEFAULT,
      description = "pretrained name (default: ${DEFAULT-VALUE}) or model folder; TF runs only on a SavedModel")
  String model;

  @Option(names = "--only", paramLabel = "PHASES", defaultValue = "sgemm,kernels,inference,realtext,train",
      description = "comma-separated phases to run (default: ${DEFAULT-VALUE})")
  String only;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "32",
      description = "batch size of inference and real texts (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--inference-batches", paramLabel = "N", defaultValue = "5",
      description = "timed dense batches per engine, after one warm-up (default: ${DEFAULT-VALUE})")
  int inferenceBatches;

  @Option(names = "--texts", paramLabel = "N", defaultValue = "256",
      description = "number of real texts (default: ${DEFAULT-VALUE})")
  int texts;

  @Option(names = "--texts-file", paramLabel = "FILE.jsonl",
      description = "real texts from JSON Lines ({\"text\": ...}) instead of SpamAssassin sentences")
  Path textsFile;

  @Option(names = "--train-batches", paramLabel = "B,B", defaultValue = "8,32",
      description = "training batch sizes, one child JVM each (default: ${DEFAULT-VALUE})")
  String trainBatches;

  @Option(names = "--train-steps", paramLabel = "N", defaultValue = "3",
      description = "timed training steps per batch size, after one warm-up; the median counts"
          + " (default: ${DEFAULT-VALUE})")
  int trainSteps;

  @Option(names = "--train-micro-batch", paramLabel = "M", defaultValue = "8",
      description = "sequences per forward + backward pass of a training step: a step of B runs B/M passes whose"
          + " gradients are averaged, as `jbert run` does with batch_size M and grad_accum_steps B/M; 0 = the whole"
          + " batch in one pass (default: ${DEFAULT-VALUE})")
  int trainMicroBatch;

  @Option(names = "--sgemm-size", paramLabel = "N", defaultValue = "4096",
      description = "largest square matrix side of the sgemm phase (default: ${DEFAULT-VALUE})")
  int sgemmSize;

  @Option(names = "--no-tf", description = "do not run TensorFlow: the ratios to TF print as nan")
  boolean noTf;

  @Option(names = "--no-bf16", description = "do not also run dense inference with bf16 dense products")
  boolean noBf16;

  @Option(names = "--profile", description = "after the dense rounds, profile one jbert batch by op (tables on stderr)")
  boolean profile;

  @Option(names = "--output", paramLabel = "FILE.json", description = "also write the figures as JSON (atomically)")
  Path output;

  @Override
  public Integer call() {
    BenchRun.Options o = new BenchRun.Options(model, BenchRun.parsePhases(only), batch,
        BenchRun.parsePositiveInts("--train-batches", trainBatches), trainSteps, trainMicroBatch, inferenceBatches, texts, textsFile,
        sgemmSize, !noTf, profile, !noBf16);
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    BenchRun.Outcome r = BenchRun.run(o, err);
    BenchResults res = r.results();
    res.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
    for (String n : res.notes()) err.println("jbert bench: note: " + n);
    err.flush();
    if (output != null) {
      Map<String, Object> settings = new LinkedHashMap<>(o.asMap());
      settings.put("jvm_options", ChildJvm.forwardedJvmArgs(ManagementFactory.getRuntimeMXBean().getInputArguments()));
      String trainExt = System.getProperty(BenchRun.TRAIN_EXTENSION_PROPERTY);
      settings.put("train_platform_extension",
          trainExt == null ? "(as inference)" : trainExt.isEmpty() ? "(none: generic)" : trainExt);
      res.writeJson(output, r.machine(), settings);
      err.println("jbert bench: wrote " + output);
      err.flush();
    }
    for (String line : res.lines()) out.println(line);
    out.flush();
    return r.failed() ? PHASE_FAILED : 0;
  }
}
