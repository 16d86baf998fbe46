package org.jbert.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.jbert.core.JbertException;
import org.jbert.eval.metrics.TaskScores;
import org.jbert.finetune.task.TaskPredictions;

/**
 * A Spark ML evaluator with {@code jbert eval}'s task scores ({@link TaskScores}) on {@link JbertPredictor}'s output:
 * gold labels in {@code labelCol}, predictions in {@code predictionCol}. Classification (default prediction column
 * {@code prediction_id}): accuracy, macro precision/recall/F1, MCC and, for two labels, the second label's F1, with
 * gold labels mapped to class ids as {@code jbert eval} maps them (the model's label names; integer labels
 * {@code 0..C-1} when the names are Hugging Face's {@code LABEL_i} placeholders). Regression (set
 * {@code predictionCol} to {@code prediction}): mse, pearson, spearman. Tagging (gold tags per word in
 * {@code labelCol}, {@code array<string>}; predictions default {@code word_labels}, the predictor's output for a words
 * column): seqeval's entity precision, recall, F1, macro F1 and token accuracy. Extractive QA (gold answer texts in
 * {@code labelCol}, {@code array<string>}, empty for an unanswerable question; predictions default {@code answer}):
 * the official SQuAD exact match and F1 in percent, and, when some question has no gold answer (SQuAD v2.0, as
 * {@code jbert eval} decides), the HasAns/NoAns breakdown and {@code best_f1} from {@code nullOddsCol}. Without an
 * explicit {@code predictionCol}, the column is the predictor's for the model's kind. {@link #evaluate} returns
 * {@code metricName}; {@link #scores} returns them all. The columns are collected to the driver.
 *
 * <p>The kind and label names come from the model at {@code modelPath} (loaded on the driver once), or, without a
 * model, from {@code labels} (classification).
 */
