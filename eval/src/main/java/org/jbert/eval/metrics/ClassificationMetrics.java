package org.jbert.eval.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jbert.core.JbertException;

/**
 * Single-label classification metrics from integer labels in {@code [0, K)}, with scikit-learn's semantics:
 * {@code accuracy_score}, {@code precision_recall_fscore_support}, {@code f1_score(average=...)}, {@code
 * matthews_corrcoef} and {@code confusion_matrix}.
 *
 * <p>Zero division: as scikit-learn with {@code zero_division=0}. A class never predicted has precision 0, a class
 * with no true example has recall 0, and F1 = 2tp / (2tp + fp + fn) is 0 when that denominator is 0.
 *
 * <p>Which classes the averages run over: as scikit-learn with {@code labels=None}, i.e. the classes that occur in
 * {@code yTrue} or {@code yPred}. A class of the label list that occurs in neither still has a row in {@link
 * #perClass()} (all zeros, support 0) but does not pull the macro average down. Micro precision = micro recall =
 * micro F1 = accuracy for single-label data. MCC is scikit-learn's multiclass formula (Gorodkin 2004's R_K), which
 * equals the binary phi coefficient for K = 2, and is 0 when its denominator is 0 (all predictions or all labels in
 * one class).
 */
public final class ClassificationMetrics {
  /** Precision, recall, F1 and support (number of true examples) of one class. */
  public record ClassScores(String label, double precision, double recall, double f1, long support) {}

  /** An average of precision, recall and F1 over classes. */
  public record Average(double precision, double recall, double f1) {}

  private final List<String> labels;
  private final long[][] confusion;
  private final long n;

  private ClassificationMetrics(List<String> labels, long[][] confusion, long n) {
    this.labels = labels;
    this.confusion = confusion;
    this.n = n;
  }

  /** Metrics for classes named {@code 0 .. numClasses-1}. */
  public static ClassificationMetrics of(int[] yTrue, int[] yPred, int numClasses) {
    if (numClasses < 1) throw new JbertException("numClasses = " + numClasses + ": expected >= 1");
    List<String> names = new ArrayList<>(numClasses);
    for (int k = 0; k < numClasses; k++) names.add(Integer.toString(k));
    return of(yTrue, yPred, names);
  }

  /**
   * Metrics for the classes in {@code labelNames}; label {@code k} in {@code yTrue} and {@code yPred} is {@code
   * labelNames.get(k)}.
   */
  public static ClassificationMetrics of(int[] yTrue, int[] yPred, List<String> labelNames) {
    if (yTrue.length != yPred.length) {
      throw new JbertException("yPred has " + yPred.length + " entries: expected " + yTrue.length + " as yTrue");
    }
    if (yTrue.length == 0) throw new JbertException("yTrue is empty: expected at least one example");
    if (labelNames.isEmpty()) throw new JbertException("labelNames is empty: expected at least one class");
    int k = labelNames.size();
    long[][] cm = new long[k][k];
    for (int i = 0; i < yTrue.length; i++) {
      check("yTrue", i, yTrue[i], k);
      check("yPred", i, yPred[i], k);
      cm[yTrue[i]][yPred[i]]++;
    }
    return new ClassificationMetrics(List.copyOf(labelNames), cm, yTrue.length);
  }

  /** Index of the largest score in each row of {@code logits} [B,K] (the first on ties, as numpy's argmax). */
  public static int[] argmax(float[][] logits) {
    int[] out = new int[logits.length];
    for (int b = 0; b < logits.length; b++) {
      if (logits[b].length == 0) throw new JbertException("logits row " + b + " is empty: expected K > 0 scores");
      int best = 0;
      for (int k = 1; k < logits[b].length; k++) if (logits[b][k] > logits[b][best]) best = k;
      out[b] = best;
    }
    return out;
  }

  private static void check(String what, int i, int label, int k) {
    if (label < 0 || label >= k) {
      throw new JbertException(what + "[" + i + "] = " + label + ": expected a class index in [0, " + k + ")");
    }
  }

