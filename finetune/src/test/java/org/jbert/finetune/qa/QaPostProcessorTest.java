package org.jbert.finetune.qa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Post-processing on hand-crafted logits over features built with the bundled bert-base-uncased vocabulary. Expected
 * answers, scores and null odds are worked by hand from run_squad.py's {@code write_predictions} rules.
 */
class QaPostProcessorTest {
  static final String FOX = QaFeatureBuilderTest.FOX;
  /** One window for FOX: [CLS] who ran ? [SEP] (contextOffset 5) + 12 pieces at 5..16, [SEP] at 17, pad to 32. */
  static final QaFeatureConfig ONE_WINDOW = new QaFeatureConfig(32, 8, 8);

  static float[][] filled(int rows, int t, float value) {
    float[][] out = new float[rows][t];
    for (float[] row : out) Arrays.fill(row, value);
    return out;
  }

  static List<QaFeature> features(QaExample ex, QaFeatureConfig config) {
    return new QaFeatureBuilder(QaFeatureBuilderTest.TOK, config).build(List.of(ex), false);
  }

  static QaPredictions run(QaPostConfig config, QaExample ex, List<QaFeature> f, float[][] start, float[][] end) {
    return new QaPostProcessor(config).process(List.of(ex), f, start, end);
  }

  @Test
  void answerAcrossWindowBoundaryIsTakenFromTheWindowHoldingItWithMaxContext() {
    // SMALL: windows [0,6) [3,9) [6,12) at positions 4..9. "over the" = pieces 5..6.
    QaExample ex = QaExample.unlabelled("fox", "who ran?", FOX);
    List<QaFeature> f = features(ex, QaFeatureBuilderTest.SMALL);
    assertEquals(3, f.size());
    float[][] start = filled(3, 11, 0f);
    float[][] end = filled(3, 11, 0f);
    // window 0: "over" (piece 5, position 9) scores 18 but piece 5 is max context in window 1, not here
    start[0][9] = 9f;
    end[0][9] = 9f;
    // window 2: "the" (piece 6, position 4) scores 18 but piece 6 is max context in window 1
    start[2][4] = 9f;
    end[2][4] = 9f;
    // window 1: "over the" at positions 6..7 scores 16
    start[1][6] = 8f;
    end[1][7] = 8f;
    QaPredictions p = run(QaPostConfig.V1, ex, f, start, end);
    assertEquals("over the", p.answers().get("fox"));
    NBestEntry best = p.nBest().get("fox").get(0);
    assertEquals(1, best.featureIndex());
    assertEquals(6, best.startPosition());
    assertEquals(7, best.endPosition());
    assertEquals(26, best.start());
    assertEquals(34, best.end());
    assertEquals(16.0, best.score());
    // then the score-9 spans of window 0 (starts 0..4 with logit 0, end "over" with 9), in position order
    assertEquals("the quick brown fox jumps over", p.nBest().get("fox").get(1).text());
    assertEquals("quick brown fox jumps over", p.nBest().get("fox").get(2).text());
    assertEquals(9.0, p.nBest().get("fox").get(2).score());
    assertTrue(p.nullOdds().isEmpty());
  }

  /** The answer for a span from context piece {@code first} to {@code last}, question "what opened?" (3 pieces). */
  static NBestEntry span(String context, int first, int last) {
    QaExample ex = QaExample.unlabelled("s", "what opened?", context);
    List<QaFeature> f = features(ex, new QaFeatureConfig(64, 16, 32));
    assertEquals(1, f.size());
    float[][] start = filled(1, 64, 0f);
    float[][] end = filled(1, 64, 0f);
    start[0][5 + first] = 5f;
    end[0][5 + last] = 5f;
    QaPredictions p = run(QaPostConfig.V1, ex, f, start, end);
    NBestEntry best = p.nBest().get("s").get(0);
    assertEquals(best.text(), p.answers().get("s"));
    return best;
  }

  @Test
  void answersAreExactOriginalSubstringsWithAccentsSpacesAndNonBmpCharacters() {
    // pieces: [UNK] the cafe muller opened in 1921 in berlin , near the naive resume shop .
    //         0     1   2    3      4      5  6    7  8      9 10   11  12    13     14   15
    String context = "\uD83D\uDE00 The  Café   Müller\nopened in 1921 in Berlin, near the naïve résumé shop.";
    NBestEntry cafe = span(context, 2, 3);
    assertEquals("Café   Müller", cafe.text());
    // code points, not UTF-16 chars: the emoji is one code point (two chars)
    assertEquals(7, cafe.start());
    assertEquals(20, cafe.end());
    assertEquals("Café   Müller\nopened", span(context, 2, 4).text());
    assertEquals("naïve résumé", span(context, 12, 13).text());
    assertEquals("Berlin,", span(context, 8, 9).text());
    assertEquals("\uD83D\uDE00 The", span(context, 0, 1).text());
    // a span ending on the first piece of a word gives that part of the word: nur ##burg ##ring
    assertEquals("Nür", span("Nürburgring", 0, 0).text());
    assertEquals("Nürburg", span("Nürburgring", 0, 1).text());
  }

