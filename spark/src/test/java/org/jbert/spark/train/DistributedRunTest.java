package org.jbert.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.cli.CliRun;
import org.jbert.core.train.MetricsLog;
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
 * continued with {@code --resume} gives the uninterrupted run's losses.
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
    for (String f : List.of("metrics.jsonl", "config.resolved.yaml", "report.md", "loss.png", "model")) {
      assertTrue(Files.exists(dir.resolve("spark").resolve(f)), f);
    }

    String[] distributed = {"--set", "distributed.engine=spark", "--set", "distributed.master=local[2]", "--set",
        "distributed.workers=2"};
    Path resumed = dir.resolve("resumed");
    run(resumed, CliRun.concat(distributed, new String[] {"--stop-after", "2"}));
    List<ObjectNode> after = run(resumed, CliRun.concat(distributed, new String[] {"--resume"}));
    assertEquals(4, after.size(), "steps 1-2, then 3-4 after the resume");
    for (int i = 0; i < 4; i++) {
      double a = spark.get(i).get("loss").asDouble(), b = after.get(i).get("loss").asDouble();
      assertEquals(a, b, 1e-6 * a, "step " + (i + 1) + " loss after --resume");
    }
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
