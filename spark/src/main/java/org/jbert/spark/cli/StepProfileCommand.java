package org.jbert.spark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.model.PretrainedModels;
import org.jbert.finetune.TaskModel;
import org.jbert.spark.train.SparkDataParallel;
import org.jbert.spark.train.StepProfile;
import org.jbert.spark.train.StepProjection;
import org.jbert.spark.train.StepTimings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert spark step-profile}: a few data-parallel fine-tuning steps of a 2-class classifier on synthetic
 * full-length rows, through the same {@link org.jbert.spark.train.SparkDataParallel} and
 * {@link org.jbert.core.train.OptimizerStep} a {@code distributed:} run uses ({@link StepProfile}); prints the
 * median of each part of a step ({@link StepTimings}), the gradient size and the load average before and after; with
 * {@code --project N}, the step projected on N nodes ({@link StepProjection}).
 */
@Command(name = "step-profile", mixinStandardHelpOptions = true,
    description = {"Times data-parallel fine-tuning steps (a 2-class classifier, synthetic rows of --seq-len tokens):"
        + " broadcast, compute, gradient transfer, reduction, update; prints the medians (JSON on standard output).",
        "With --project N, the steps per second on N nodes and the micro-batches per averaging step that keep the"
            + " transfer under 10% of a step."})
final class StepProfileCommand implements Runnable {
  @Option(names = "--model", paramLabel = "DIR|NAME", defaultValue = PretrainedModels.DEFAULT,
      description = "a pretrained encoder folder (any format jbert reads) or name, on a path every executor sees"
          + " (default: ${DEFAULT-VALUE})")
  String model;

  @Option(names = "--workers", paramLabel = "W", defaultValue = "2", description = "Spark tasks per step"
      + " (default: ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "16", description = "examples per step, all workers"
      + " (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--micro-batches", paramLabel = "M", defaultValue = "1", description = "passes each worker cuts"
      + " its share into (default: ${DEFAULT-VALUE})")
  int microBatches;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "3", description = "timed steps after one warm-up"
      + " (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--seq-len", paramLabel = "T", defaultValue = "128", description = "tokens per row, all real"
      + " (default: ${DEFAULT-VALUE})")
  int seqLen;

  @Option(names = "--master", paramLabel = "URL", defaultValue = "${sys:spark.master:-local[2]}",
      description = "Spark master (default: spark-submit's, else local[2], embedded in this JVM)")
  String master;

  @Option(names = "--reduction", paramLabel = "driver|shuffle", defaultValue = "driver",
      description = "how the gradients are summed (distributed.reduction): driver collects each worker's, shuffle"
          + " reduce-scatters them through a Spark shuffle (default: ${DEFAULT-VALUE})")
  String reduction;

  @Option(names = "--project", paramLabel = "NODES", defaultValue = "0", description = "also project the step on"
      + " NODES nodes (0: no projection)")
  int project;

  @Option(names = "--output", paramLabel = "FILE.json", description = "also write the JSON to this file")
  Path output;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    String loadBefore = SparkJobs.loadAverage();
    SparkDataParallel.Reduction r = SparkDataParallel.Reduction.parse(reduction, "--reduction");
    StepProfile profile = StepProfile.of(PretrainedModels.folder(model), workers, batch, microBatches, steps, seqLen)
        .reduction(r);
    List<Map<String, Double>> measured;
    long parameters;
    try (SparkJobs jobs = SparkJobs.open(master); TaskModel driver = profile.driverModel()) {
      parameters = driver.parameters().values().stream().mapToLong(a -> a.length()).sum();
      measured = profile.run(JavaSparkContext.fromSparkContext(jobs.spark().sparkContext()), driver);
    }
    String loadAfter = SparkJobs.loadAverage();
    Map<String, Double> medians = StepProfile.medians(measured.subList(1, measured.size()));

    ObjectMapper json = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    ObjectNode o = json.createObjectNode();
    o.put("model", model).put("master", master).put("workers", workers).put("batch", batch)
        .put("micro_batches", microBatches).put("seq_len", seqLen).put("steps", steps).put("parameters", parameters)
        .put("reduction", r.name().toLowerCase(Locale.ROOT));
    o.put("loadavg_before", loadBefore).put("loadavg_after", loadAfter).put("peak_rss_mb", SparkJobs.peakRssMb());
    o.put("warmup_step_s", measured.get(0).get(StepProfile.STEP));
    ObjectNode med = o.putObject("median");
    medians.forEach(med::put);
    PrintWriter err = spec.commandLine().getErr();
    err.printf(Locale.ROOT, "%d workers, %s reduction, batch %d (%d micro-batches per worker), T=%d, median of %d"
        + " steps:"
        + " step %.3f s = broadcast %.3f + compute %.3f + transfer %.3f + reduce %.3f + update %.3f s (+ %.3f s other); gradients"
        + " %.1f MB; an empty job %.3f s; load average %s -> %s; peak RSS %.0f MB%n", workers,
        r.name().toLowerCase(Locale.ROOT), batch, microBatches, seqLen, steps,
        medians.get(StepProfile.STEP), medians.get(StepTimings.BROADCAST), medians.get(StepTimings.COMPUTE), medians.get(StepTimings.TRANSFER),
        medians.get(StepTimings.REDUCE), medians.get(StepProfile.UPDATE), medians.get(StepProfile.OTHER),
        medians.get(StepTimings.GRAD_MB), medians.get(StepProfile.EMPTY_JOB), loadBefore, loadAfter,
        SparkJobs.peakRssMb());
    if (project > 0) {
      StepProjection.Measured m = profile.measured(medians);
      StepProjection p = StepProjection.smallestUnder(m, project, StepProfile.SHARE_BOUND);
      StepProjection one = StepProjection.at(m, project, 1);
      ObjectNode pj = o.putObject("projection");
      pj.set("measured", json.valueToTree(m));
      pj.set("one_micro_batch", projected(json, one));
      pj.set("under_bound", projected(json, p).put("bound", StepProfile.SHARE_BOUND));
      err.printf(Locale.ROOT, "projected on %d nodes: M=1 micro-batch of %d: step %.2f s (%.3f steps/s), transfer +"
          + " broadcast %.0f%% of it; M=%d keeps it under %.0f%%: step %.2f s (%.4f steps/s, %.1f examples/s)%n",
          project, m.microBatchSize(), one.stepSeconds(), one.stepsPerSecond(), 100 * one.share(), p.microBatches(),
          100 * StepProfile.SHARE_BOUND, p.stepSeconds(), p.stepsPerSecond(), p.examplesPerSecond());
    }
    err.flush();
    String text = o.toPrettyString();
    if (output != null) {
      byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
      AtomicFiles.write(output, out -> out.write(bytes));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(text);
    out.flush();
  }

  private static ObjectNode projected(ObjectMapper json, StepProjection p) {
    ObjectNode n = json.valueToTree(p);
    return n.put("steps_per_s", p.stepsPerSecond()).put("examples_per_s", p.examplesPerSecond());
  }
}