  @Test
  void decomposedAccentsStayWithTheirLetter() {
    // "Cafe\u0301 Mu\u0308ller": uncased tokenization drops the combining acute after "Cafe" from the word piece
    // (cafe covers [0,4)), the answer text still ends with it
    String context = "Cafe\u0301 Mu\u0308ller";
    assertEquals("Cafe\u0301", span(context, 0, 0).text());
    assertEquals(5, span(context, 0, 0).end());
    assertEquals(context, span(context, 0, 1).text());
  }

  /** FOX in one window with null logits start[0], end[0] and "lazy dog" (positions 12..13) at 2.5 + 2.5 = 5. */
  static QaPredictions nullCase(QaPostConfig config, float null0) {
    QaExample ex = QaExample.unlabelled("v2", "who ran?", FOX);
    List<QaFeature> f = features(ex, ONE_WINDOW);
    float[][] start = filled(1, 32, -10f);
    float[][] end = filled(1, 32, -10f);
    start[0][0] = null0;
    end[0][0] = null0;
    start[0][12] = 2.5f;
    end[0][13] = 2.5f;
    return run(config, ex, f, start, end);
  }

  @Test
  void v2NullAnswerUnderAndOverThreshold() {
    // null score 3 + 3 = 6, best non-null 5: null odds 1.0
    QaPredictions p = nullCase(QaPostConfig.V2, 3f);
    assertEquals(1.0, p.nullOdds().get("v2"));
    assertEquals("", p.answers().get("v2"));
    assertEquals("", p.nBest().get("v2").get(0).text());
    assertEquals(6.0, p.nBest().get("v2").get(0).score());
    assertEquals("lazy dog", p.nBest().get("v2").get(1).text());
    assertEquals("", nullCase(QaPostConfig.V2.withNullScoreDiffThreshold(0.99), 3f).answers().get("v2"));
    // "" only when the difference EXCEEDS the threshold
    assertEquals("lazy dog", nullCase(QaPostConfig.V2.withNullScoreDiffThreshold(1.0), 3f).answers().get("v2"));
    assertEquals("lazy dog", nullCase(QaPostConfig.V2.withNullScoreDiffThreshold(1.5), 3f).answers().get("v2"));
    // null score 2 + 2 = 4 < 5: odds -1, the span wins at threshold 0
    p = nullCase(QaPostConfig.V2, 2f);
    assertEquals(-1.0, p.nullOdds().get("v2"));
    assertEquals("lazy dog", p.answers().get("v2"));
    // the same logits under v1.1: [CLS] is never an answer, no null odds
    p = nullCase(QaPostConfig.V1, 3f);
    assertEquals("lazy dog", p.answers().get("v2"));
    assertTrue(p.nBest().get("v2").stream().noneMatch(NBestEntry::isNull));
    assertTrue(p.nullOdds().isEmpty());
    // probabilities are a softmax over the n-best list
    double sum = nullCase(QaPostConfig.V2, 3f).nBest().get("v2").stream().mapToDouble(NBestEntry::probability).sum();
    assertEquals(1.0, sum, 1e-12);
  }

  @Test
  void v2NullScoreIsTheMinimumOverFeaturesAndIsAppendedWhenOutsideTheNBest() {
    QaExample ex = QaExample.unlabelled("fox", "who ran?", FOX);
    List<QaFeature> f = features(ex, QaFeatureBuilderTest.SMALL);
    float[][] start = filled(3, 11, -10f);
    float[][] end = filled(3, 11, -10f);
    // null scores per window: 6, 2, 8 -> 2 from window 1
    float[] nulls = {3f, 1f, 4f};
    for (int w = 0; w < 3; w++) {
      start[w][0] = nulls[w];
      end[w][0] = nulls[w];
    }
    // "lazy dog" in window 1 at positions 8..9: 5
    start[1][8] = 2.5f;
    end[1][9] = 2.5f;
    QaPredictions p = run(QaPostConfig.V2, ex, f, start, end);
    assertEquals(-3.0, p.nullOdds().get("fox"));
    assertEquals("lazy dog", p.answers().get("fox"));
    NBestEntry nullEntry = p.nBest().get("fox").get(1);
    assertTrue(nullEntry.isNull());
    assertEquals(1, nullEntry.featureIndex());
    assertEquals(2.0, nullEntry.score());
    // with n_best_size 1 the null answer does not make the list and is appended after it
    p = run(new QaPostConfig(1, 30, true, 0.0), ex, f, start, end);
    assertEquals(2, p.nBest().get("fox").size());
    assertEquals("lazy dog", p.nBest().get("fox").get(0).text());
    assertEquals("", p.nBest().get("fox").get(1).text());
    // softmax of scores 5 and 2: 1 / (1 + e^-3)
    assertEquals(1.0 / (1.0 + Math.exp(-3.0)), p.nBest().get("fox").get(0).probability(), 1e-15);
  }

