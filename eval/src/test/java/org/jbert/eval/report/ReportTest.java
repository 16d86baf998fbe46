package org.jbert.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.jbert.core.JbertException;
import org.jbert.core.train.Plots;
import org.jbert.eval.metrics.ClassificationMetrics;
import org.jbert.eval.metrics.EntityMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  private static Report sample() {
    ClassificationMetrics cls =
        ClassificationMetrics.of(new int[] {2, 0, 2, 2, 0, 1}, new int[] {0, 0, 2, 2, 0, 2}, List.of("neg", "neu", "pos"));
    List<String> layers = List.of("emb", "0", "1", "2", "pooled");
    double[] maxAbs = {2e-6, 8e-6, 1.5e-5, 3e-5, 4e-6};
    double[] meanAbs = {3e-7, 1e-6, 2e-6, 4e-6, 5e-7};
    return new Report("Seed walkthrough")
        .section("Parity")
        .text("BERT-base against the TF SavedModel, batch of 2.")
        .check(Check.atMost("sequence_output max abs diff", 3e-5, 1e-4))
        .check(Check.of("shapes equal", true, "[2,128,768]"))
        .layerDiffs("layers.png", "Per-layer difference", layers, maxAbs, meanAbs, 1e-4)
        .section("Classification")
        .classification(cls, "confusion.png")
        .check(Check.atLeast("accuracy", cls.accuracy(), 0.5));
  }

  @Test
  void writesMarkdownJsonAndValidPngs(@TempDir Path dir) throws Exception {
    Report r = sample();
    assertTrue(r.allPassed());
    Path md = r.write(dir);
    assertEquals(dir.resolve("report.md"), md);

    JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertEquals("Seed walkthrough", json.get("title").asText());
    assertTrue(json.get("all_passed").asBoolean());
    assertEquals(3, json.get("checks_total").asInt());
    assertEquals(3, json.get("checks_passed").asInt());
    JsonNode parity = json.get("sections").get(0);
    assertEquals("Parity", parity.get("title").asText());
    JsonNode c0 = parity.get("checks").get(0);
    assertEquals("sequence_output max abs diff", c0.get("name").asText());
    assertTrue(c0.get("passed").asBoolean());
    assertEquals(3e-5, c0.get("measured").asDouble(), 0);
    assertEquals(1e-4, c0.get("tolerance").asDouble(), 0);
    assertEquals("<=", c0.get("comparison").asText());
    // a check without a measurement writes null, not NaN (which is not JSON)
    assertTrue(parity.get("checks").get(1).get("measured").isNull());
    assertEquals("layers.png", parity.get("images").get(0).get("file").asText());
    JsonNode cls = json.get("sections").get(1);
    // confusion_matrix docs example: accuracy 4/6; MCC 9/sqrt(396) (see ClassificationMetricsTest)
    assertEquals(4.0 / 6, cls.get("metrics").get("accuracy").asDouble(), 1e-12);
    assertEquals(9 / Math.sqrt(396), cls.get("metrics").get("mcc").asDouble(), 1e-12);
    JsonNode table = cls.get("tables").get(0);
    assertEquals(List.of("class", "precision", "recall", "f1", "support"),
        new ObjectMapper().convertValue(table.get("header"), List.class));
    assertEquals("neg", table.get("rows").get(0).get(0).asText());
    assertEquals("0.8000", table.get("rows").get(0).get(3).asText());  // neg: P 2/3, R 1 -> F1 0.8
    // the confusion matrix as numbers: scikit-learn's confusion_matrix docs give [[2,0,0],[0,0,1],[1,0,2]]
    JsonNode matrix = cls.get("matrices").get(0);
    assertEquals("[[2,0,0],[0,0,1],[1,0,2]]", matrix.get("counts").toString());
    assertEquals("[\"neg\",\"neu\",\"pos\"]", matrix.get("labels").toString());
    assertEquals("true", matrix.get("rows").asText());
    assertEquals("predicted", matrix.get("columns").asText());
    assertEquals(0, parity.get("matrices").size());

    String text = Files.readString(md);
    assertTrue(text.startsWith("# Seed walkthrough\n\n**PASS**: 3 of 3 checks passed."), text);
    assertTrue(text.contains("| sequence_output max abs diff | PASS | 3.000e-05 | <= 1.000e-04 |  |"), text);
    assertTrue(text.contains("![Per-layer difference](layers.png)"), text);
    assertTrue(text.contains("![Confusion matrix](confusion.png)"), text);
    assertTrue(text.contains("| accuracy | 0.6667 |"), text);
    assertTrue(text.contains("| true / predicted | neg | neu | pos |\n|---|---|---|---|\n| neg | 2 | 0 | 0 |\n"
        + "| neu | 0 | 0 | 1 |\n| pos | 1 | 0 | 2 |\n"), text);
    assertTrue(text.contains("| macro_precision | "), text);

    BufferedImage cm = ImageIO.read(dir.resolve("confusion.png").toFile());
    assertNotNull(cm, "confusion.png is not a readable image");
    assertEquals(Plots.HEATMAP_W, cm.getWidth());
    assertEquals(Plots.HEATMAP_H, cm.getHeight());
    BufferedImage layers = ImageIO.read(dir.resolve("layers.png").toFile());
    assertNotNull(layers, "layers.png is not a readable image");
    assertEquals(800, layers.getWidth());
    assertEquals(420, layers.getHeight());
    // the heatmap's largest cell (true neg / pred neg = 2, top left) is dark blue, an empty cell (top middle) white-ish
    int dark = cm.getRGB(135, 65), light = cm.getRGB(135 + (640 - 150) / 3, 65);
    assertTrue(((dark >> 16) & 0xff) < 60, "max cell should be dark: " + Integer.toHexString(dark));
    assertTrue(((light >> 16) & 0xff) > 230, "zero cell should be light: " + Integer.toHexString(light));
    // nothing but the five files (no temp files left behind)
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("confusion.png", "layers.png", "report.json", "report.md"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void aFailingCheckFailsTheReport(@TempDir Path dir) throws Exception {
    Report r = sample().section("Tolerance").check(Check.atMost("pooled_output max abs diff", 2.5e-4, 1e-4));
    assertFalse(r.allPassed());
    assertEquals(List.of("pooled_output max abs diff"), r.failures().stream().map(Check::name).toList());
    r.write(dir);
    JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertFalse(json.get("all_passed").asBoolean());
    assertEquals(3, json.get("checks_passed").asInt());
    assertEquals(4, json.get("checks_total").asInt());
    assertTrue(json.get("sections").get(0).get("all_passed").asBoolean());
    assertFalse(json.get("sections").get(2).get("all_passed").asBoolean());
    assertTrue(Files.readString(dir.resolve("report.md")).startsWith("# Seed walkthrough\n\n**FAIL**: 3 of 4"));
  }

  @Test
  void checkRules() {
    assertTrue(Check.atMost("d", 1e-4, 1e-4).passed());
    assertFalse(Check.atMost("d", Double.NaN, 1e-4).passed());  // NaN never passes
    assertFalse(Check.atLeast("acc", 0.79, 0.8).passed());
    assertTrue(Check.near("x", 1.00005, 1.0, 1e-4).passed());
    assertFalse(Check.near("x", 1.0002, 1.0, 1e-4).passed());
  }

  @Test
  void entityTableAndBadInput(@TempDir Path dir) throws Exception {
    EntityMetrics em = EntityMetrics.of(List.of(List.of("B-PER", "I-PER", "O")), List.of(List.of("B-PER", "O", "O")));
    Report r = new Report("NER").section("dev").entities(em);
    r.write(dir);
    JsonNode s = new ObjectMapper().readTree(dir.resolve("report.json").toFile()).get("sections").get(0);
    // PER(0,1) vs PER(0,0): no entity is right
    assertEquals(0.0, s.get("metrics").get("f1").asDouble(), 0);
    assertEquals(2.0 / 3, s.get("metrics").get("token_accuracy").asDouble(), 1e-12);
    assertEquals("PER", s.get("tables").get(0).get("rows").get(0).get(0).asText());
    assertThrows(JbertException.class, () -> new Report("x").image("../up.png", "no"));
    JbertException e = assertThrows(JbertException.class,
        () -> new Report("x").table("t", List.of("a", "b"), List.of(List.of("1"))));
    assertTrue(e.getMessage().contains("table 't'"), e.getMessage());
  }
}