public final class JbertTaskEvaluator extends Evaluator implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> modelPath;
  private final StringArrayParam labels;
  private final Param<String> labelCol;
  private final Param<String> predictionCol;
  private final Param<String> metricName;
  private final Param<String> nullOddsCol;

  public JbertTaskEvaluator() {
    this(Identifiable$.MODULE$.randomUID("jbertTaskEvaluator"));
  }

  public JbertTaskEvaluator(String uid) {
    this.uid = uid;
    modelPath = new Param<>(this, "modelPath", "the model the predictions come from (its kind and label names)");
    labels = new StringArrayParam(this, "labels", "class names in id order, when no modelPath is set");
    labelCol = new Param<>(this, "labelCol", "gold labels: label names, class ids, or values (regression)");
    predictionCol = new Param<>(this, "predictionCol", "predicted class ids (int), or values (regression)");
    metricName = new Param<>(this, "metricName", "the metric evaluate returns (a key of scores)");
    setDefault(labelCol, "label");
    setDefault(predictionCol, "prediction_id");
    nullOddsCol = new Param<>(this, "nullOddsCol", "QA, SQuAD v2.0: the predictor's null odds (double)");
    setDefault(metricName, "accuracy");
    setDefault(nullOddsCol, "null_odds");
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> modelPath() {
    return modelPath;
  }

  public StringArrayParam labels() {
    return labels;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public Param<String> metricName() {
    return metricName;
  }

  public Param<String> nullOddsCol() {
    return nullOddsCol;
  }

  public JbertTaskEvaluator setModelPath(String v) {
    set(modelPath, v);
    return this;
  }

  public JbertTaskEvaluator setLabels(String[] v) {
    set(labels, v);
    return this;
  }

  public JbertTaskEvaluator setLabelCol(String v) {
    set(labelCol, v);
    return this;
  }

  public JbertTaskEvaluator setPredictionCol(String v) {
    set(predictionCol, v);
    return this;
  }

  public JbertTaskEvaluator setMetricName(String v) {
    set(metricName, v);
    return this;
  }

  @Override
  public double evaluate(Dataset<?> dataset) {
    Map<String, Double> s = scores(dataset);
    String m = getOrDefault(metricName);
    Double v = s.get(m);
    if (v == null) throw new JbertException("metricName " + m + " is not a metric of this task; expected one of "
        + s.keySet());
    return v;
  }

  @Override
  public boolean isLargerBetter() {
    return !getOrDefault(metricName).equals("mse");
  }

  /** Every task metric, by the names {@code jbert eval} and fine-tuning runs report. */
  public Map<String, Double> scores(Dataset<?> dataset) {
    String gold = getOrDefault(labelCol);
    StructType schema = dataset.schema();
    TaskRunner.Kind kind = TaskRunner.Kind.CLASSIFICATION;
    List<String> names;
    boolean placeholders;
    if (isDefined(modelPath)) {
      ExecutorModels.requireVisible(getOrDefault(modelPath), "modelPath");
      TaskRunner m = ExecutorModels.task(getOrDefault(modelPath));
      kind = m.kind();
      names = m.labelNames();
      placeholders = m.placeholderLabels();
    } else if (isDefined(labels)) {
      names = List.of(getOrDefault(labels));
      placeholders = false;
    } else {
      throw new JbertException("neither modelPath nor labels is set; expected the model the predictions come from");
    }
    String pred = isSet(predictionCol) ? getOrDefault(predictionCol) : switch (kind) {
      case CLASSIFICATION -> "prediction_id";
      case REGRESSION -> "prediction";
      case TAGGING -> "word_labels";
      case QUESTION_ANSWERING -> "answer";
    };
    if (kind == TaskRunner.Kind.TAGGING) return tagging(dataset, gold, pred, names);
    if (kind == TaskRunner.Kind.QUESTION_ANSWERING) return squad(dataset, gold, pred, getOrDefault(nullOddsCol));
    JbertStage.requireType(schema, gold, "labelCol", DataTypes.StringType, DataTypes.IntegerType,
        DataTypes.LongType, DataTypes.DoubleType, DataTypes.FloatType);
    if (kind == TaskRunner.Kind.REGRESSION) {
      JbertStage.requireType(schema, pred, "predictionCol", DataTypes.DoubleType, DataTypes.FloatType);
    } else {
      JbertStage.requireType(schema, pred, "predictionCol", DataTypes.IntegerType);
    }
    List<Row> rows = dataset.select(gold, pred).collectAsList();
    if (rows.isEmpty()) throw new JbertException("no rows to evaluate");
    int n = rows.size();
    if (kind == TaskRunner.Kind.REGRESSION) {
      double[] g = new double[n], p = new double[n];
      List<String> ids = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        g[i] = number(rows.get(i), gold);
        p[i] = ((Number) rows.get(i).get(1)).doubleValue();
        ids.add("row " + i);
      }
      return TaskScores.regression(new TaskPredictions.Values(ids, g, p));
    }
    List<String> goldText = new ArrayList<>(n);
    for (Row r : rows) {
      if (r.isNullAt(0)) throw new JbertException("labelCol: column " + gold + " holds a null; expected a label");
      goldText.add(r.get(0) instanceof Double || r.get(0) instanceof Float
          ? integral(((Number) r.get(0)).doubleValue(), gold) : r.get(0).toString());
    }
    int c = names.size();
    boolean numbered = placeholders && goldText.stream().allMatch(l -> l.matches("[0-9]{1,9}")
        && Integer.parseInt(l) < c);
    List<String> labelNames = names;
    if (numbered) {
      labelNames = new ArrayList<>();
      for (int i = 0; i < c; i++) labelNames.add(Integer.toString(i));
    }
    int[] g = new int[n], p = new int[n];
    for (int i = 0; i < n; i++) {
      g[i] = labelNames.indexOf(goldText.get(i));
      if (g[i] < 0) {
        throw new JbertException("labelCol: label '" + goldText.get(i) + "' in column " + gold + " is not one of the"
            + " model's labels " + labelNames);
      }
      p[i] = rows.get(i).getInt(1);
      if (p[i] < 0 || p[i] >= c) {
        throw new JbertException("predictionCol: class id " + p[i] + " in column " + pred + " is outside [0, " + c
            + ")");
      }
    }
    return TaskScores.classification(g, p, labelNames);
  }

  /** Entity scores of gold and predicted tags per word ({@code array<string>} columns, equal lengths per row). */
  private static Map<String, Double> tagging(Dataset<?> dataset, String gold, String pred, List<String> labels) {
    JbertStage.requireType(dataset.schema(), gold, "labelCol", STRING_ARRAYS);
    JbertStage.requireType(dataset.schema(), pred, "predictionCol", STRING_ARRAYS);
    List<Row> rows = collect(dataset, gold, pred);
    List<String> ids = new ArrayList<>();
    List<List<String>> g = new ArrayList<>(), p = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      ids.add("row " + i);
      g.add(strings(rows.get(i), 0, "labelCol", gold, i));
      p.add(strings(rows.get(i), 1, "predictionCol", pred, i));
    }
    return TaskScores.tagging(new TaskPredictions.Tags(ids, g, p, labels));
  }

  /**
   * SQuAD scores of gold answer texts ({@code array<string>}) and predicted answers (string); v2.0 when a question has
   * no gold answer, with the null odds of {@code odds}.
   */
  private static Map<String, Double> squad(Dataset<?> dataset, String gold, String pred, String odds) {
    StructType schema = dataset.schema();
    JbertStage.requireType(schema, gold, "labelCol", STRING_ARRAYS);
    JbertStage.requireType(schema, pred, "predictionCol", DataTypes.StringType);
    boolean hasOdds = java.util.Arrays.asList(schema.fieldNames()).contains(odds);
    if (hasOdds) JbertStage.requireType(schema, odds, "nullOddsCol", DataTypes.DoubleType);
    List<Row> rows = hasOdds ? dataset.select(gold, pred, odds).collectAsList() : collect(dataset, gold, pred);
    if (rows.isEmpty()) throw new JbertException("no rows to evaluate");
    Map<String, List<String>> g = new LinkedHashMap<>();
    Map<String, String> p = new LinkedHashMap<>();
    Map<String, Double> nullOdds = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      g.put("row " + i, strings(r, 0, "labelCol", gold, i));
      p.put("row " + i, r.isNullAt(1) ? "" : r.getString(1));
      if (hasOdds) nullOdds.put("row " + i, r.isNullAt(2) ? 0.0 : r.getDouble(2));
    }
    boolean v2 = g.values().stream().anyMatch(List::isEmpty);
    if (v2 && !hasOdds) {
      throw new JbertException("nullOddsCol: no column " + odds + " in the input, but some questions have no gold"
          + " answer (SQuAD v2.0); expected the predictor's null odds (JbertPredictor squadVersion v2)");
    }
    return TaskScores.squad(new TaskPredictions.Answers(g, p, v2 ? nullOdds : Map.of(), v2, null));
  }

  private static final DataType[] STRING_ARRAYS = {DataTypes.createArrayType(DataTypes.StringType, true),
      DataTypes.createArrayType(DataTypes.StringType, false)};

  private static List<Row> collect(Dataset<?> dataset, String gold, String pred) {
    List<Row> rows = dataset.select(gold, pred).collectAsList();
    if (rows.isEmpty()) throw new JbertException("no rows to evaluate");
    return rows;
  }

  private static List<String> strings(Row r, int i, String param, String col, int row) {
    List<String> v = r.isNullAt(i) ? null : r.getList(i);
    if (v == null || v.contains(null)) {
      throw new JbertException(param + ": column " + col + " holds a null in row " + row + "; expected an array of"
          + " strings");
    }
    return v;
  }

  private static double number(Row r, String col) {
    if (r.isNullAt(0)) throw new JbertException("labelCol: column " + col + " holds a null; expected a value");
    Object v = r.get(0);
    if (v instanceof Number x) return x.doubleValue();
    try {
      return Double.parseDouble(v.toString());
    } catch (NumberFormatException e) {
      throw new JbertException("labelCol: '" + v + "' in column " + col + " is not a number; expected a value");
    }
  }

  private static String integral(double v, String col) {
    if (v != Math.rint(v)) {
      throw new JbertException("labelCol: " + v + " in column " + col + " is not a class id; expected an integer");
    }
    return Long.toString((long) v);
  }

  @Override
  public JbertTaskEvaluator copy(ParamMap extra) {
    return (JbertTaskEvaluator) defaultCopy(extra);
  }

  public static MLReader<JbertTaskEvaluator> read() {
    return new DefaultParamsReader<>();
  }

  public static JbertTaskEvaluator load(String path) {
    return read().load(path);
  }
}
