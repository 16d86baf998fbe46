package org.jbert.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jbert.core.JbertException;
import org.jbert.core.config.yaml.YamlBinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class TrainerTest {
  private static final int N = 24, BATCH = 4;

  /** 12 optimizer steps of 2 micro-batches of 4 (3 steps per epoch), warmup 3, clipping at 0.5, dropout 0.2. */
  private static TrainConfig config(Path out, int checkpointEvery, int keep) {
    return new TrainConfig(0.05, 0.01, 0.9, 0.999, 1e-8, TrainConfig.Schedule.LINEAR, 3, 0, 12, 0, BATCH, true, 2, 0.5,
        7, 1, 4, checkpointEvery, keep, out.toString());
  }

  private static Trainer<TinyMlp.Batch> trainer(TrainConfig c, TinyMlp m, ByteArrayOutputStream progress) {
    return new Trainer<>(c, m, TinyMlp.data(N)).progress(new PrintStream(progress, true, StandardCharsets.UTF_8), false)
        .evaluator(step -> Map.of("accuracy", step / 100.0));
  }

  private static float[] flat(INDArray a) {
    return a.dup('c').data().asFloat();
  }

  /**
   * Stopping after step 5 (mid-epoch) and resuming in a fresh model (different initial weights) must give the
   * uninterrupted run's losses for steps 6..12 bit for bit, and the same final parameters.
   */
  @Test
  void resumeContinuesExactly(@TempDir Path dir) throws Exception {
    Trainer.Result full;
    Map<String, float[]> fullParams = new java.util.HashMap<>();
    try (TinyMlp m = new TinyMlp(1, BATCH, 0.2)) {
      full = trainer(config(dir.resolve("a"), 4, 2), m, new ByteArrayOutputStream()).run();
      m.parameters().forEach((k, v) -> fullParams.put(k, flat(v)));
    }
    assertEquals(12, full.losses().size());
    assertTrue(full.lastLoss() < full.losses().get(0) - 0.1, "no learning: " + full.losses());

    try (TinyMlp m = new TinyMlp(1, BATCH, 0.2)) {
      Trainer.Result first = trainer(config(dir.resolve("b"), 4, 2), m, new ByteArrayOutputStream()).run(5);
      assertEquals(5, first.lastStep());
      assertEquals(full.losses().subList(0, 5), first.losses());
    }
    Path five = dir.resolve("b/checkpoints/step-5/state.json");
    ObjectNode state = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(five.toFile());
    state.put("train_seconds", 3600.0);
    Files.writeString(five, state.toString());
    Trainer.Result second;
    try (TinyMlp m = new TinyMlp(99, BATCH, 0.2)) {  // other initial weights: the checkpoint must overwrite them
      second = trainer(config(dir.resolve("b"), 4, 2), m, new ByteArrayOutputStream()).resume(true).run();
      assertEquals(6, second.firstStep());
      assertEquals(12, second.lastStep());
      assertEquals(full.losses().subList(5, 12), second.losses());
      for (String p : TinyMlp.PARAMS) assertArrayEquals(fullParams.get(p), flat(m.parameters().get(p)), p);
    }
    // metrics.jsonl of the interrupted run: steps 1..12 once each, same numbers as the uninterrupted run
    List<ObjectNode> a = MetricsLog.read(dir.resolve("a/metrics.jsonl"));
    List<ObjectNode> b = MetricsLog.read(dir.resolve("b/metrics.jsonl"));
    assertEquals(12, b.size());
    for (int i = 0; i < 12; i++) {
      assertEquals(i + 1, b.get(i).get("step").asLong());
      assertEquals(a.get(i).get("loss").asDouble(), b.get(i).get("loss").asDouble(), 0.0);
      assertEquals(a.get(i).get("lr").asDouble(), b.get(i).get("lr").asDouble(), 0.0);
    }
    // lr follows the schedule (warmup 3 of 12): step 1 uses lr(0) = 0, step 4 the peak
    assertEquals(0.0, a.get(0).get("lr").asDouble(), 0.0);
    assertEquals(0.05 / 3, a.get(1).get("lr").asDouble(), 1e-15);
    assertEquals(0.05, a.get(3).get("lr").asDouble(), 1e-15);
    assertEquals(0.05 / 9, a.get(11).get("lr").asDouble(), 1e-15);
    // clipping at 0.5 was active: logged norms are pre-clip and some exceed 0.5
    assertTrue(a.stream().anyMatch(l -> l.get("grad_norm").asDouble() > 0.5));
    // eval every 4 steps and at the end
    assertEquals(0.04, a.get(3).get("eval_accuracy").asDouble(), 0.0);
    assertFalse(a.get(4).has("eval_accuracy"));
    assertEquals(0.12, a.get(11).get("eval_accuracy").asDouble(), 0.0);
    // keep 2: checkpoints at 4, 8, 12 leave step-8 and step-12, latest = step-12
    Checkpoints cps = new Checkpoints(dir.resolve("a"), 2);
    assertEquals(List.of(cps.dir().resolve("step-8"), cps.dir().resolve("step-12")), cps.list());
    assertEquals(cps.dir().resolve("step-12"), cps.latest().orElseThrow());
    Checkpoints.Loaded last = cps.load(cps.latest().get());
    assertEquals(12, last.step());
    assertEquals(12, last.state().get("optimizer_step").asLong());
    assertArrayEquals(fullParams.get("out/kernel"), last.model().get("out/kernel").floats());
    // each checkpoint holds the training time so far, carried across the resume (the first process's is set to an
    // hour in its checkpoint); the report adds both and says where it resumed
    assertTrue(last.state().get("train_seconds").asDouble() > 0, last.state().toString());
    double atTwelve = new Checkpoints(dir.resolve("b"), 2).load(dir.resolve("b/checkpoints/step-12")).state()
        .get("train_seconds").asDouble();
    assertTrue(atTwelve >= 3600 && atTwelve < 3600 + second.wall().toNanos() / 1e9 + 1e-3, "train_seconds " + atTwelve);
    assertFalse(Files.readString(dir.resolve("a/report.md")).contains("resumed"));
    String report = Files.readString(dir.resolve("b/report.md"));
    assertTrue(report.contains("\nWall time: 1h00m (resumed at step 6: 1h00m before the checkpoint, "), report);
  }

  /** {@code shuffle: false}: the source is asked for its examples in order, epoch after epoch. */
  @Test
  void withoutShuffleBatchesFollowTheFileOrder(@TempDir Path dir) {
    TrainConfig c = config(dir, 0, 1);
    TrainConfig ordered = new TrainConfig(c.lr(), c.weightDecay(), c.adamBeta1(), c.adamBeta2(), c.adamEps(),
        c.schedule(), c.warmupSteps(), c.warmupRatio(), 4, 0, BATCH, false, 2, c.maxGradNorm(), c.seed(),
        c.logEvery(), 0, 0, 1, dir.toString());
    List<String> seen = new java.util.ArrayList<>();
    BatchSource<TinyMlp.Batch> data = TinyMlp.data(N);
    BatchSource<TinyMlp.Batch> recording = new BatchSource<>() {
      @Override
      public int size() {
        return data.size();
      }

      @Override
      public TinyMlp.Batch batch(int[] indices) {
        seen.add(java.util.Arrays.toString(indices));
        return data.batch(indices);
      }
    };
    try (TinyMlp m = new TinyMlp(1, BATCH, 0)) {
      new Trainer<>(ordered, m, recording).progress(new PrintStream(new ByteArrayOutputStream()), false).run();
    }
    // 4 steps of 2 micro-batches of 4 over 24 examples: 0..23 in order, then the second epoch starts again at 0.
    assertEquals(List.of("[0, 1, 2, 3]", "[4, 5, 6, 7]", "[8, 9, 10, 11]", "[12, 13, 14, 15]", "[16, 17, 18, 19]",
        "[20, 21, 22, 23]", "[0, 1, 2, 3]", "[4, 5, 6, 7]"), seen);
  }

  /**
   * Accumulating 2 micro-batches of 4 equals one batch of 8 (HF semantics: the mean gradient): both see the same
   * permutation, so the losses and final weights agree to float rounding.
   */
  @Test
  void accumulationEqualsTheLargerBatch(@TempDir Path dir) {
    TrainConfig two = config(dir.resolve("k2"), 0, 1);
    TrainConfig one = new TrainConfig(two.lr(), two.weightDecay(), two.adamBeta1(), two.adamBeta2(), two.adamEps(),
        two.schedule(), two.warmupSteps(), two.warmupRatio(), two.maxSteps(), two.epochs(), 2 * BATCH, true, 1,
        two.maxGradNorm(), two.seed(), two.logEvery(), two.evalEvery(), 0, 1, dir.resolve("k1").toString());
    Trainer.Result a, b;
    float[] wa, wb;
    try (TinyMlp m = new TinyMlp(1, BATCH, 0)) {
      a = trainer(two, m, new ByteArrayOutputStream()).run();
      wa = flat(m.parameters().get("out/kernel"));
    }
    try (TinyMlp m = new TinyMlp(1, 2 * BATCH, 0)) {
      b = trainer(one, m, new ByteArrayOutputStream()).run();
      wb = flat(m.parameters().get("out/kernel"));
    }
    for (int i = 0; i < 12; i++) assertEquals(b.losses().get(i), a.losses().get(i), 1e-5, "step " + (i + 1));
    for (int i = 0; i < wa.length; i++) assertEquals(wb[i], wa[i], 1e-4, "out/kernel[" + i + "]");
    assertTrue(a.lastLoss() < a.losses().get(0) - 0.1);
  }

  /** Dropout masks depend only on (seed, step, micro-batch): without this the resume test could not pass. */
  @Test
  void dropoutIsActiveAndSeeded(@TempDir Path dir) {
    double withDropout, again, without;
    try (TinyMlp m = new TinyMlp(1, BATCH, 0.5)) {
      withDropout = trainer(config(dir.resolve("d1"), 0, 1), m, new ByteArrayOutputStream()).run(2).lastLoss();
    }
    try (TinyMlp m = new TinyMlp(1, BATCH, 0.5)) {
      again = trainer(config(dir.resolve("d2"), 0, 1), m, new ByteArrayOutputStream()).run(2).lastLoss();
    }
    try (TinyMlp m = new TinyMlp(1, BATCH, 0)) {
      without = trainer(config(dir.resolve("d3"), 0, 1), m, new ByteArrayOutputStream()).run(2).lastLoss();
    }
    assertEquals(withDropout, again, 0.0);
    assertNotEquals(withDropout, without);
  }

  /** A NaN loss at step 4 stops the run naming the step; latest still names step-2, no later checkpoint exists. */
  @Test
  void nanLossStopsAndKeepsLastGoodCheckpoint(@TempDir Path dir) {
    Path out = dir.resolve("run");
    try (TinyMlp m = new TinyMlp(1, BATCH, 0)) {
      int[] calls = {0};
      Trainable<TinyMlp.Batch> poisoned = new Trainable<>() {
        @Override
        public Map<String, INDArray> parameters() {
          return m.parameters();
        }

        @Override
        public LossAndGradients lossAndGradients(TinyMlp.Batch b) {
          LossAndGradients r = m.lossAndGradients(b);
          return ++calls[0] == 8 ? new LossAndGradients(Double.NaN, r.gradients()) : r;  // 2nd micro-batch of step 4
        }
      };
      TrainConfig c = config(out, 2, 5);
      JbertException e = assertThrows(JbertException.class,
          () -> new Trainer<>(c, poisoned, TinyMlp.data(N)).progress(new PrintStream(new ByteArrayOutputStream()), false)
              .run());
      Path good = out.resolve("checkpoints").resolve("step-2");
      assertEquals("training stopped at step 4: loss is NaN; the last good checkpoint is " + good
          + " (lower lr or enable max_grad_norm, then resume)", e.getMessage());
      Checkpoints cps = new Checkpoints(out, 5);
      assertEquals(good, cps.latest().orElseThrow());
      assertEquals(List.of(good), cps.list());
      assertEquals(3, MetricsLog.read(out.resolve("metrics.jsonl")).size());  // steps 1..3 were logged
    }
  }

  /** config.resolved.yaml reads back to the config; report.md embeds the plots; the PNGs are real images. */
  @Test
  void runFolderHasResolvedConfigReportAndPlots(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    TrainConfig c = config(out, 0, 1);
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    try (TinyMlp m = new TinyMlp(1, BATCH, 0)) {
      trainer(c, m, progress).title("Tiny MLP").run();
    }
    Trainer.TrainSection back = YamlBinder.load(out.resolve("config.resolved.yaml"), Trainer.TrainSection.class, List.of());
    assertEquals(c, back.train());
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.startsWith("# Tiny MLP\n"), report);
    assertTrue(report.contains("![loss](loss.png)") && report.contains("![lr](lr.png)"), report);
    assertTrue(report.contains("| step | 12 |"), report);
    assertTrue(report.contains("| eval_accuracy | 0.120000 |"), report);
    assertTrue(report.contains("max_grad_norm: 0.5"), report);
    for (String png : new String[] {"loss.png", "lr.png"}) {
      BufferedImage img = ImageIO.read(out.resolve(png).toFile());
      assertEquals(800, img.getWidth());
      assertEquals(420, img.getHeight());
    }
    // non-terminal progress: one plain line per logged step (log_every 1), ending at 12/12
    String[] lines = progress.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(12, lines.length);
    assertTrue(lines[11].startsWith("[==============================] 12/12 100%  loss "), lines[11]);
    assertFalse(progress.toString(StandardCharsets.UTF_8).contains("\r"));
  }

  /**
   * What the model measures per step ({@link Trainable#stepMetrics}: here its forward/backward calls since the last
   * drain) is logged on that step's line with the step's wall time and update part; a model that measures nothing
   * gets neither key (the single-process metrics are unchanged).
   */
  @Test
  void modelStepMetricsAreLoggedWithTheStep(@TempDir Path dir) {
    try (TinyMlp m = new TinyMlp(1, BATCH, 0.2)) {
      int[] calls = {0};
      Trainable<TinyMlp.Batch> counting = new Trainable<>() {
        @Override
        public Map<String, INDArray> parameters() {
          return m.parameters();
        }

        @Override
        public LossAndGradients lossAndGradients(TinyMlp.Batch b) {
          calls[0]++;
          return m.lossAndGradients(b);
        }

        @Override
        public void seedRandom(long seed) {
          m.seedRandom(seed);
        }

        @Override
        public Map<String, Double> stepMetrics() {
          Map<String, Double> r = Map.of("calls", (double) calls[0]);
          calls[0] = 0;
          return r;
        }
      };
      new Trainer<>(config(dir.resolve("measured"), 0, 1), counting, TinyMlp.data(N))
          .progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false).run();
    }
    List<ObjectNode> lines = MetricsLog.read(dir.resolve("measured/metrics.jsonl"));
    assertEquals(12, lines.size());
    for (ObjectNode l : lines) {
      assertEquals(2.0, l.get("calls").asDouble(), 0.0, "2 micro-batches per step, drained every step: " + l);
      double step = l.get("step_s").asDouble(), update = l.get("update_s").asDouble();
      assertTrue(update >= 0 && update <= step, l.toString());
    }
    try (TinyMlp m = new TinyMlp(1, BATCH, 0.2)) {
      new Trainer<>(config(dir.resolve("plain"), 0, 1), m, TinyMlp.data(N))
          .progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false).run();
    }
    for (ObjectNode l : MetricsLog.read(dir.resolve("plain/metrics.jsonl"))) {
      assertFalse(l.has("step_s") || l.has("update_s") || l.has("calls"), l.toString());
    }
  }
}
