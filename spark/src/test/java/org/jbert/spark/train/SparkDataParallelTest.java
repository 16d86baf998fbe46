package org.jbert.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.jbert.core.train.BatchSource;
import org.jbert.core.train.TrainConfig;
import org.jbert.core.train.Trainer;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel fine-tuning in local[2]: the Trainer over {@link SparkDataParallel} with 2 workers gives the losses
 * and gradient norms of a single-process run with the same global batch, step by step (1e-5 relative), on the
 * hf-tiny-bert sequence classifier (dropout 0 in its config.json), over 5 steps with warmup, decay, clipping and
 * weight decay; an odd batch (5 rows: shares of 3 and 2) checks the weighting by example count. One worker task fails
 * on purpose (a test-only injection) and Spark's retry gives the same run.
 */
class SparkDataParallelTest {
  static final int N = 20, T = 12, BATCH = 5, STEPS = 5;
  static final double REL = 1e-5;

  @TempDir Path dir;

  @Test
  void twoWorkersEqualOneProcess() throws Exception {
    SparkSession spark = org.jbert.spark.LocalSparkAccess.session();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Path folder = HfTiny.folder("seqcls");
    String path = folder.toString();

    List<double[]> single, parallel;
    try (TaskModel m = TaskModelFiles.fromHuggingFace(folder)) {
      new Trainer<>(config(dir.resolve("single")), m, data()).progress(quiet(), false).run();
      single = metrics(dir.resolve("single"));
    }
    SparkDataParallel.INJECTED_FAILURES.set(1);
    try (TaskModel m = TaskModelFiles.fromHuggingFace(folder)) {
      SparkDataParallel<Batch, TaskBatchSharding.Share> dp = new SparkDataParallel<>(sc, m, 2, path + "#test",
          () -> TaskModelFiles.fromHuggingFace(Path.of(path)), new TaskBatchSharding());
      new Trainer<>(config(dir.resolve("parallel")), dp, data()).progress(quiet(), false).run();
      parallel = metrics(dir.resolve("parallel"));
    }
    assertEquals(0, SparkDataParallel.INJECTED_FAILURES.get(), "the injected failure happened");
    assertEquals(STEPS, single.size());
    assertEquals(STEPS, parallel.size());
    double worst = 0;
    for (int s = 0; s < STEPS; s++) {
      double[] a = single.get(s), b = parallel.get(s);
      worst = Math.max(worst, Math.max(Math.abs(a[0] - b[0]) / Math.abs(a[0]), Math.abs(a[1] - b[1]) / Math.abs(a[1])));
      assertEquals(a[0], b[0], REL * Math.abs(a[0]), "step " + (s + 1) + " loss");
      assertEquals(a[1], b[1], REL * Math.abs(a[1]), "step " + (s + 1) + " grad_norm");
    }
    assertTrue(single.get(STEPS - 1)[0] != single.get(0)[0], "the weights moved");
    System.err.printf("2 workers vs 1 process over %d steps: largest relative difference %.2e%n", STEPS, worst);
  }

  static TrainConfig config(Path out) {
    return new TrainConfig(1e-3, 0.01, 0.9, 0.999, 1e-6, TrainConfig.Schedule.LINEAR, 2, 0, STEPS, 0, BATCH, true, 1,
        0.5, 7, 1, 0, 0, 1, out.toString());
  }

  /** Random ids over hf-tiny-bert's vocabulary (120), real lengths 4..T, labels 0..2. */
  static BatchSource<Batch> data() {
    Random r = new Random(3);
    int[][] ids = new int[N][T], mask = new int[N][T];
    int[] labels = new int[N];
    for (int i = 0; i < N; i++) {
      int len = 4 + r.nextInt(T - 3);
      for (int j = 0; j < len; j++) {
        ids[i][j] = j == 0 ? 2 : 5 + r.nextInt(115);
        mask[i][j] = 1;
      }
      labels[i] = r.nextInt(3);
    }
    return new BatchSource<>() {
      @Override
      public int size() {
        return N;
      }

      @Override
      public Batch batch(int[] rows) {
        int[][] a = new int[rows.length][], m = new int[rows.length][], t = new int[rows.length][T];
        int[] l = new int[rows.length];
        for (int k = 0; k < rows.length; k++) {
          a[k] = ids[rows[k]];
          m[k] = mask[rows[k]];
          l[k] = labels[rows[k]];
        }
        return Batch.classification(a, m, t, l);
      }
    };
  }

  static List<double[]> metrics(Path run) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<double[]> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      JsonNode n = json.readTree(line);
      if (n.has("loss")) out.add(new double[] {n.get("loss").asDouble(), n.get("grad_norm").asDouble()});
    }
    return out;
  }

  static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream());
  }
}
