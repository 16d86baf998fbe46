package org.jbert.eval.metrics;

import java.util.Arrays;
import org.jbert.core.JbertException;

/**
 * Correlations for regression tasks (e.g. STS-B), with scipy.stats semantics: {@link #pearson} as {@code pearsonr},
 * {@link #spearman} as {@code spearmanr} (Pearson of the ranks, ties get their average rank as {@code
 * rankdata(method='average')}). A constant input has no defined correlation: the result is NaN, as scipy's.
 */
public final class RegressionMetrics {
  private RegressionMetrics() {}

  /** Pearson's r of {@code x} and {@code y} (same length, at least 2). */
  public static double pearson(double[] x, double[] y) {
    check(x, y);
    double mx = 0, my = 0;
    for (int i = 0; i < x.length; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= x.length;
    my /= y.length;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < x.length; i++) {
      double dx = x[i] - mx, dy = y[i] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    if (sxx == 0 || syy == 0) return Double.NaN;
    double r = sxy / Math.sqrt(sxx * syy);
    return Math.max(-1.0, Math.min(1.0, r));
  }

  /** Spearman's rho: Pearson's r of the average ranks of {@code x} and {@code y}. */
  public static double spearman(double[] x, double[] y) {
    check(x, y);
    return pearson(ranks(x), ranks(y));
  }

  /**
   * Ranks 1..n of {@code v}; tied values all get the mean of the ranks they span (scipy's {@code
   * rankdata(method='average')}), e.g. [10, 20, 20, 30] gives [1, 2.5, 2.5, 4].
   */
  public static double[] ranks(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      if (Double.isNaN(v[i])) throw new JbertException("value[" + i + "] is NaN: expected a number to rank");
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
    double[] r = new double[v.length];
    int i = 0;
    while (i < v.length) {
      int j = i;
      while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) j++;
      double avg = (i + j) / 2.0 + 1.0;  // ranks i+1 .. j+1
      for (int k = i; k <= j; k++) r[order[k]] = avg;
      i = j + 1;
    }
    return r;
  }

  /** Mean squared error. */
  public static double mse(double[] yTrue, double[] yPred) {
    check(yTrue, yPred);
    double s = 0;
    for (int i = 0; i < yTrue.length; i++) s += (yTrue[i] - yPred[i]) * (yTrue[i] - yPred[i]);
    return s / yTrue.length;
  }

  private static void check(double[] x, double[] y) {
    if (x.length != y.length) {
      throw new JbertException("y has " + y.length + " values: expected " + x.length + " as x");
    }
    if (x.length < 2) throw new JbertException("x has " + x.length + " values: expected at least 2");
  }
}
