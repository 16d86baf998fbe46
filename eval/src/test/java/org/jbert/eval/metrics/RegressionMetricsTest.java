package org.jbert.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** References: the examples in scipy.stats.pearsonr / spearmanr docs, and hand computations (shown). */
class RegressionMetricsTest {
  @Test
  void pearsonMatchesScipyDocs() {
    // scipy.stats.pearsonr([1, 2, 3, 4, 5], [10, 9, 2.5, 6, 4]) -> statistic=-0.7426106572325056
    // by hand: sum dx*dy = -15, sum dx^2 = 10, sum dy^2 = 40.8 -> -15 / sqrt(408)
    double r = RegressionMetrics.pearson(new double[] {1, 2, 3, 4, 5}, new double[] {10, 9, 2.5, 6, 4});
    assertEquals(-0.7426106572325056, r, 1e-12);
  }

  @Test
  void spearmanWithTiesMatchesScipyDocs() {
    // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) -> statistic=0.8207826816681233
    // by hand: ranks of y = [1, 2, 3.5, 5, 3.5] (7 is tied), Pearson of ranks = 8 / sqrt(10 * 9.5)
    double rho = RegressionMetrics.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {5, 6, 7, 8, 7});
    assertEquals(0.8207826816681233, rho, 1e-12);
    assertEquals(8 / Math.sqrt(95), rho, 1e-12);
  }

  @Test
  void tiesOnBothSidesByHand() {
    // x = [1, 2, 3, 4, 5], y = [2, 4, 5, 4, 5]
    // Pearson: dx = [-2,-1,0,1,2], dy = [-2,0,1,0,1]: 6 / sqrt(10 * 6) = 0.7745966692414834
    double[] x = {1, 2, 3, 4, 5}, y = {2, 4, 5, 4, 5};
    assertEquals(6 / Math.sqrt(60), RegressionMetrics.pearson(x, y), 1e-12);
    // Spearman: ranks y = [1, 2.5, 4.5, 2.5, 4.5], centered [-2,-0.5,1.5,-0.5,1.5]: 7 / sqrt(10 * 9) = 0.7378647873726218
    assertArrayEquals(new double[] {1, 2.5, 4.5, 2.5, 4.5}, RegressionMetrics.ranks(y), 0);
    assertEquals(7 / Math.sqrt(90), RegressionMetrics.spearman(x, y), 1e-12);
    // a monotone but non-linear relation has Spearman 1 and Pearson < 1
    double[] cube = {1, 8, 27, 64, 125};
    assertEquals(1.0, RegressionMetrics.spearman(x, cube), 1e-15);
    assertTrue(RegressionMetrics.pearson(x, cube) < 0.99);
  }

  @Test
  void ranksAverageTies() {
    // scipy.stats.rankdata([10, 20, 20, 30]) -> [1., 2.5, 2.5, 4.]; rankdata([0, 2, 3, 2]) -> [1., 2.5, 4., 2.5]
    assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, RegressionMetrics.ranks(new double[] {10, 20, 20, 30}), 0);
    assertArrayEquals(new double[] {1, 2.5, 4, 2.5}, RegressionMetrics.ranks(new double[] {0, 2, 3, 2}), 0);
  }

  @Test
  void constantInputIsNaNAndMseByHand() {
    assertTrue(Double.isNaN(RegressionMetrics.pearson(new double[] {1, 1, 1}, new double[] {1, 2, 3})));
    assertTrue(Double.isNaN(RegressionMetrics.spearman(new double[] {1, 2, 3}, new double[] {4, 4, 4})));
    // (0^2 + 1^2 + 2^2) / 3
    assertEquals(5.0 / 3, RegressionMetrics.mse(new double[] {1, 2, 3}, new double[] {1, 3, 5}), 1e-15);
  }
}
