package org.jbert.spark;

import static org.jbert.cli.CliRun.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.cli.CliRun;
import org.jbert.spark.train.StepProjection;
import org.jbert.spark.train.StepTimings;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbert spark step-profile} on the tiny Hugging Face encoder (2 workers, 4 rows of 32 tokens, 2 micro-batches
 * per worker, 2 timed steps, projected on 16 nodes): the JSON has every part's median, non-negative, adding up to no
 * more than the step; the gradients collected are 2 x the parameters in floats; the load averages are recorded; the
 * projection's inputs follow from the medians and its micro-batch count keeps the share under 10% where one fewer
 * does not. No timing threshold. Bad sizes are one line.
 */
class StepProfileCommandTest {
  @TempDir Path dir;

  @Test
  void profilesTwoWorkersAndProjectsSixteenNodes() throws Exception {
    LocalSpark.session();
    Path out = dir.resolve("profile.json");
    CliRun.Result r = CliRun.run("spark", "step-profile", "--model", HfTiny.folder("pretraining").toString(),
        "--workers", "2", "--batch", "4", "--micro-batches", "2", "--steps", "2", "--seq-len", "32", "--project", "16",
        "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    System.err.print(r.err());
    assertTrue(r.err().contains("projected on 16 nodes"), r.err());
    JsonNode j = new ObjectMapper().readTree(Files.readString(out));
    assertEquals(2, j.get("workers").asInt());
    assertEquals(32, j.get("seq_len").asInt());
    for (String k : List.of("loadavg_before", "loadavg_after")) {
      assertTrue(j.get(k).asText().matches("[0-9.]+ [0-9.]+ [0-9.]+"), k + ": " + j.get(k));
    }
    assertTrue(j.get("peak_rss_mb").asDouble() > 0, "VmHWM: " + j.get("peak_rss_mb"));
    JsonNode med = j.get("median");
    List<String> parts = List.of(StepTimings.BROADCAST, StepTimings.COMPUTE, StepTimings.TRANSFER, StepTimings.REDUCE,
        "update_s");
    double sum = 0;
    for (String k : parts) {
      double v = med.get(k).asDouble(-1);
      assertTrue(v >= 0, k + " = " + med.get(k));
      sum += v;
    }
    double step = med.get("step_s").asDouble();
    assertTrue(med.get(StepTimings.COMPUTE).asDouble() > 0, med.toString());
    assertTrue(sum <= step + 1e-9, "medians of the parts " + sum + " > step " + step + ": " + med);
    assertTrue(med.get("other_s").asDouble() >= 0, med.toString());
    assertTrue(med.get(StepTimings.BROADCAST_READ).asDouble() >= 0, med.toString());
    assertEquals(1, med.get(StepTimings.JOBS).asInt());
    long params = j.get("parameters").asLong();
    assertTrue(params > 10_000, "the tiny encoder and its head: " + params);
    assertEquals(2 * params * 4 / 1e6, med.get(StepTimings.GRAD_MB).asDouble(), 1e-12);

    JsonNode p = j.get("projection");
    JsonNode m = p.get("measured");
    assertEquals(params * 4.0, m.get("gradient_bytes").asDouble(), 1e-6);
    assertEquals(1, m.get("micro_batch_size").asInt(), "4 rows / 2 workers / 2 micro-batches");
    assertEquals(med.get(StepTimings.COMPUTE).asDouble() / 2, m.get("compute_per_example").asDouble(), 1e-12);
    assertEquals(med.get(StepTimings.BROADCAST).asDouble(), m.get("broadcast_seconds").asDouble(), 1e-12);
    assertTrue(med.get("empty_job_s").asDouble() > 0, med.toString());
    assertTrue(m.get("job_seconds").asDouble() <= med.get(StepTimings.TRANSFER).asDouble(), "the job is part of it");
    JsonNode under = p.get("under_bound");
    assertEquals(16, under.get("nodes").asInt());
    int micro = under.get("micro_batches").asInt();
    assertTrue(micro >= 1);
    assertTrue(under.get("share").asDouble() < 0.1, under.toString());
    StepProjection.Measured measured = new StepProjection.Measured(m.get("compute_per_example").asDouble(), 1,
        m.get("gradient_bytes").asDouble(), m.get("bytes_per_second").asDouble(), m.get("job_seconds").asDouble(),
        m.get("broadcast_seconds").asDouble(),
        m.get("reduce_per_gradient").asDouble(), m.get("update_seconds").asDouble());
    if (micro > 1) assertTrue(StepProjection.at(measured, 16, micro - 1).share() >= 0.1, "one fewer is not enough");
    assertEquals(1 / under.get("step_seconds").asDouble(), under.get("steps_per_s").asDouble(), 1e-12);
    assertEquals(p.get("one_micro_batch").get("micro_batches").asInt(), 1);
  }

  /** {@code --reduction shuffle}: the step through a reduce-scatter, its gradients counted as the workers sent them. */
  @Test
  void profilesTheShuffleReduction() throws Exception {
    LocalSpark.session();
    Path out = dir.resolve("shuffle.json");
    CliRun.Result r = CliRun.run("spark", "step-profile", "--model", HfTiny.folder("pretraining").toString(),
        "--workers", "2", "--batch", "4", "--steps", "1", "--seq-len", "16", "--reduction", "shuffle", "--project",
        "16", "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("2 workers, shuffle reduction"), r.err());
    JsonNode j = new ObjectMapper().readTree(Files.readString(out));
    assertEquals("shuffle", j.get("reduction").asText());
    assertEquals(2 * j.get("parameters").asLong() * 4 / 1e6, j.at("/median/" + StepTimings.GRAD_MB).asDouble(), 1e-12);
    assertEquals("SHUFFLE", j.at("/projection/measured/reduction").asText());
    assertEquals(2, j.at("/projection/measured/measured_nodes").asInt());
    assertOneLineError(CliRun.run("spark", "step-profile", "--model", HfTiny.folder("pretraining").toString(),
        "--reduction", "ring"), "--reduction is ring; expected driver or shuffle");
  }

  @Test
  void unevenSharesAreOneLine() {
    CliRun.Result r = CliRun.run("spark", "step-profile", "--model", HfTiny.folder("pretraining").toString(),
        "--workers", "2", "--batch", "5");
    assertOneLineError(r, "--batch 5", "divide evenly");
    CliRun.Result t = CliRun.run("spark", "step-profile", "--model", HfTiny.folder("pretraining").toString(),
        "--seq-len", "128");
    assertOneLineError(t, "max_position_embeddings 40", "--seq-len 128");
    assertFalse(t.err().isEmpty());
  }
}
