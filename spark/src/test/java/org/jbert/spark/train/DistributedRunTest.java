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
 * Hugging Face classifier, dropout 0, constant lr, AdamW) on 8 pre-tokenized rows of random ids as one batch of 8, 4
 * steps, with 2 workers (shares of 4 rows) and 2 micro-batches per worker (2 rows each) equals the single-process run
 * step by step (loss and gradient norm, 1e-5 relative); the run folder holds the same files (metrics, report, model).
 * (Parts of one row are avoided: jbert's classification loss fails at B=1 in SameDiff M2.1, in one process too.)
 */
class DistributedRunTest {
  @TempDir Path dir;

  @Test
  void twoWorkersEqualOneProcess() throws Exception {
    LocalSparkAccess.session();
    java.util.Random rnd = new java.util.Random(5);
    List<String> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      int len = 4 + rnd.nextInt(12);
      StringBuilder ids = new StringBuilder("2"), mask = new StringBuilder("1");
      for (int j = 1; j < 16; j++) {
        ids.append(", ").append(j < len ? 5 + rnd.nextInt(110) : 0);
        mask.append(", ").append(j < len ? 1 : 0);
      }
      rows.add("{\"input_word_ids\": [" + ids + "], \"input_mask\": [" + mask + "], \"label\": " + (i % 3) + "}");
    }
    train = dir.resolve("train.jsonl");
    Files.write(train, rows);
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
    }
    for (String f : List.of("metrics.jsonl", "config.resolved.yaml", "report.md", "loss.png", "model")) {
      assertTrue(Files.exists(dir.resolve("spark").resolve(f)), f);
    }
  }

  private Path train;

  private List<ObjectNode> run(Path out, String... extra) {
    Path configs = Path.of("..", "configs");
    String[] base = {"run", configs.resolve("finetune-hf-tiny-golden.yaml").toString(),
        "--set", "model=" + configs.resolve("data/hf-tiny-golden/model"),
        "--set", "data.train=" + train, "--set", "train.batch_size=8", "--set", "train.max_grad_norm=1.0",
        "--set", "train.output_dir=" + out};
    CliRun.Result r = CliRun.run(CliRun.concat(base, extra));
    assertEquals(0, r.code(), r.err());
    return MetricsLog.read(out.resolve("metrics.jsonl"));
  }
}
