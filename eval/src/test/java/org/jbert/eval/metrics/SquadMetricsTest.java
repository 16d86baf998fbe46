package org.jbert.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.eval.metrics.SquadMetrics.Question;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expected values are worked by hand from the rules of the official SQuAD evaluate-v1.1.py / evaluate-v2.0.py
 * (normalize, token bag overlap, max over gold answers, percentages); each case shows its arithmetic.
 */
class SquadMetricsTest {
  private static final double EPS = 1e-9;

  @Test
  void normalization() {
    assertEquals("denver broncos", SquadMetrics.normalizeAnswer("the Denver Broncos"));
    // punctuation is deleted (not replaced by a space), then the article, then whitespace collapses
    assertEquals("denverbroncos", SquadMetrics.normalizeAnswer("The  Denver-Broncos!"));
    assertEquals("apple", SquadMetrics.normalizeAnswer("An apple."));
    // articles only as whole words: "theory", "anna" stay; "a" inside "éa" is not a word (é is a word character)
    assertEquals("theory of anna", SquadMetrics.normalizeAnswer("Theory of Anna"));
    assertEquals("éa café", SquadMetrics.normalizeAnswer("Éa a café"));
    // non-ASCII punctuation is not in string.punctuation and stays; NBSP and tabs split like str.split()
    assertEquals("«1 000» km", SquadMetrics.normalizeAnswer("«1\u00a0000» \t km"));
    assertEquals("", SquadMetrics.normalizeAnswer(" The, a. "));
  }

  @Test
  void exactMatchAndF1ByHand() {
    assertEquals(1.0, SquadMetrics.exactMatch("the Denver Broncos", "Denver Broncos"));
    assertEquals(0.0, SquadMetrics.exactMatch("Denver Broncos won", "Denver Broncos"));
    // pred [denver, broncos, won], gold [denver, broncos]: P = 2/3, R = 1 -> F1 = 0.8
    assertEquals(0.8, SquadMetrics.f1V1("Denver Broncos won", "the Denver Broncos"), EPS);
    // bag overlap counts multiplicity: pred [x, y, y], gold [x, y, z]: common 2, P = R = 2/3 -> F1 = 2/3
    assertEquals(2.0 / 3, SquadMetrics.f1V1("x y y", "x y z"), EPS);
    // pred [y, y], gold [y]: Counter intersection keeps one y: P = 1/2, R = 1 -> F1 = 2/3
    assertEquals(2.0 / 3, SquadMetrics.f1V1("y y", "y"), EPS);
    assertEquals(0.0, SquadMetrics.f1V1("Carolina Panthers", "Denver Broncos"));
    // empty token lists: v1.1 gives 0 (no shared token), v2.0 gives 1 when both are empty
    assertEquals(0.0, SquadMetrics.f1V1("", "the"));
    assertEquals(1.0, SquadMetrics.f1V2("", "the"));
    assertEquals(0.0, SquadMetrics.f1V2("Broncos", ""));
  }

  @Test
  void v1MaxOverGoldsAndMissingPredictions() {
    List<Question> qs = List.of(
        new Question("q1", List.of("Denver Broncos", "The Denver Broncos")),
        new Question("q2", List.of("Denver", "Denver Broncos")),
        new Question("q3", List.of("Santa Clara")));
    Map<String, String> preds = Map.of("q1", "the denver broncos.", "q2", "Broncos", "extra", "ignored");
    SquadMetrics.V1Result r = SquadMetrics.evaluateV1(qs, preds);
    // q1: EM 1, F1 1. q2: EM 0; F1 vs "Denver" 0, vs "Denver Broncos" P = 1, R = 1/2 -> 2/3. q3: missing -> 0, 0.
    assertEquals(100.0 / 3, r.exactMatch(), EPS);
    assertEquals(100.0 * (1 + 2.0 / 3) / 3, r.f1(), EPS);
    assertEquals(3, r.total());
    assertEquals(1, r.missing());
  }

  private static List<Question> v2Questions() {
    return List.of(
        new Question("q1", List.of("Denver Broncos")),
        new Question("q2", List.of("Carolina Panthers")),
        new Question("q3", List.of()),
        new Question("q4", List.of()));
  }

