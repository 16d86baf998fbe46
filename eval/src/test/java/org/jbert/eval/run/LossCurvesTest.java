package org.jbert.eval.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.jbert.core.train.MetricsLog;
import org.jbert.eval.report.Report;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loss_curves group on metrics.jsonl files written by core's MetricsLog (the Trainer's writer) and by hand. */
class LossCurvesTest {
  @TempDir Path dir;

  static final double[] LOSS = {2.5, 2.1, 1.7, 1.9, 1.2, 1.4};

  /** Six logged steps (2, 4, ..., 12), eval metrics at steps 6 and 12, as the Trainer logs them. */
  private Path run() {
    Path run = dir.resolve("run");
    try (MetricsLog log = MetricsLog.open(run.resolve(LossCurves.METRICS_FILE), -1)) {
      for (int i = 0; i < LOSS.length; i++) {
        long step = 2L * (i + 1);
        Map<String, Double> extra = step % 6 == 0 ? Map.of("grad_norm", 1.0, "eval_accuracy", step == 6 ? 0.6 : 0.8)
            : Map.of("grad_norm", 1.0);
        log.log(step, LOSS[i], 1e-4, extra);
      }
    }
    return run;
  }

  @Test
  void readsTheTrainersLogAndReportsCurvesAndATable() throws Exception {
    Path run = run();
    LossCurves c = LossCurves.read(run);
    assertArrayEquals(new long[] {2, 4, 6, 8, 10, 12}, c.loss().steps());
    assertArrayEquals(LOSS, c.loss().values(), 0);
    assertEquals(1, c.eval().size());
    assertEquals("eval_accuracy", c.eval().get(0).name());
    assertArrayEquals(new long[] {6, 12}, c.eval().get(0).steps());

    Path out = dir.resolve("out");
    EvalConfig cfg = YamlBinder.bind(YamlBinder.parse("checks: [loss_curves]\nrun_dir: " + run + "\noutput_dir: "
        + out, "t"), EvalConfig.class, "t");
    EvalRun.Outcome o = EvalRun.run(cfg, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertTrue(o.passed());
    JsonNode s = new ObjectMapper().readTree(out.resolve(Report.JSON).toFile()).get("sections").get(0);
    assertEquals("Loss curves", s.get("title").asText());
    JsonNode rows = s.get("tables").get(0).get("rows");
    // series, points, first, last, min, min at step, max
    assertEquals("[\"loss\",\"6\",\"2.500\",\"1.400\",\"1.200\",\"10\",\"2.500\"]", rows.get(0).toString());
    assertEquals("[\"eval_accuracy\",\"2\",\"0.6000\",\"0.8000\",\"0.6000\",\"6\",\"0.8000\"]", rows.get(1).toString());
    assertEquals(2.5, s.get("metrics").get("loss_first").asDouble(), 0);
    assertEquals(1.4, s.get("metrics").get("loss_last").asDouble(), 0);
    assertEquals(1.2, s.get("metrics").get("loss_min").asDouble(), 0);
    assertEquals(0.8, s.get("metrics").get("eval_accuracy_last").asDouble(), 0);
    for (String png : List.of(LossCurves.LOSS_PNG, "curve-eval_accuracy.png")) {
      BufferedImage img = ImageIO.read(out.resolve(png).toFile());
      assertNotNull(img, png + " is a readable PNG");
      assertEquals(800, img.getWidth());
    }
    assertTrue(Files.readString(out.resolve(Report.MARKDOWN)).contains("![Training loss](loss-curve.png)"));
  }

  private JbertException bad(String... lines) throws Exception {
    Path run = dir.resolve("bad");
    Files.createDirectories(run);
    Files.write(run.resolve(LossCurves.METRICS_FILE), List.of(lines));
    JbertException e = assertThrows(JbertException.class, () -> LossCurves.read(run));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e;
  }

  @Test
  void aGarbledOrMissingLogIsAOneLineErrorNamingFileAndLine() throws Exception {
    String f = dir.resolve("bad").resolve(LossCurves.METRICS_FILE).toString();
    String ok = "{\"step\":1,\"loss\":2.0,\"lr\":1e-4}";
    assertTrue(bad(ok, "{\"step\":2,\"loss\":1.9", ok).getMessage().startsWith(f + ":2: not valid JSON"));
    assertTrue(bad(ok, "{\"step\":2,\"lr\":1e-4}").getMessage()
        .startsWith(f + ":2: \"loss\" is missing; expected the training loss"));
    assertTrue(bad(ok, "{\"step\":2,\"loss\":\"low\"}").getMessage().startsWith(f + ":2: \"loss\" is \"low\""));
    assertTrue(bad(ok, "{\"step\":1,\"loss\":1.0}").getMessage()
        .startsWith(f + ":2: step 1 after step 1; expected increasing steps"));
    assertTrue(bad(ok, "{\"loss\":1.0}").getMessage().startsWith(f + ":2: \"step\" is missing"));
    assertTrue(bad(ok, "{\"step\":2,\"loss\":1.0,\"eval_f1\":[1]}").getMessage().startsWith(f + ":2: \"eval_f1\" is"));
    assertTrue(bad("").getMessage().startsWith(f + ": no logged steps"));
    // the Trainer's spelling of a non-finite loss is read (as NaN, not drawn)
    Files.write(Path.of(f), List.of(ok, "{\"step\":2,\"loss\":\"NaN\"}"));
    assertTrue(Double.isNaN(LossCurves.read(dir.resolve("bad")).loss().values()[1]));
    JbertException e = assertThrows(JbertException.class, () -> LossCurves.read(dir.resolve("nowhere")));
    assertTrue(e.getMessage().startsWith("run_dir " + dir.resolve("nowhere") + ": "
        + dir.resolve("nowhere").resolve(LossCurves.METRICS_FILE) + " not found"), e.getMessage());
  }

  @Test
  void aBadLogFailsTheRunBeforeOtherGroups() throws Exception {
    Path run = dir.resolve("garbled");
    Files.createDirectories(run);
    Files.writeString(run.resolve(LossCurves.METRICS_FILE), "{\"step\":1,\"loss\":2.0}\nnot json\n");
    // the task group comes first in checks but would fail on its missing model; the log is read before it
    EvalConfig cfg = YamlBinder.bind(YamlBinder.parse("checks: [task, loss_curves]\ntask: {model: "
        + dir.resolve("none") + ", data: x}\nrun_dir: " + run + "\noutput_dir: " + dir.resolve("o"), "t"),
        EvalConfig.class, "t");
    JbertException e = assertThrows(JbertException.class,
        () -> EvalRun.run(cfg, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().startsWith(run.resolve(LossCurves.METRICS_FILE) + ":2: not valid JSON"), e.getMessage());
  }
}
