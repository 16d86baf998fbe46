package org.jbert.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeSet;
import org.jbert.core.JbertException;

/**
 * The best dev metric so far ({@code train.metric_for_best_model}) and early stopping: each evaluation either improves
 * the best by more than {@code early_stopping_threshold} (then its step's checkpoint becomes {@code best}) or counts
 * towards {@code early_stopping_patience}. Saved in every checkpoint's {@code state.json} ({@code best}), so a resumed
 * run goes on counting where the interrupted one was.
 */
final class BestModel {
  static final String STATE_KEY = "best";

  private final String metric;
  private final boolean greater;
  private final double threshold;
  private final int patience;
  private double value = Double.NaN;
  private long step;
  private int badEvals;
  private boolean stopped;

  BestModel(TrainConfig c) {
    this.metric = c.bestMetric();
    this.greater = c.greaterIsBetter();
    this.threshold = c.earlyStoppingThreshold();
    this.patience = c.earlyStoppingPatience();
  }

  /** The metric's name without the eval_ prefix. */
  String metric() {
    return metric;
  }

  /** Records an evaluation at {@code evalStep}; true when it is the new best. */
  boolean update(long evalStep, Map<String, Double> eval) {
    Double v = eval.get(metric);
    if (v == null) {
      throw new JbertException("train.metric_for_best_model is " + metric + ", which the evaluation at step "
          + evalStep + " does not report; expected one of " + new TreeSet<>(eval.keySet()));
    }
    boolean better = Double.isFinite(v) && (Double.isNaN(value)
        || (greater ? v > value + threshold : v < value - threshold));
    if (better) {
      value = v;
      step = evalStep;
      badEvals = 0;
    } else {
      badEvals++;
      if (patience > 0 && badEvals >= patience) stopped = true;
    }
    return better;
  }

  /** Whether early stopping ended the run. */
  boolean stopped() {
    return stopped;
  }

  /** The best step, 0 before any evaluation. */
  long step() {
    return step;
  }

  double value() {
    return value;
  }

  void write(ObjectNode state) {
    ObjectNode b = state.putObject(STATE_KEY);
    b.put("metric", metric);
    b.put("step", step);
    if (Double.isFinite(value)) b.put("value", value);
    b.put("bad_evals", badEvals);
    b.put("stopped_early", stopped);
  }

  /** Continues from a checkpoint's state; a checkpoint without it (no evaluation yet) starts afresh. */
  void restore(JsonNode state) {
    JsonNode b = state.path(STATE_KEY);
    if (!b.isObject() || !b.path("metric").asText().equals(metric)) return;
    step = b.path("step").asLong(0);
    value = b.has("value") ? b.get("value").asDouble() : Double.NaN;
    badEvals = b.path("bad_evals").asInt(0);
    stopped = b.path("stopped_early").asBoolean(false);
  }
}