  /**
   * FOX in one window: "the" (position 5) start 5, "river" (position 16) end 5, "lazy" (12) start 3, "dog" (13)
   * end 3, everything else 0.
   */
  static QaPredictions lengths(QaPostConfig config) {
    QaExample ex = QaExample.unlabelled("len", "who ran?", FOX);
    List<QaFeature> f = features(ex, ONE_WINDOW);
    float[][] start = filled(1, 32, 0f);
    float[][] end = filled(1, 32, 0f);
    start[0][5] = 5f;
    end[0][16] = 5f;
    start[0][12] = 3f;
    end[0][13] = 3f;
    return run(config, ex, f, start, end);
  }

  @Test
  void maxAnswerLengthAndNBestLimits() {
    // 12 pieces, score 10: allowed by max_answer_length 30
    assertEquals(FOX, lengths(QaPostConfig.V1).answers().get("len"));
    // max 5: the..river (12) and the..dog (9) are too long; lazy..river (5 pieces, 3 + 5) wins
    assertEquals("lazy dog near the river", lengths(new QaPostConfig(20, 5, false, 0)).answers().get("len"));
    // max 4: lazy..river too; lazy dog (3 + 3) beats dog..river (0 + 5)
    assertEquals("lazy dog", lengths(new QaPostConfig(20, 4, false, 0)).answers().get("len"));
    // n-best list is cut to n_best_size
    assertEquals(3, lengths(new QaPostConfig(3, 30, false, 0)).nBest().get("len").size());
    assertEquals(20, lengths(QaPostConfig.V1).nBest().get("len").size());
    // n_best_size 1 pairs only the top start (the) with the top end (river)
    List<NBestEntry> one = lengths(new QaPostConfig(1, 30, false, 0)).nBest().get("len");
    assertEquals(1, one.size());
    assertEquals(FOX, one.get(0).text());
    assertEquals(1.0, one.get(0).probability());
    // ... and when that pair is too long there is no valid span: the placeholder "" with zero logits
    QaPredictions none = lengths(new QaPostConfig(1, 5, false, 0));
    assertEquals("", none.answers().get("len"));
    assertEquals(0.0, none.nBest().get("len").get(0).score());
    assertEquals(-1, none.nBest().get("len").get(0).featureIndex());
  }

  @Test
  void questionSpecialAndPaddingPositionsAreNeverChosen() {
    QaExample ex = QaExample.unlabelled("q", "who ran?", FOX);
    List<QaFeature> f = features(ex, ONE_WINDOW);
    float[][] start = filled(1, 32, -10f);
    float[][] end = filled(1, 32, -10f);
    // [CLS] 0, question 1..3, [SEP] 4, final [SEP] 17, padding 18..30 all at 20 (19 positions)
    for (int p : new int[] {0, 1, 2, 3, 4, 17}) {
      start[0][p] = 20f;
      end[0][p] = 20f;
    }
    for (int p = 18; p < 31; p++) {
      start[0][p] = 20f;
      end[0][p] = 20f;
    }
    // "fox jumps" at 8..9 with logit 1: the 20th best start and end (19 positions score 20)
    start[0][8] = 1f;
    end[0][9] = 1f;
    QaPredictions p = run(QaPostConfig.V1, ex, f, start, end);
    assertEquals("fox jumps", p.answers().get("q"));
    assertEquals(1, p.nBest().get("q").size());
    assertEquals(1.0, p.nBest().get("q").get(0).probability());
    assertEquals(2.0, p.nBest().get("q").get(0).score());
  }

  @Test
  void probabilitiesAreSoftmaxOfScores() {
    QaExample ex = QaExample.unlabelled("sm", "who ran?", FOX);
    List<QaFeature> f = features(ex, ONE_WINDOW);
    float[][] start = filled(1, 32, -100f);
    float[][] end = filled(1, 32, -100f);
    start[0][8] = 2f; // fox
    end[0][9] = 1f; // jumps
    end[0][10] = 0f; // over
    List<NBestEntry> n = run(new QaPostConfig(2, 30, false, 0), ex, f, start, end).nBest().get("sm");
    assertEquals(2, n.size());
    assertEquals("fox jumps", n.get(0).text());
    assertEquals("fox jumps over", n.get(1).text());
    // scores 3 and 2: 1 / (1 + e^-1) = 0.7310585786300049 (Python: 1 / (1 + math.exp(-1)))
    assertEquals(0.7310585786300049, n.get(0).probability(), 1e-15);
    assertEquals(0.2689414213699951, n.get(1).probability(), 1e-15);
  }

