package org.jbert.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.cli.CliRun;
import org.jbert.core.train.MetricsLog;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.spark.LocalSparkAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/jbert run} with a {@code distributed:} section on Spark: configs/finetune-hf-tiny-golden.yaml (the tiny
 * Hugging Face classifier, its 3 golden rows as one batch, dropout 0, 4 AdamW steps) with 2 workers (shares of 2 rows
 * and 1 row, so the average must weight by example count) and 2 micro-batches per worker (parts of one row) equals the
 * single-process run step by step (loss and gradient norm, 1e-5 relative) and so Hugging Face's trajectory
 * (FinetuneGoldenTest's figures, 1e-4 as there); the run folder holds the same files (metrics, report, model). A
 * distributed run stopped after step 2 ({@code --stop-after}, as a killed driver leaves its last checkpoint) and
 * continued with {@code --resume}, and the shuffle reduction, gives the uninterrupted run's losses. The metrics carry
 * each step's timings ({@link #assertStepTimings}).
 */
class DistributedRunTest {
  static final double[] HF_LOSS = {1.1093875169754028, 1.093855857849121, 1.082936406135559, 1.0720211267471313};

  @TempDir Path dir;

  @Test
  void twoWorkersEqualOneProcessAndHuggingFace() throws Exception {
    LocalSparkAccess.session();
    train = Path.of("..", "configs", "data", "hf-tiny-golden", "train.jsonl");
    List<ObjectNode> single = run(dir.resolve("single"));
    List<ObjectNode> spark = run(dir.resolve("spark"), "--set", "distributed.engine=spark", "--set",
        "distributed.master=local[2]", "--set", "distributed.workers=2", "--set", "distributed.micro_batches=2");
    assertEquals(4, single.size());
    assertEquals(4, spark.size());
    for (int i = 0; i < 4; i++) {
      double a = single.get(i).get("loss").asDouble(), b = spark.get(i).get("loss").asDouble();
      double na = single.get(i).get("grad_norm").asDouble(), nb = spark.get(i).get("grad_norm").asDouble();
      System.err.printf("step %d loss %.9f vs %.9f (rel %.2g), grad norm %.9f vs %.9f (rel %.2g)%n", i + 1, a, b,
          Math.abs(a - b) / a, na, nb, Math.abs(na - nb) / na);
      assertEquals(a, b, 1e-5 * a, "step " + (i + 1) + " loss");
      assertEquals(na, nb, 1e-5 * na, "step " + (i + 1) + " grad_norm");
      assertEquals(HF_LOSS[i], b, 1e-4 * HF_LOSS[i], "step " + (i + 1) + " loss vs Hugging Face");
    }
    assertStepTimings(single, spark, configs().resolve("data/hf-tiny-golden/model"));
    for (String f : List.of("metrics.jsonl", "config.resolved.yaml", "report.md", "loss.png", "model")) {
      assertTrue(Files.exists(dir.resolve("spark").resolve(f)), f);
    }

    String[] distributed = {"--set", "distributed.engine=spark", "--set", "distributed.master=local[2]", "--set",
        "distributed.workers=2"};
    Path resumed = dir.resolve("resumed");
    run(resumed, CliRun.concat(distributed, new String[] {"--stop-after", "2"}));
    // resumed with the shuffle reduction: the same sums (the reduction is not a resume setting)
    List<ObjectNode> after = run(resumed, CliRun.concat(distributed, new String[] {"--resume", "--set",
        "distributed.reduction=shuffle"}));
    assertEquals(4, after.size(), "steps 1-2, then 3-4 after the resume");
    for (int i = 0; i < 4; i++) {
      double a = spark.get(i).get("loss").asDouble(), b = after.get(i).get("loss").asDouble();
      assertEquals(a, b, 1e-6 * a, "step " + (i + 1) + " loss after --resume");
    }
  }

  /**
   * Every logged step of the distributed run carries its timings (present, finite, non-negative), whose parts (the
   * broadcast, the slowest worker's compute, the transfer, the reduction and the update) add up to no more than the
   * step's wall time, and the gradients collected from the 2 workers (both hold rows of every batch) are 2 x the
   * model's parameters in floats. The single-process run's lines have none of these keys. No timing threshold.
   */
  static void assertStepTimings(List<ObjectNode> single, List<ObjectNode> spark, Path model) {
    long params;
    try (TaskModel m = TaskModelFiles.fromHuggingFace(model)) {
      params = m.parameters().values().stream().mapToLong(a -> a.length()).sum();
    }
    List<String> keys = List.of(StepTimings.BROADCAST, StepTimings.BROADCAST_READ, StepTimings.COMPUTE,
        StepTimings.TRANSFER, StepTimings.REDUCE, StepTimings.GRAD_MB, StepTimings.JOBS, "step_s", "update_s");
    for (int i = 0; i < spark.size(); i++) {
      ObjectNode l = spark.get(i);
      for (String k : keys) {
        assertTrue(l.has(k), "step " + (i + 1) + " has " + k + ": " + l);
        double v = l.get(k).asDouble();
        assertTrue(Double.isFinite(v) && v >= 0, "step " + (i + 1) + " " + k + " = " + v);
        assertFalse(single.get(i).has(k), "a single-process run logs no " + k);
      }
      double parts = 0;
      for (String k : List.of(StepTimings.BROADCAST, StepTimings.COMPUTE, StepTimings.TRANSFER, StepTimings.REDUCE,
          "update_s")) {
        parts += l.get(k).asDouble();
      }
      assertTrue(parts <= l.get("step_s").asDouble(), "step " + (i + 1) + ": parts " + parts + " s > step: " + l);
      assertTrue(l.get(StepTimings.COMPUTE).asDouble() > 0, "step " + (i + 1) + " computed something: " + l);
      assertEquals(1, l.get(StepTimings.JOBS).asInt(), "one Spark job per step (grad_accum_steps 1)");
      assertEquals(2 * params * 4 / 1e6, l.get(StepTimings.GRAD_MB).asDouble(), 1e-12, "step " + (i + 1) + " MB");
    }
  }

  private static Path configs() {
    return Path.of("..", "configs");
  }

  private Path train;

  private List<ObjectNode> run(Path out, String... extra) {
    Path configs = Path.of("..", "configs");
    String[] base = {"run", configs.resolve("finetune-hf-tiny-golden.yaml").toString(),
        "--set", "model=" + configs.resolve("data/hf-tiny-golden/model"),
        "--set", "data.train=" + train, "--set", "train.output_dir=" + out};
    CliRun.Result r = CliRun.run(CliRun.concat(base, extra));
    assertEquals(0, r.code(), r.err());
    return MetricsLog.read(out.resolve("metrics.jsonl"));
  }
}
