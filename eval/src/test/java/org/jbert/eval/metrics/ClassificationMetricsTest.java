package org.jbert.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;

/** Reference values are the examples in scikit-learn's API documentation (quoted per test) or worked by hand. */
class ClassificationMetricsTest {
  private static final double EPS = 1e-12;

  // sklearn.metrics.f1_score / precision_score / recall_score docs:
  // y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1]
  private static final int[] T = {0, 1, 2, 0, 1, 2};
  private static final int[] P = {0, 2, 1, 0, 0, 1};

  @Test
  void f1PrecisionRecallMatchScikitLearnDocs() {
    ClassificationMetrics m = ClassificationMetrics.of(T, P, 3);
    // f1_score: macro 0.26666666666666666, micro 0.3333333333333333, weighted 0.26666666666666666,
    // average=None [0.8, 0., 0.]
    assertEquals(0.26666666666666666, m.macro().f1(), EPS);
    assertEquals(0.3333333333333333, m.micro().f1(), EPS);
    assertEquals(0.26666666666666666, m.weighted().f1(), EPS);
    assertEquals(0.8, m.scores(0).f1(), EPS);
    assertEquals(0.0, m.scores(1).f1(), EPS);
    assertEquals(0.0, m.scores(2).f1(), EPS);
    // precision_score: macro 0.2222222222222222, micro 0.3333333333333333, None [0.66666667, 0., 0.]
    assertEquals(0.2222222222222222, m.macro().precision(), EPS);
    assertEquals(0.3333333333333333, m.micro().precision(), EPS);
    assertEquals(2.0 / 3, m.scores(0).precision(), EPS);
    // recall_score: macro 0.3333333333333333, None [1., 0., 0.]
    assertEquals(0.3333333333333333, m.macro().recall(), EPS);
    assertEquals(1.0, m.scores(0).recall(), EPS);
    // accuracy by hand: positions 0 and 3 are right, 2 of 6
    assertEquals(2.0 / 6, m.accuracy(), EPS);
    assertEquals(List.of(2L, 2L, 2L), m.perClass().stream().map(ClassificationMetrics.ClassScores::support).toList());
  }

  @Test
  void binaryMccMatchesScikitLearnDocs() {
    // matthews_corrcoef docs: y_true = [+1, +1, +1, -1], y_pred = [+1, -1, +1, +1] -> -0.33...
    // (here -1 is class 0, +1 is class 1); by hand tp=2 fn=1 fp=1 tn=0: (0*2 - 1*1)/sqrt(3*3*1*1) = -1/3
    ClassificationMetrics m = ClassificationMetrics.of(new int[] {1, 1, 1, 0}, new int[] {1, 0, 1, 1}, 2);
    assertEquals(-1.0 / 3, m.mcc(), EPS);
  }

  @Test
  void confusionMatrixMatchesScikitLearnDocsAndMulticlassMccByHand() {
    // confusion_matrix docs: y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2]
    // -> [[2, 0, 0], [0, 0, 1], [1, 0, 2]]
    ClassificationMetrics m =
        ClassificationMetrics.of(new int[] {2, 0, 2, 2, 0, 1}, new int[] {0, 0, 2, 2, 0, 2}, List.of("a", "b", "c"));
    long[][] cm = m.confusionMatrix();
    assertArrayEquals(new long[] {2, 0, 0}, cm[0]);
    assertArrayEquals(new long[] {0, 0, 1}, cm[1]);
    assertArrayEquals(new long[] {1, 0, 2}, cm[2]);
    // Gorodkin / sklearn by hand: true counts t=[2,1,3], predicted p=[3,0,3], correct c=4, s=6:
    // (4*6 - (6+0+9)) / sqrt((36 - 18) * (36 - 14)) = 9 / sqrt(396) = 0.45226701686664544
    assertEquals(9 / Math.sqrt(396), m.mcc(), EPS);
    assertEquals(0.45226701686664544, m.mcc(), 1e-12);
    // class "b" is never predicted: precision 0 (zero_division=0), recall 0, f1 0; the class stays in the macro mean
    assertEquals(0.0, m.scores(1).precision());
    assertEquals("b", m.scores(1).label());
  }

  @Test
  void classAbsentEverywhereIsListedButNotAveraged() {
    // same data as the docs example with a 4th class that never occurs: sklearn (labels=None) averages over the
    // 3 present classes, so macro F1 stays 0.2666...
    ClassificationMetrics m = ClassificationMetrics.of(T, P, 4);
    assertEquals(0.26666666666666666, m.macro().f1(), EPS);
    assertEquals(4, m.perClass().size());
    assertEquals(0, m.scores(3).support());
    assertEquals(0.0, m.scores(3).f1());
  }

  @Test
  void degenerateMccIsZero() {
    // every prediction in one class: the denominator is 0 and sklearn returns 0.0
    ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 1, 1, 0}, new int[] {1, 1, 1, 1}, 2);
    assertEquals(0.0, m.mcc());
    assertEquals(0.5, m.accuracy(), EPS);
    // perfect binary prediction gives 1
    assertEquals(1.0, ClassificationMetrics.of(new int[] {0, 1, 1}, new int[] {0, 1, 1}, 2).mcc(), EPS);
  }

  @Test
  void argmaxTakesTheFirstMaximum() {
    assertArrayEquals(new int[] {1, 0, 2}, ClassificationMetrics.argmax(new float[][] {{0, 3, 1}, {2, 2, 1}, {-5, -4, -1}}));
  }

  @Test
  void badInputNamesTheOffendingEntry() {
    JbertException e = assertThrows(JbertException.class,
        () -> ClassificationMetrics.of(new int[] {0, 3}, new int[] {0, 1}, 3));
    assertTrue(e.getMessage().contains("yTrue[1] = 3"), e.getMessage());
    e = assertThrows(JbertException.class, () -> ClassificationMetrics.of(new int[] {0, 1}, new int[] {0}, 3));
    assertTrue(e.getMessage().contains("yPred has 1"), e.getMessage());
  }
}