  @Test
  void writesRunSquadPredictionFiles(@TempDir Path dir) throws Exception {
    nullCase(QaPostConfig.V2, 3f).write(dir);
    ObjectMapper json = new ObjectMapper();
    assertEquals("", json.readTree(dir.resolve("predictions.json").toFile()).get("v2").asText());
    assertEquals(1.0, json.readTree(dir.resolve("null_odds.json").toFile()).get("v2").asDouble());
    JsonNode nbest = json.readTree(dir.resolve("nbest_predictions.json").toFile()).get("v2");
    assertEquals(20, nbest.size());
    assertEquals("", nbest.get(0).get("text").asText());
    assertEquals(3.0, nbest.get(0).get("start_logit").asDouble());
    assertEquals("lazy dog", nbest.get(1).get("text").asText());
    assertEquals(2.5, nbest.get(1).get("end_logit").asDouble());
    // v1.1 writes no null odds
    Path v1 = dir.resolve("v1");
    nullCase(QaPostConfig.V1, 3f).write(v1);
    assertEquals("lazy dog", json.readTree(v1.resolve("predictions.json").toFile()).get("v2").asText());
    assertFalse(Files.exists(v1.resolve("null_odds.json")));
  }

  @Test
  void bestIndexesKeepLowerPositionOnTies() {
    assertArrayEquals(new int[] {1, 2}, QaPostProcessor.bestIndexes(new float[] {1f, 3f, 3f, 0f, 3f}, 2));
    assertArrayEquals(new int[] {1, 2, 4, 0, 3}, QaPostProcessor.bestIndexes(new float[] {1f, 3f, 3f, 0f, 3f}, 9));
  }

  @Test
  void predictionsAreKeyedByIdInExampleOrder() {
    QaExample a = QaExample.unlabelled("b-first", "who ran?", "the fox");
    QaExample b = QaExample.unlabelled("a-second", "who ran?", "the dog");
    List<QaFeature> f = new QaFeatureBuilder(QaFeatureBuilderTest.TOK, ONE_WINDOW).build(List.of(a, b), false);
    float[][] start = filled(2, 32, 0f);
    float[][] end = filled(2, 32, 0f);
    start[0][6] = 1f; // fox
    end[0][6] = 1f;
    start[1][5] = 1f; // the
    end[1][6] = 1f; // dog
    QaPredictions p = new QaPostProcessor(QaPostConfig.V1).process(List.of(a, b), f, start, end);
    assertEquals(List.of("b-first", "a-second"), List.copyOf(p.answers().keySet()));
    assertEquals("fox", p.answers().get("b-first"));
    assertEquals("the dog", p.answers().get("a-second"));
  }

  @Test
  void mismatchedInputsAreRejectedWithOneLineMessages() {
    QaExample ex = QaExample.unlabelled("m", "who ran?", FOX);
    List<QaFeature> f = features(ex, ONE_WINDOW);
    QaPostProcessor pp = new QaPostProcessor(QaPostConfig.V1);
    JbertException e = assertThrows(JbertException.class,
        () -> pp.process(List.of(ex), f, filled(2, 32, 0f), filled(1, 32, 0f)));
    assertEquals("start_logits has 2 rows; expected one per feature, 1", e.getMessage());
    e = assertThrows(JbertException.class, () -> pp.process(List.of(ex), f, filled(1, 32, 0f), filled(1, 30, 0f)));
    assertEquals("end_logits row 0 has length 30; expected the feature's sequence length 32", e.getMessage());
    QaExample other = QaExample.unlabelled("other", "q", "x");
    e = assertThrows(JbertException.class, () -> pp.process(List.of(other), f, filled(1, 32, 0f), filled(1, 32, 0f)));
    assertEquals("QA feature 0 belongs to example 0 ('m'), which is not at that index of the 1 examples given; expected"
        + " the examples the features were built from", e.getMessage());
    e = assertThrows(JbertException.class,
        () -> pp.process(List.of(ex, other), f, filled(1, 32, 0f), filled(1, 32, 0f)));
    assertEquals("QA example 'other' has no feature; expected the features built from the examples given",
        e.getMessage());
    e = assertThrows(JbertException.class,
        () -> pp.process(List.of(ex, ex), f, filled(1, 32, 0f), filled(1, 32, 0f)));
    assertEquals("QA example id 'm' occurs twice (index 1); expected unique question ids", e.getMessage());
    assertThrows(JbertException.class, () -> new QaPostConfig(0, 30, false, 0));
    assertThrows(JbertException.class, () -> new QaPostConfig(20, 30, true, Double.NaN));
  }
}
