package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.jbert.core.kernels.KernelRuntime;
import org.jbert.core.kernels.KernelSession;
import org.jbert.core.train.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With jbert-onednn on the class path (the CLI carries it) {@code jbert run} trains on the fused graph: the golden
 * fine-tune of {@link FinetuneGoldenTest} runs its fused ops, forward and backward, on oneDNN (none falls back to
 * libnd4j) and still reproduces Hugging Face's AdamW trajectory within 1e-4.
 */
class FusedTrainingRunTest {
  @TempDir Path dir;

  @Test
  void runTrainsOnTheFusedGraphOnOnednn() {
    assertEquals("onednn", KernelRuntime.selected().name(), "the CLI's default kernel path");
    long before = KernelSession.runs().getOrDefault("onednn", 0L);
    int fallbacks = KernelSession.fallbacksLogged();
    CliRun.Result r = FinetuneGoldenTest.runGolden(dir);
    assertEquals(0, r.code(), r.err());
    long ran = KernelSession.runs().getOrDefault("onednn", 0L) - before;
    // per step: 9 fused ops in each of the 3 layers (q, k, v, attention, 3 dense, 2 LayerNorm) and the embedding
    // LayerNorm, and a gradient op for each
    assertTrue(ran >= 4 * 2 * (9 * 3 + 1), "fused ops run on oneDNN: " + ran);
    assertEquals(fallbacks, KernelSession.fallbacksLogged(), "a fused op fell back to libnd4j");
    var lines = MetricsLog.read(dir.resolve("metrics.jsonl"));
    assertEquals(4, lines.size());
    for (int i = 0; i < 4; i++) {
      double loss = lines.get(i).get("loss").asDouble();
      double norm = lines.get(i).get("grad_norm").asDouble();
      assertTrue(Math.abs(loss - FinetuneGoldenTest.LOSS[i]) / FinetuneGoldenTest.LOSS[i] <= 1e-4,
          "step " + (i + 1) + " loss " + loss);
      assertTrue(Math.abs(norm - FinetuneGoldenTest.GRAD_NORM[i]) / FinetuneGoldenTest.GRAD_NORM[i] <= 1e-4,
          "step " + (i + 1) + " grad norm " + norm);
    }
  }
}
