package org.jbert.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.eval.metrics.ClassificationMetrics;
import org.jbert.eval.metrics.EntityMetrics;
import org.jbert.eval.metrics.RegressionMetrics;
import org.jbert.eval.metrics.SquadMetrics;
import org.jbert.finetune.task.TaskPredictions;

/**
 * The metrics a fine-tuning run reports for each kind of task ({@code FinetuneRun.Metrics}), from the eval module:
 * metrics.jsonl gets them with an {@code eval_} prefix, test_metrics.json as they are.
 */
final class FinetuneMetrics {
  private FinetuneMetrics() {}

  static Map<String, Double> score(TaskPredictions p) {
    if (p instanceof TaskPredictions.Classes c) return classification(c.gold(), c.predicted(), c.labels());
    if (p instanceof TaskPredictions.Values v) return regression(v);
    if (p instanceof TaskPredictions.Tags t) return tagging(t);
    return squad((TaskPredictions.Answers) p);
  }

  /** Accuracy, macro precision/recall/F1, MCC and, for two labels, the second label's F1 (e.g. spam). */
  static Map<String, Double> classification(int[] gold, int[] predicted, List<String> labels) {
    ClassificationMetrics m = ClassificationMetrics.of(gold, predicted, labels);
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("accuracy", m.accuracy());
    out.put("macro_precision", m.macro().precision());
    out.put("macro_recall", m.macro().recall());
    out.put("macro_f1", m.macro().f1());
    out.put("mcc", m.mcc());
    if (labels.size() == 2) out.put("f1_" + labels.get(1), m.perClass().get(1).f1());
    return out;
  }

  /** Mean squared error, Pearson and Spearman correlation (GLUE's STS-B metrics). */
  static Map<String, Double> regression(TaskPredictions.Values v) {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("mse", RegressionMetrics.mse(v.gold(), v.predicted()));
    out.put("pearson", RegressionMetrics.pearson(v.gold(), v.predicted()));
    out.put("spearman", RegressionMetrics.spearman(v.gold(), v.predicted()));
    return out;
  }

  /** seqeval's entity-level micro precision/recall/F1, macro F1 and token accuracy. */
  static Map<String, Double> tagging(TaskPredictions.Tags t) {
    EntityMetrics m = EntityMetrics.of(t.gold(), t.predicted());
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("precision", m.micro().precision());
    out.put("recall", m.micro().recall());
    out.put("f1", m.micro().f1());
    out.put("macro_f1", m.macro().f1());
    out.put("token_accuracy", m.tokenAccuracy());
    return out;
  }

  /**
   * The official SQuAD scores in percent: v1.1 {@code exact_match}, {@code f1}; v2.0 {@code exact}, {@code f1}, the
   * HasAns/NoAns breakdown and, from the null odds, {@code best_f1} with its threshold.
   */
  static Map<String, Double> squad(TaskPredictions.Answers a) {
    List<SquadMetrics.Question> qs = new ArrayList<>();
    a.gold().forEach((id, answers) -> qs.add(new SquadMetrics.Question(id, answers)));
    Map<String, Double> out = new LinkedHashMap<>();
    if (!a.versionTwo()) {
      SquadMetrics.V1Result r = SquadMetrics.evaluateV1(qs, a.predicted());
      out.put("exact_match", r.exactMatch());
      out.put("f1", r.f1());
      return out;
    }
    // The answers already apply the null threshold; the odds only feed the best-threshold search.
    SquadMetrics.V2Result r = SquadMetrics.evaluateV2(qs, a.predicted(), a.nullOdds(), Double.POSITIVE_INFINITY);
    out.put("exact", r.exact());
    out.put("f1", r.f1());
    out.put("has_ans_exact", r.hasAnsExact());
    out.put("has_ans_f1", r.hasAnsF1());
    out.put("no_ans_exact", r.noAnsExact());
    out.put("no_ans_f1", r.noAnsF1());
    out.put("best_f1", r.best().bestF1());
    out.put("best_f1_thresh", r.best().bestF1Thresh());
    return out;
  }
}
