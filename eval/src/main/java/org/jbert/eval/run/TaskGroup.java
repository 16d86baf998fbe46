package org.jbert.eval.run;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.BertModel;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.eval.metrics.ClassificationMetrics;
import org.jbert.eval.metrics.EntityMetrics;
import org.jbert.eval.metrics.MlmMetrics;
import org.jbert.eval.metrics.RegressionMetrics;
import org.jbert.eval.metrics.TaskScores;
import org.jbert.eval.report.Check;
import org.jbert.eval.report.Report;
import org.jbert.eval.run.EvalConfig.Task;
import org.jbert.eval.run.EvalConfig.TaskFormat;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.data.Example;
import org.jbert.finetune.data.JsonLinesReader;
import org.jbert.finetune.data.TsvReader;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.head.QuestionAnsweringHead;
import org.jbert.finetune.head.TokenClassificationHead;
import org.jbert.finetune.task.DataFormat;
import org.jbert.finetune.task.TaskPredictions;
import org.jbert.finetune.task.TaskPredictor;
import org.jbert.pretraining.PretrainingBatch;
import org.jbert.pretraining.PretrainingModel;
import org.jbert.pretraining.data.InstanceReader;
import org.jbert.pretraining.data.TrainingInstance;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Group c of {@code jbert eval}: the metrics of a fine-tuned model on a labeled file, as one report section (the
 * inputs, the metrics, tables and plots) with one check per bound of {@code task.min} / {@code task.max}.
 *
 * <p>Each data format is one method returning the {@link Kind} it measured, after adding its metrics to the section:
 * <ul>
 *   <li>jsonl, tsv: {@link #sequence} (sequence classification or regression, as the model's head says);</li>
 *   <li>pretraining: {@link #maskedLm} (MLM accuracy and perplexity of a pretraining model);</li>
 *   <li>conll: {@link #tagging} (entity F1) and squad: {@link #questionAnswering} (exact match and F1), through
 *       finetune's {@code TaskPredictor}.</li>
 * </ul>
 * The metrics are computed by {@link org.jbert.eval.metrics} (tested against scikit-learn, scipy, seqeval and the
 * official SQuAD script); their names in the report are {@link Kind#metrics()}, which the bounds refer to.
 */
public final class TaskGroup {
  /** File name of the confusion-matrix heatmap in the report folder. */
  public static final String CONFUSION_PNG = "confusion-matrix.png";
  /** At most this many rows in the table of misclassified examples. */
  static final int MISCLASSIFIED_ROWS = 50;
  /** Characters (code points) of an example's text in that table. */
  static final int EXCERPT_CHARS = 100;

  private TaskGroup() {}

  /** What a task evaluation measures, and the names of its metrics in the report (and in task.min / task.max). */
  public enum Kind {
    CLASSIFICATION("classification", List.of("accuracy", "macro_precision", "macro_recall", "macro_f1",
        "micro_precision", "micro_recall", "micro_f1", "weighted_f1", "mcc")),
    REGRESSION("regression", List.of("pearson", "spearman", "mse")),
    MASKED_LM("masked LM", List.of("mlm_accuracy", "mlm_loss", "mlm_perplexity")),
    TAGGING("tagging", List.of("precision", "recall", "f1", "token_accuracy")),
    QUESTION_ANSWERING("question answering", List.of("exact_match", "f1"));

    private final String title;
    private final List<String> metrics;

    Kind(String title, List<String> metrics) {
      this.title = title;
      this.metrics = metrics;
    }

    public String title() {
      return title;
    }

    /** The metric names this kind adds to the report. */
    public List<String> metrics() {
      return metrics;
    }

    /** The kinds a data format can measure. */
    public static List<Kind> of(TaskFormat format) {
      return switch (format) {
        case JSONL, TSV -> List.of(CLASSIFICATION, REGRESSION);
        case PRETRAINING -> List.of(MASKED_LM);
        case CONLL -> List.of(TAGGING);
        case SQUAD -> List.of(QUESTION_ANSWERING);
      };
    }
  }

  /** Every metric name a format can produce (what task.min / task.max may name). */
  public static List<String> metricNames(TaskFormat format) {
    Set<String> names = new LinkedHashSet<>();
    for (Kind k : Kind.of(format)) names.addAll(k.metrics());
    return List.copyOf(names);
  }

  /**
   * Runs the task group of {@code t}: reads the data, runs the model, adds a section with the metrics and one check per
   * bound to {@code report}, and returns the metrics by name.
   */
  public static Map<String, Double> run(Task t, Report report, PrintStream log) {
    t.requireInputs();
    Kind kind = switch (t.format()) {
      case JSONL, TSV -> sequence(t, report, log);
      case PRETRAINING -> maskedLm(t, report, log);
      case CONLL -> tagging(t, report, log);
      case SQUAD -> questionAnswering(t, report, log);
    };
    Map<String, Double> metrics = report.sectionMetrics();
    for (String name : kind.metrics()) {
      if (!metrics.containsKey(name)) throw new IllegalStateException(kind + " did not report metric " + name);
    }
    t.min().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> report.check(Check.atLeast("task " + e.getKey(), metrics.get(e.getKey()), e.getValue())));
    t.max().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> report.check(Check.atMost("task " + e.getKey(), metrics.get(e.getKey()), e.getValue())));
    return metrics;
  }

  /** Fails before any inference when a bound names a metric {@code kind} does not have. */
  private static void checkBounds(Task t, Kind kind) {
    for (Map.Entry<String, Map<String, Double>> bound : Map.of("min", t.min(), "max", t.max()).entrySet()) {
      for (String name : bound.getValue().keySet()) {
        if (!kind.metrics().contains(name)) {
          throw new JbertException("task." + bound.getKey() + "." + name + ": task.model " + t.model() + " is a "
              + kind.title() + " model, whose metrics are " + kind.metrics());
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Sequence classification and regression (formats jsonl and tsv)

  /**
   * A sequence-level model ({@code BertForSequenceClassification} or a jbert task folder whose head outputs {@code
   * logits} [B,C]) on JSON Lines or TSV examples: classification metrics with the confusion matrix and the
   * misclassified examples ({@link #misclassified}), or Pearson, Spearman and MSE for a regression head. Labels are
   * resolved through the model's saved label names.
   */
  static Kind sequence(Task t, Report report, PrintStream log) {
    List<Example> examples = t.format() == TaskFormat.TSV ? TsvReader.read(t.data(), t.tsv().columns())
        : JsonLinesReader.read(t.data());
    if (t.maxExamples() > 0 && examples.size() > t.maxExamples()) examples = examples.subList(0, t.maxExamples());
    if (examples.isEmpty()) throw new JbertException(t.data() + ": no examples; expected labeled examples");
    try (TaskModel model = loadTaskModel(Path.of(t.model()))) {
      String type = model.head().type();
      if (type.equals(TokenClassificationHead.TYPE) || type.equals(QuestionAnsweringHead.TYPE)) {
        throw new JbertException("task.model " + t.model() + " has a " + type + " head; format "
            + lower(t.format()) + " expects a sequence classification model (use format "
            + (type.equals(QuestionAnsweringHead.TYPE) ? "squad" : "conll") + ")");
      }
      ProblemType problem = model.context().problemType();
      Kind kind = switch (problem) {
        case SINGLE_LABEL_CLASSIFICATION -> Kind.CLASSIFICATION;
        case REGRESSION -> Kind.REGRESSION;
        case MULTI_LABEL_CLASSIFICATION -> throw new JbertException("task.model " + t.model() + " is a "
            + problem.hfName() + " model; the task group supports single-label classification and regression (not"
            + " multi-label yet)");
      };
      checkBounds(t, kind);
      int maxLen = Math.min(t.maxSeqLength(), model.config().maxPositionEmbeddings());
      log.printf("jbert eval: task: %s, %d examples from %s%n", kind.title(), examples.size(), t.data());
      long t0 = System.nanoTime();
      TaskPredictions p;
      try {
        p = TaskPredictor.predictExamples(model, t.data().toString(), examples, maxLen, t.cut(), t.batchSize());
      } catch (JbertException e) {
        throw new JbertException(e.getMessage() + " (task.model " + t.model() + ")", e);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;

      report.section("Task metrics: " + kind.title());
      String labels = p instanceof TaskPredictions.Classes c ? String.join(", ", c.labels()) : "1 output";
      List<List<String>> rows = new ArrayList<>(inputsTable(t, model, examples.size() + " examples", labels,
          seconds));
      rows.set(1, List.of("head", type + " (" + problem.hfName() + ")"));
      report.table("", List.of("item", "value"), rows);
      if (p instanceof TaskPredictions.Classes c) {
        ClassificationMetrics m = ClassificationMetrics.of(c.gold(), c.predicted(), c.labels());
        report.classification(m, CONFUSION_PNG);
        misclassified(report, c, examples);
        log.printf(Locale.ROOT, "jbert eval: task: accuracy %.4f, macro F1 %.4f, MCC %.4f%n", m.accuracy(),
            m.macro().f1(), m.mcc());
      } else {
        TaskPredictions.Values v = (TaskPredictions.Values) p;
        report.metric("pearson", RegressionMetrics.pearson(v.gold(), v.predicted()));
        report.metric("spearman", RegressionMetrics.spearman(v.gold(), v.predicted()));
        report.metric("mse", RegressionMetrics.mse(v.gold(), v.predicted()));
        log.printf(Locale.ROOT, "jbert eval: task: Pearson %.4f, Spearman %.4f%n",
            report.sectionMetrics().get("pearson"), report.sectionMetrics().get("spearman"));
      }
      return kind;
    }
  }

  /**
   * A table of the examples the model got wrong, in file order (the first {@value #MISCLASSIFIED_ROWS}): id, gold
   * and predicted label, and the beginning of the text (white space collapsed; a pair as {@code a [SEP] b}). Nothing
   * when every example is right.
   */
  static void misclassified(Report report, TaskPredictions.Classes c, List<Example> examples) {
    List<List<String>> rows = new ArrayList<>();
    int wrong = 0;
    for (int i = 0; i < c.size(); i++) {
      if (c.gold()[i] == c.predicted()[i]) continue;
      wrong++;
      if (rows.size() == MISCLASSIFIED_ROWS) continue;
      Example e = examples.get(i);
      if (!e.id().equals(c.ids().get(i))) {
        throw new IllegalStateException("prediction " + i + " is " + c.ids().get(i) + ", example " + e.id());
      }
      rows.add(List.of(e.id(), c.labels().get(c.gold()[i]), c.labels().get(c.predicted()[i]), excerpt(e)));
    }
    if (wrong == 0) return;
    report.table("Misclassified: " + (wrong > rows.size() ? "the first " + rows.size() + " of " : "") + wrong
        + " examples", List.of("id", "gold", "predicted", "text"), rows);
  }

  private static String excerpt(Example e) {
    if (e.textA() == null) return "(pre-tokenized: " + e.tokens().inputIds().length + " ids)";
    String t = (e.textB() == null ? e.textA() : e.textA() + " [SEP] " + e.textB()).strip().replaceAll("\\s+", " ");
    if (t.codePointCount(0, t.length()) <= EXCERPT_CHARS) return t;
    return t.substring(0, t.offsetByCodePoints(0, EXCERPT_CHARS)).stripTrailing() + "...";
  }

  /** A jbert task folder ({@code jbert.json} with a head) or a Hugging Face task folder. */
  static TaskModel loadTaskModel(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new JbertException("task.model " + dir + ": folder not found; expected a fine-tuned model folder");
    }
    return Files.isRegularFile(dir.resolve(BertModel.JBERT_FILE)) ? TaskModelFiles.load(dir)
        : TaskModelFiles.fromHuggingFace(dir);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Masked LM (format pretraining)

  /**
   * A pretraining model's MLM head on {@code bin/jbert pretrain-data} JSON Lines: accuracy of the argmax at the
   * weighted positions, mean cross-entropy over them (natural log) and its exp, the perplexity. Logits are taken at
   * the predicted positions only, [B,M,V] per batch (M = the most predictions of a row in the batch).
   */
  static Kind maskedLm(Task t, Report report, PrintStream log) {
    checkBounds(t, Kind.MASKED_LM);
    try (PretrainingModel model = PretrainingModel.open(t.model(), false)) {
      Set<String> mlmHead = CheckpointNames.forConfig(model.config(), CheckpointNames.Part.MLM_HEAD).stream()
          .map(CheckpointNames::canonical).collect(Collectors.toSet());
      List<String> fresh = model.freshlyInitialized().stream().filter(mlmHead::contains).toList();
      if (!fresh.isEmpty()) {
        throw new JbertException("task.model " + t.model() + " has no masked-LM head (" + fresh.size()
            + " weights missing, e.g. " + fresh.get(0) + "); expected a pretraining model (BertForPreTraining,"
            + " BertForMaskedLM or the model of a jbert pretraining run)");
      }
      BertConfig config = model.config();
      List<TrainingInstance> instances = InstanceReader.read(t.data(), config.vocabSize(),
          Math.min(t.maxSeqLength(), config.maxPositionEmbeddings()));
      if (t.maxExamples() > 0 && instances.size() > t.maxExamples()) instances = instances.subList(0, t.maxExamples());
      if (instances.isEmpty()) throw new JbertException(t.data() + ": no instances; expected pretrain-data lines");
      log.printf("jbert eval: task: masked LM, %d instances from %s%n", instances.size(), t.data());
      long t0 = System.nanoTime();
      MlmMetrics mlm = new MlmMetrics();
      for (int from = 0; from < instances.size(); from += t.batchSize()) {
        List<TrainingInstance> rows = instances.subList(from, Math.min(instances.size(), from + t.batchSize()));
        int m = 1;
        for (TrainingInstance r : rows) m = Math.max(m, r.maskedLmPositions().length);
        PretrainingBatch b = PretrainingBatch.of(rows, m);
        try (INDArray logits = model.maskedLmLogits(b.inputWordIds(), b.inputMask(), b.inputTypeIds(),
            b.maskedLmPositions())) {  // [B,M,V]
          for (int i = 0; i < rows.size(); i++) {
            mlm.addAll(logits.slice(i).toFloatMatrix(), b.maskedLmIds()[i], b.maskedLmWeights()[i]);  // [M,V]
          }
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      report.section("Task metrics: " + Kind.MASKED_LM.title());
      report.table("", List.of("item", "value"), List.of(
          List.of("model", t.model()),
          List.of("data", t.data() + " (" + lower(t.format()) + ")"),
          List.of("instances", Integer.toString(instances.size())),
          List.of("predicted positions", Long.toString(mlm.positions())),
          List.of("inference", String.format(Locale.ROOT, "%.1f s, batch size %d", seconds, t.batchSize()))));
      report.metric("mlm_accuracy", mlm.accuracy());
      report.metric("mlm_loss", mlm.meanLoss());
      report.metric("mlm_perplexity", mlm.perplexity());
      report.text("mlm_loss is the mean cross-entropy (natural log) over all predicted positions; mlm_perplexity ="
          + " exp(mlm_loss).");
      log.printf(Locale.ROOT, "jbert eval: task: MLM accuracy %.4f, perplexity %.3f over %d positions%n",
          mlm.accuracy(), mlm.perplexity(), mlm.positions());
      return Kind.MASKED_LM;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Token classification (conll) and question answering (squad), through finetune's TaskPredictor: the same
  // word-piece alignment and SQuAD features/post-processing the fine-tuning run evaluates with.

  /**
   * A token-classification model on CoNLL data (tag in the last column): seqeval's entity-level micro precision,
   * recall, F1 and token accuracy, with a per-type table. A word cut off by max_seq_length is predicted "O".
   */
  static Kind tagging(Task t, Report report, PrintStream log) {
    checkBounds(t, Kind.TAGGING);
    try (TaskModel model = loadTaskModel(Path.of(t.model()))) {
      long t0 = System.nanoTime();
      TaskPredictions p = predict(model, t, DataFormat.Source.CONLL);
      TaskPredictions.Tags tags = (TaskPredictions.Tags) p;
      double seconds = (System.nanoTime() - t0) / 1e9;
      log.printf("jbert eval: task: tagging, %d sentences from %s%n", tags.size(), t.data());
      report.section("Task metrics: " + Kind.TAGGING.title());
      report.table("", List.of("item", "value"), inputsTable(t, model, tags.size() + " sentences",
          String.join(", ", tags.labels()), seconds));
      EntityMetrics m = EntityMetrics.of(tags.gold(), tags.predicted());
      report.entities(m);
      log.printf(Locale.ROOT, "jbert eval: task: entity F1 %.4f, token accuracy %.4f%n", m.micro().f1(),
          m.tokenAccuracy());
      return Kind.TAGGING;
    }
  }

  /**
   * An extractive QA model on SQuAD JSON (v2.0 when any question is unanswerable): the official exact match and F1
   * in percent, with the HasAns/NoAns breakdown and the best null threshold for v2.0.
   */
  static Kind questionAnswering(Task t, Report report, PrintStream log) {
    checkBounds(t, Kind.QUESTION_ANSWERING);
    try (TaskModel model = loadTaskModel(Path.of(t.model()))) {
      long t0 = System.nanoTime();
      TaskPredictions.Answers a = (TaskPredictions.Answers) predict(model, t, DataFormat.Source.SQUAD);
      double seconds = (System.nanoTime() - t0) / 1e9;
      log.printf("jbert eval: task: question answering, %d questions from %s%n", a.size(), t.data());
      report.section("Task metrics: " + Kind.QUESTION_ANSWERING.title());
      report.table("", List.of("item", "value"), inputsTable(t, model, a.size() + " questions",
          a.versionTwo() ? "SQuAD v2.0" : "SQuAD v1.1", seconds));
      TaskScores.squad(a).forEach(report::metric);
      log.printf(Locale.ROOT, "jbert eval: task: exact match %.2f, F1 %.2f%n",
          report.sectionMetrics().get("exact_match"), report.sectionMetrics().get("f1"));
      return Kind.QUESTION_ANSWERING;
    }
  }

  private static TaskPredictions predict(TaskModel model, Task t, DataFormat.Source source) {
    int maxLen = Math.min(t.maxSeqLength(), model.config().maxPositionEmbeddings());
    return TaskPredictor.predict(model, t.data(), DataFormat.of(source).withMaxSeqLength(maxLen)
        .withTruncation(t.cut()), t.batchSize());
  }

  private static List<List<String>> inputsTable(Task t, TaskModel model, String size, String labels,
      double seconds) {
    return List.of(
        List.of("model", t.model()),
        List.of("head", model.head().type()),
        List.of("data", t.data() + " (" + lower(t.format()) + ")"),
        List.of("examples", size),
        List.of("labels", labels),
        List.of("max_seq_length", Integer.toString(Math.min(t.maxSeqLength(),
            model.config().maxPositionEmbeddings()))),
        List.of("truncation", t.cut().toString()),
        List.of("inference", String.format(Locale.ROOT, "%.1f s, batch size %d", seconds, t.batchSize())));
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