  /** The class names, index = class id. */
  public List<String> labels() {
    return labels;
  }

  /** Number of examples. */
  public long count() {
    return n;
  }

  /** Confusion matrix [K,K] (a copy): rows are true classes, columns predicted classes, as scikit-learn. */
  public long[][] confusionMatrix() {
    long[][] c = new long[confusion.length][];
    for (int i = 0; i < c.length; i++) c[i] = confusion[i].clone();
    return c;
  }

  /** Fraction of examples whose prediction equals the label. */
  public double accuracy() {
    long correct = 0;
    for (int k = 0; k < confusion.length; k++) correct += confusion[k][k];
    return (double) correct / n;
  }

  private long tp(int k) {
    return confusion[k][k];
  }

  private long trueCount(int k) {
    long s = 0;
    for (long v : confusion[k]) s += v;
    return s;
  }

  private long predCount(int k) {
    long s = 0;
    for (long[] row : confusion) s += row[k];
    return s;
  }

  private static double div(double num, double den) {
    return den == 0 ? 0.0 : num / den;
  }

  /** Scores of class {@code k}. */
  public ClassScores scores(int k) {
    long tp = tp(k), t = trueCount(k), p = predCount(k);
    long fp = p - tp, fn = t - tp;
    return new ClassScores(labels.get(k), div(tp, p), div(tp, t), div(2.0 * tp, 2.0 * tp + fp + fn), t);
  }

  /** Scores of every class of the label list, in label order (a class absent everywhere gets zeros). */
  public List<ClassScores> perClass() {
    List<ClassScores> out = new ArrayList<>();
    for (int k = 0; k < labels.size(); k++) out.add(scores(k));
    return Collections.unmodifiableList(out);
  }

  private boolean present(int k) {
    return trueCount(k) > 0 || predCount(k) > 0;
  }

  /** Unweighted mean over the classes present in yTrue or yPred ({@code average='macro'}). */
  public Average macro() {
    double p = 0, r = 0, f = 0;
    int m = 0;
    for (int k = 0; k < labels.size(); k++) {
      if (!present(k)) continue;
      ClassScores s = scores(k);
      p += s.precision();
      r += s.recall();
      f += s.f1();
      m++;
    }
    return new Average(p / m, r / m, f / m);
  }

  /** Mean weighted by support ({@code average='weighted'}). */
  public Average weighted() {
    double p = 0, r = 0, f = 0;
    for (int k = 0; k < labels.size(); k++) {
      ClassScores s = scores(k);
      p += s.precision() * s.support();
      r += s.recall() * s.support();
      f += s.f1() * s.support();
    }
    return new Average(p / n, r / n, f / n);
  }

  /** Global counts ({@code average='micro'}); for single-label data all three equal the accuracy. */
  public Average micro() {
    long tp = 0, fp = 0, fn = 0;
    for (int k = 0; k < labels.size(); k++) {
      tp += tp(k);
      fp += predCount(k) - tp(k);
      fn += trueCount(k) - tp(k);
    }
    return new Average(div(tp, tp + fp), div(tp, tp + fn), div(2.0 * tp, 2.0 * tp + fp + fn));
  }

  /**
   * Matthews correlation coefficient, scikit-learn's {@code matthews_corrcoef}: with t_k, p_k the true and predicted
   * counts of class k, c the number correct and s the number of examples, (c s - sum t_k p_k) / sqrt((s^2 - sum
   * p_k^2)(s^2 - sum t_k^2)); 0 when the denominator is 0.
   */
  public double mcc() {
    double s = n, c = 0, tp = 0, pp = 0, tt = 0;
    for (int k = 0; k < labels.size(); k++) {
      double t = trueCount(k), p = predCount(k);
      c += tp(k);
      tp += t * p;
      pp += p * p;
      tt += t * t;
    }
    double cov = c * s - tp;
    double den = (s * s - pp) * (s * s - tt);
    return den == 0 ? 0.0 : cov / Math.sqrt(den);
  }
}