  private static Map<String, String> v2Predictions() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("q1", "Denver Broncos");  // EM 1, F1 1
    p.put("q2", "Panthers");        // EM 0, F1: P = 1, R = 1/2 -> 2/3
    p.put("q3", "");                // no answer, predicted none: 1, 1
    p.put("q4", "Broncos");         // no answer, predicted one: 0, 0
    return p;
  }

  @Test
  void v2HasAnsNoAnsBreakdown() {
    SquadMetrics.V2Result r = SquadMetrics.evaluateV2(v2Questions(), v2Predictions());
    assertEquals(50.0, r.exact(), EPS);                          // (1 + 0 + 1 + 0) / 4
    assertEquals(100 * (1 + 2.0 / 3 + 1 + 0) / 4, r.f1(), EPS);  // 66.666...
    assertEquals(4, r.total());
    assertEquals(50.0, r.hasAnsExact(), EPS);
    assertEquals(100 * (1 + 2.0 / 3) / 2, r.hasAnsF1(), EPS);    // 83.333...
    assertEquals(2, r.hasAnsTotal());
    assertEquals(50.0, r.noAnsExact(), EPS);
    assertEquals(50.0, r.noAnsF1(), EPS);
    assertEquals(2, r.noAnsTotal());
    assertNull(r.best());
  }

  @Test
  void v2ThresholdAndBestThresholdSearch() {
    Map<String, Double> na = Map.of("q1", 0.1, "q2", 0.6, "q3", 0.9, "q4", 0.8);
    // threshold 0.5: q2, q3, q4 count as "no answer": q2 -> 0 (it has one), q3 -> 1, q4 -> 1; q1 keeps 1
    SquadMetrics.V2Result r = SquadMetrics.evaluateV2(v2Questions(), v2Predictions(), na, 0.5);
    assertEquals(75.0, r.exact(), EPS);
    assertEquals(75.0, r.f1(), EPS);
    // find_best_thresh on raw scores, start = 2 (number of no-answer questions), by increasing na prob:
    // exact: q1 (0.1) +1 -> 3 (best, thresh 0.1); q2 (0.6) +0 -> 3; q4 (0.8) non-empty pred -1 -> 2; q3 (0.9) +0
    // f1:    q1 +1 -> 3 (0.1); q2 +2/3 -> 3.667 (best, thresh 0.6); q4 -1; q3 +0
    SquadMetrics.BestThresholds b = r.best();
    assertEquals(75.0, b.bestExact(), EPS);
    assertEquals(0.1, b.bestExactThresh(), EPS);
    assertEquals(100 * (3 + 2.0 / 3) / 4, b.bestF1(), EPS);
    assertEquals(0.6, b.bestF1Thresh(), EPS);
  }

  @Test
  void v2GoldThatNormalizesToEmptyCountsAsEmpty() {
    // the only gold "The" normalizes to "": gold becomes [""], but the question still counts as HasAns
    List<Question> qs = List.of(new Question("q", List.of("The")));
    SquadMetrics.V2Result r = SquadMetrics.evaluateV2(qs, Map.of("q", ""));
    assertEquals(100.0, r.exact(), EPS);
    assertEquals(100.0, r.f1(), EPS);
    assertEquals(1, r.hasAnsTotal());
    assertTrue(Double.isNaN(r.noAnsExact()));
  }

  @Test
  void v2MissingPredictionIsAnError() {
    JbertException e = assertThrows(JbertException.class,
        () -> SquadMetrics.evaluateV2(v2Questions(), Map.of("q1", "x")));
    assertTrue(e.getMessage().contains("q2"), e.getMessage());
  }

  @Test
  void readsDatasetPredictionsAndNaProbs(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("dev.json");
    Files.writeString(data, """
        {"version": "v2.0", "data": [{"title": "t", "paragraphs": [{"context": "c", "qas": [
          {"id": "a1", "question": "?", "answers": [{"text": "Denver Broncos", "answer_start": 0},
                                                    {"text": "Broncos", "answer_start": 7}]},
          {"id": "a2", "question": "?", "answers": [], "is_impossible": true}]}]}]}
        """, StandardCharsets.UTF_8);
    Path preds = dir.resolve("predictions.json");
    Files.writeString(preds, "{\"a1\": \"Broncos\", \"a2\": \"\"}");
    Path naFile = dir.resolve("na.json");
    Files.writeString(naFile, "{\"a1\": 0.2, \"a2\": 0.7}");
    List<Question> qs = SquadMetrics.readDataset(data);
    assertEquals(List.of(new Question("a1", List.of("Denver Broncos", "Broncos")), new Question("a2", List.of())), qs);
    SquadMetrics.V2Result r =
        SquadMetrics.evaluateV2(qs, SquadMetrics.readPredictions(preds), SquadMetrics.readNaProbs(naFile), 1.0);
    assertEquals(100.0, r.exact(), EPS);  // "Broncos" matches the second gold; "" matches the empty gold
    Files.writeString(naFile, "{\"a1\": \"high\"}");
    JbertException e = assertThrows(JbertException.class, () -> SquadMetrics.readNaProbs(naFile));
    assertTrue(e.getMessage().contains("'a1'"), e.getMessage());
  }
}
