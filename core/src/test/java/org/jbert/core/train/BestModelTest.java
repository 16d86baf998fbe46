package org.jbert.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.io.Npz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, "Also": the best checkpoint by a dev metric ({@code metric_for_best_model}), kept whatever
 * {@code keep_checkpoints} says, early stopping with a patience (also across a resume), and
 * {@code load_best_model_at_end}. The evaluator is scripted: accuracy by step.
 */
class BestModelTest {
  private static final int N = 24, BATCH = 4;
  /** Evaluations every 2 steps: the best is step 4 (0.8); later ones do not beat it by more than 0.01. */
  private static final Map<Long, Double> ACCURACY = Map.of(2L, 0.5, 4L, 0.8, 6L, 0.6, 8L, 0.805, 10L, 0.7, 12L, 0.75);

  private static TrainConfig config(Path out, int patience, boolean loadBest) {
    return new TrainConfig(0.05, 0.01, 0.9, 0.999, 1e-8, TrainConfig.Schedule.LINEAR, 3, 0, 12, 0, BATCH, true, 1, 0.5,
        7, 1, 2, 0, 1, out.toString(), "eval_accuracy", TrainConfig.MetricMode.AUTO, patience, 0.01, loadBest);
  }

  private static Trainer.Result run(TrainConfig c, boolean resume, long stopAfter, Map<String, float[]> finalParams) {
    try (TinyMlp m = new TinyMlp(1, BATCH, 0)) {
      Trainer.Result r = new Trainer<>(c, m, TinyMlp.data(N)).progress(new PrintStream(new ByteArrayOutputStream()),
          false).evaluator(step -> Map.of("accuracy", ACCURACY.get(step), "loss", 1.0 / step)).resume(resume)
          .run(stopAfter);
      if (finalParams != null) m.parameters().forEach((k, v) -> finalParams.put(k, v.dup('c').data().asFloat()));
      return r;
    }
  }

  @Test
  void theBestCheckpointIsKeptAndLoadedAtTheEnd(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    Map<String, float[]> params = new java.util.HashMap<>();
    Trainer.Result r = run(config(out, 0, true), false, Long.MAX_VALUE, params);
    assertEquals(12, r.lastStep());
    assertFalse(r.stoppedEarly());
    assertEquals(4, r.bestStep());
    assertEquals(0.8, r.bestValue(), 0.0);
    Checkpoints cps = new Checkpoints(out, 1);
    // keep_checkpoints 1: the newest (step-12) and the best (step-4), which pruning never deletes
    assertEquals(List.of(cps.dir().resolve("step-4"), cps.dir().resolve("step-12")), cps.list());
    assertEquals(cps.dir().resolve("step-4"), cps.best().orElseThrow());
    assertEquals(cps.dir().resolve("step-12"), cps.latest().orElseThrow());
    // load_best_model_at_end: the live weights are step 4's, not step 12's
    Map<String, Npz.Array> best = cps.loadModel(cps.dir().resolve("step-4"));
    Map<String, Npz.Array> last = cps.loadModel(cps.dir().resolve("step-12"));
    for (String p : TinyMlp.PARAMS) {
      assertArrayEquals(best.get(p).floats(), params.get(p), p);
      assertFalse(java.util.Arrays.equals(last.get(p).floats(), params.get(p)), p);
    }
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("| best_step | 4 |") && report.contains("| best_eval_accuracy | 0.800000 |"), report);
  }

  @Test
  void earlyStoppingEndsTheRunAfterThePatienceAlsoAcrossAResume(@TempDir Path dir) throws Exception {
    // patience 2: step 4 is the best; 6 and 8 (0.805 is within the 0.01 threshold) do not improve it: stop at 8.
    Path out = dir.resolve("run");
    Trainer.Result r = run(config(out, 2, false), false, Long.MAX_VALUE, null);
    assertTrue(r.stoppedEarly());
    assertTrue(r.finished());
    assertEquals(8, r.lastStep());
    assertEquals(4, r.bestStep());
    assertEquals(8, MetricsLog.read(out.resolve("metrics.jsonl")).size());
    assertTrue(Files.readString(out.resolve("report.md")).contains("| stopped_early_at_step | 8 |"));
    assertEquals(out.resolve("checkpoints/step-8"), new Checkpoints(out, 1).latest().orElseThrow());

    // Stopped at step 7 (one evaluation without improvement so far) and resumed: it still stops at 8.
    Path split = dir.resolve("split");
    assertFalse(run(config(split, 2, false), false, 7, null).finished());
    Trainer.Result resumed = run(config(split, 2, false), true, Long.MAX_VALUE, null);
    assertEquals(8, resumed.firstStep());
    assertEquals(8, resumed.lastStep());
    assertTrue(resumed.stoppedEarly());
    assertEquals(4, resumed.bestStep());
  }

  @Test
  void bestModelSettingsAreChecked(@TempDir Path dir) {
    JbertException e = assertThrows(JbertException.class, () -> new TrainConfig(0.05, 0.01, 0.9, 0.999, 1e-8,
        TrainConfig.Schedule.LINEAR, 0, 0, 12, 0, BATCH, true, 1, 0, 7, 1, 2, 0, 1, dir.toString(), "",
        TrainConfig.MetricMode.AUTO, 3, 0, false));
    assertEquals("early_stopping_patience 3 needs metric_for_best_model; expected a dev metric such as accuracy",
        e.getMessage());
    TrainConfig loss = new TrainConfig(0.05, 0.01, 0.9, 0.999, 1e-8, TrainConfig.Schedule.LINEAR, 0, 0, 12, 0, BATCH,
        true, 1, 0, 7, 1, 2, 0, 1, dir.toString(), "eval_mlm_loss", TrainConfig.MetricMode.AUTO, 0, 0, false);
    assertEquals("mlm_loss", loss.bestMetric());
    assertFalse(loss.greaterIsBetter());
    // A metric the evaluation does not report is named with the ones it does.
    TrainConfig f1 = new TrainConfig(0.05, 0.01, 0.9, 0.999, 1e-8, TrainConfig.Schedule.LINEAR, 0, 0, 12, 0, BATCH,
        true, 1, 0, 7, 1, 2, 0, 1, dir.resolve("f1").toString(), "f1", TrainConfig.MetricMode.MAX, 0, 0, false);
    e = assertThrows(JbertException.class, () -> run(f1, false, Long.MAX_VALUE, null));
    assertEquals("train.metric_for_best_model is f1, which the evaluation at step 2 does not report; expected one of"
        + " [accuracy, loss]", e.getMessage());
    // Without an evaluation there is nothing to pick the best by: refused before anything is written.
    try (TinyMlp m = new TinyMlp(1, BATCH, 0)) {
      TrainConfig c = config(dir.resolve("noeval"), 0, false);
      e = assertThrows(JbertException.class, () -> new Trainer<>(c, m, TinyMlp.data(N)).run());
      assertTrue(e.getMessage().startsWith("train.metric_for_best_model is eval_accuracy but the run has no"
          + " evaluation"), e.getMessage());
      assertTrue(Files.notExists(dir.resolve("noeval")));
    }
  }
}
