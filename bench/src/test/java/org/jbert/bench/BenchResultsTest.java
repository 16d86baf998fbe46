package org.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The name=value printer and the JSON file. */
class BenchResultsTest {
  @TempDir Path dir;

  @Test
  void headlineNamesComeFirstInTheirOrderThenTheOthersAsAdded() {
    BenchResults r = new BenchResults().put("zeta_extra", 1.5).put("train_b32_peak_rss_gb", 5.123456)
        .put("inference_vs_tf", 0.87654321).put("alpha_extra", 2);
    assertEquals(List.of(
        "inference_vs_tf=0.8765",
        "realtext_vs_tf_fixed128=nan",
        "train_b32_seconds_per_step=nan",
        "train_b32_peak_rss_gb=5.123",
        "train_b32_fraction_of_sgemm_peak=nan",
        "zeta_extra=1.5",
        "alpha_extra=2"), r.lines());
  }

  @Test
  void valuesAreFourSignificantDigitsWithoutExponents() {
    assertEquals("nan", BenchResults.format(Double.NaN));
    assertEquals("inf", BenchResults.format(Double.POSITIVE_INFINITY));
    assertEquals("-inf", BenchResults.format(Double.NEGATIVE_INFINITY));
    assertEquals("109483778", BenchResults.format(109_483_778));
    assertEquals("0", BenchResults.format(0));
    assertEquals("12.35", BenchResults.format(12.3456));
    assertEquals("186.4", BenchResults.format(186.44));
    assertEquals("12350", BenchResults.format(12345.6));
    assertEquals("0.00001235", BenchResults.format(1.23456e-5));
    assertEquals("-0.5", BenchResults.format(-0.5));
  }

  @Test
  void aSecondPutReplacesInPlaceAndBadNamesAreRejected() {
    BenchResults r = new BenchResults().put("a_b", 1).put("c", 2).put("a_b", 3);
    assertEquals(List.of("a_b=3", "c=2"), r.lines().subList(5, 7));
    JbertException e = assertThrows(JbertException.class, () -> r.put("Bad Name", 1));
    assertTrue(e.getMessage().contains("'Bad Name'"), e.getMessage());
  }

  @Test
  void jsonHoldsTheSameFiguresNullForNanAndNoTempFileIsLeft() throws Exception {
    BenchResults r = new BenchResults().put("inference_vs_tf", 0.91234).put("sgemm_peak_gflops", 150.04)
        .note("TensorFlow was not run");
    Path out = dir.resolve("sub").resolve("bench.json");
    r.writeJson(out, Map.of("cpu_model", "Test CPU"), Map.of("batch", 32));
    JsonNode j = new ObjectMapper().readTree(out.toFile());
    assertEquals(0.9123, j.get("results").get("inference_vs_tf").asDouble(), 0.0);
    assertTrue(j.get("results").get("realtext_vs_tf_fixed128").isNull());
    assertEquals(150.0, j.get("results").get("sgemm_peak_gflops").asDouble(), 0.0);
    assertEquals("TensorFlow was not run", j.get("notes").get(0).asText());
    assertEquals("Test CPU", j.get("machine").get("cpu_model").asText());
    assertEquals(32, j.get("settings").get("batch").asInt());
    // The printed lines and the JSON agree name for name, in order.
    List<String> names = new java.util.ArrayList<>();
    j.get("results").fieldNames().forEachRemaining(names::add);
    assertEquals(r.lines().stream().map(l -> l.substring(0, l.indexOf('='))).toList(), names);
    try (var s = Files.list(out.getParent())) {
      assertEquals(List.of(out), s.toList(), "only the final file, no temp file");
    }
  }
}
