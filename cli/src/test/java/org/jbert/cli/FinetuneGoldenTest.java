package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.jbert.core.train.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/jbert run configs/finetune-hf-tiny-golden.yaml} through the CLI's entry point reproduces Hugging Face's
 * AdamW trajectory. Golden: the shared fixtures' {@code hf-tiny-bert/golden.json} {@code train_adamw} (transformers
 * 5.17.0, torch 2.11, float32 CPU; 4 steps of torch.optim.AdamW lr 1e-3, eps 1e-6, weight decay 0.01 except biases
 * and LayerNorm, no clipping, no schedule, the 3 golden rows as one batch), quoted in
 * configs/data/hf-tiny-golden/README.md: each step's loss before the update and the global gradient norm.
 */
class FinetuneGoldenTest {
  static final double[] LOSS = {1.1093875169754028, 1.093855857849121, 1.082936406135559, 1.0720211267471313};
  static final double[] GRAD_NORM = {0.33309550644721636, 0.17662830876075455, 0.16769906526747017,
      0.2587002348258621};

  @TempDir Path dir;

  /**
   * Runs configs/finetune-hf-tiny-golden.yaml with its output in {@code outputDir}. The config's paths are relative to
   * the repository root; tests run in the module's folder, hence the overrides.
   */
  static CliRun.Result runGolden(Path outputDir) {
    Path configs = Path.of("..", "configs");
    return CliRun.run("run", configs.resolve("finetune-hf-tiny-golden.yaml").toString(),
        "--set", "model=" + configs.resolve("data/hf-tiny-golden/model"),
        "--set", "data.train=" + configs.resolve("data/hf-tiny-golden/train.jsonl"),
        "--set", "train.output_dir=" + outputDir);
  }

  @Test
  void fourAdamWStepsMatchHuggingFace() {
    CliRun.Result r = runGolden(dir);
    assertEquals(0, r.code(), r.err());
    var lines = MetricsLog.read(dir.resolve("metrics.jsonl"));
    assertEquals(4, lines.size(), "log_every 1: one line per step");
    for (int i = 0; i < 4; i++) {
      double loss = lines.get(i).get("loss").asDouble(), norm = lines.get(i).get("grad_norm").asDouble();
      double lossRel = Math.abs(loss - LOSS[i]) / LOSS[i], normRel = Math.abs(norm - GRAD_NORM[i]) / GRAD_NORM[i];
      System.out.printf("step %d loss %.8f (HF %.8f, rel %.2g) grad norm %.8f (HF %.8f, rel %.2g)%n", i + 1, loss,
          LOSS[i], lossRel, norm, GRAD_NORM[i], normRel);
      assertEquals(i + 1, lines.get(i).get("step").asInt());
      assertTrue(lossRel <= 1e-4, "step " + (i + 1) + " loss " + loss + " vs HF " + LOSS[i]);
      assertTrue(normRel <= 1e-4, "step " + (i + 1) + " grad norm " + norm + " vs HF " + GRAD_NORM[i]);
      assertEquals(1e-3, lines.get(i).get("lr").asDouble(), 0.0, "constant lr, no warmup");
    }
  }
}
