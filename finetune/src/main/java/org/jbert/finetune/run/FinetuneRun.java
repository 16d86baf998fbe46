package org.jbert.finetune.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.train.BatchSource;
import org.jbert.core.train.ResumeCheck;
import org.jbert.core.train.RunFolder;
import org.jbert.core.train.TrainConfig;
import org.jbert.core.train.Trainer;
import org.jbert.core.weights.WeightSource;
import org.jbert.core.weights.WeightSources;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.data.LabelMap;
import org.jbert.datasets.SpamAssassinSplits;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.head.TaskHead;
import org.jbert.finetune.head.TaskHeads;
import org.jbert.finetune.task.DataFormat;
import org.jbert.finetune.task.TaskData;
import org.jbert.finetune.task.TaskKind;
import org.jbert.finetune.task.TaskPredictions;
import org.jbert.finetune.task.TextInputs;

/**
 * A fine-tuning run for any head kind ({@link TaskKind}): the files read in their format ({@link DataFormat}), the
 * model built (a pretrained encoder with a fresh head, or a Hugging Face or jbert task model folder whose head goes on
 * training, see {@link TaskModel#storedHead}), the data encoded by the task's {@link TaskData}, then one
 * training path for all: the shared {@link Trainer}, the dev set scored at every evaluation (metrics.jsonl, with an
 * {@code eval_} prefix), the test set at the end ({@code test_metrics.json}; QA also writes run_squad.py's prediction
 * files into {@code test_predictions/}), and the fine-tuned model with its label names in {@code <output_dir>/model}.
 *
 * <p>Metrics are computed by the caller's {@link Metrics} (the CLI passes the eval module's), so finetune does not
 * depend on eval.
 */
public final class FinetuneRun {

  /** Scores the gold labels and predictions of a dev or test file: metric name to value. */
  @FunctionalInterface
  public interface Metrics {
    Map<String, Double> score(TaskPredictions predictions);
  }

  /**
   * What a run produced.
   *
   * @param trainExamples training examples used (after {@code max_train_examples})
   */
  public record Outcome(Trainer.Result result, Path modelDir, Map<String, Double> test, int trainExamples) {}

  private FinetuneRun() {}

  /** Runs {@code c} to the end; see {@link #run(FinetuneRunConfig, boolean, PrintStream, long, Metrics)}. */
  public static Outcome run(FinetuneRunConfig c, boolean resume, PrintStream progress, Metrics metrics) {
    return run(c, resume, progress, Long.MAX_VALUE, metrics);
  }

  /** Runs {@code c}, stopping with a checkpoint after {@code stopAfter}; {@code resume} continues from the latest. */
  public static Outcome run(FinetuneRunConfig c, boolean resume, PrintStream progress, long stopAfter,
      Metrics metrics) {
    return run(c, resume ? RunFolder.Mode.RESUME : RunFolder.Mode.FRESH, progress, stopAfter, metrics);
  }

  /**
   * Runs {@code c} in its output folder, taken for the run ({@link RunFolder}: locked; an earlier run there is
   * continued, deleted or refused by {@code mode}; a resume is checked against {@link #resumeCheck} before anything
   * is written), stopping with a checkpoint after {@code stopAfter}.
   */
  public static Outcome run(FinetuneRunConfig c, RunFolder.Mode mode, PrintStream progress, long stopAfter,
      Metrics metrics) {
    try (RunFolder folder = RunFolder.open(Path.of(c.train().outputDir()), mode, resumeCheck(c))) {
      return run(c, folder, progress, stopAfter, metrics);
    }
  }

  /**
   * What must be the same to resume a fine-tuning run: the train section's data-order settings, every data setting
   * and each data file's name, size and SHA-256.
   */
  public static ResumeCheck resumeCheck(FinetuneRunConfig c) {
    FinetuneRunConfig.Data d = c.data();
    ResumeCheck r = ResumeCheck.of(c.train()).withSettings("data", d, Set.of("data.train", "data.dev", "data.test"));
    if (!d.train().isBlank()) r.withFile("data.train", Path.of(d.train()));
    if (!d.dev().isBlank()) r.withFile("data.dev", Path.of(d.dev()));
    if (!d.test().isBlank()) r.withFile("data.test", Path.of(d.test()));
    return r;
  }

  private static Outcome run(FinetuneRunConfig c, RunFolder runFolder, PrintStream progress, long stopAfter,
      Metrics metrics) {
    Path runDir = runFolder.dir();
    FinetuneRunConfig.Data d = c.data();
    Path train = Path.of(d.train()), dev = d.dev().isBlank() ? null : Path.of(d.dev());
    Path test = d.test().isBlank() ? null : Path.of(d.test());
    if (d.source() == DataFormat.Source.SPAMASSASSIN && d.train().isBlank()) {
      Path dataDir = runDir.resolve("data");
      SpamAssassinSplits.Result r = SpamAssassinSplits.write(dataDir,
          SpamAssassinSplits.Options.defaults().withText(d.emailText()));
      progress.println("jbert: " + r.summary().lines().findFirst().orElse(""));
      train = dataDir.resolve("train.jsonl");
      dev = dataDir.resolve("dev.jsonl");
      test = dataDir.resolve("test.jsonl");
    }
    TaskHead head = TaskHeads.get(c.head().type());
    Path folder = PretrainedModels.folder(c.model());
    Optional<TaskHead> stored = TaskModelFiles.storedHead(folder);
    if (stored.isPresent()) {
      if (!stored.get().type().equals(head.type())) {
        throw new JbertException(c.model() + ": the model holds a " + stored.get().type() + " head but head.type is "
            + head.type() + "; expected the same type to fine-tune that head further");
      }
      BertConfig config = BertConfig.fromFolder(folder);
      TaskKind kind = TaskKind.of(head, HeadContext.of(config, 2));
      d.format().requireKind(kind, head.type());
      RunData<?> data = RunData.read(kind, d.format(), train, dev, test, d.maxTrainExamples(), c.train().seed());
      UnaryOperator<HeadContext> adjust = s -> importedContext(c, s, kind, data);
      try (TaskModel model = TaskModelFiles.isJbertFolder(folder) ? TaskModelFiles.load(folder, adjust)
          : TaskModelFiles.fromHuggingFace(folder, adjust)) {
        progress.printf("jbert: fine-tuning the %s head of %s further (num_labels %d)%n", head.type(), c.model(),
            model.context().numLabels());
        LabelMap labels = kind == TaskKind.QUESTION_ANSWERING
            || model.context().problemType() == ProblemType.REGRESSION ? null : LabelMap.of(model.labelNames());
        return train(c, model, data, labels, runFolder, progress, stopAfter, metrics, runDir);
      }
    }
    try (WeightSource src = WeightSources.open(folder)) {
      BertConfig config = src.config().orElseThrow(() -> new JbertException(src.description()
          + ": no model config beside the weights"));
      TaskKind kind = TaskKind.of(head, HeadContext.of(config, 2));
      d.format().requireKind(kind, head.type());
      RunData<?> data = RunData.read(kind, d.format(), train, dev, test, d.maxTrainExamples(), c.train().seed());
      boolean regression = c.head().numLabels() == 1;
      if (regression && kind != TaskKind.SEQUENCE_CLASSIFICATION) {
        throw new JbertException("head.num_labels is 1 (regression), which only a sequence classification head"
            + " supports; expected 0 (from the data) for a " + head.type() + " head");
      }
      LabelMap labels = kind == TaskKind.QUESTION_ANSWERING || regression ? null : data.trainLabelMap();
      HeadContext ctx = freshContext(c, config, kind, labels, data.trainFile);
      try (TaskModel model = TaskModel.fromPretrained(src, head, ctx, c.train().seed())) {
        return train(c, model, data, labels, runFolder, progress, stopAfter, metrics, runDir);
      }
    }
  }

  /**
   * The context of an imported head, checked against the run: {@code head.num_labels} (when set) must equal the
   * stored number, and the training labels must be among the head's label names, or, when those are Hugging Face's
   * placeholders ({@code LABEL_0, ...}) or absent, be as many as the head has (they then name its classes, in
   * LabelMap order). The run's dropout replaces the stored one.
   */
  private static HeadContext importedContext(FinetuneRunConfig c, HeadContext s, TaskKind kind, RunData<?> data) {
    HeadContext out = s.withDropoutRate(c.head().dropout());
    if (kind == TaskKind.QUESTION_ANSWERING) return out;
    int want = c.head().numLabels();
    if (want > 0 && want != s.numLabels()) {
      throw new JbertException(c.model() + ": the imported " + c.head().type() + " head has num_labels "
          + s.numLabels() + " but head.num_labels is " + want + "; expected " + s.numLabels() + " (or 0 = the head's),"
          + " or an encoder-only model for a fresh head");
    }
    if (s.problemType() == ProblemType.REGRESSION) return out;
    if (s.problemType() != ProblemType.SINGLE_LABEL_CLASSIFICATION && kind == TaskKind.SEQUENCE_CLASSIFICATION) {
      throw new JbertException(c.model() + ": the imported head's problem_type is " + s.problemType().hfName()
          + ", which runs do not train; expected single_label_classification or regression");
    }
    LabelMap train = data.trainLabelMap();
    List<String> names = s.labelNames();
    if (!names.isEmpty() && names.containsAll(train.labels())) return out;
    boolean placeholders = true;
    for (int i = 0; i < names.size(); i++) placeholders &= names.get(i).equals("LABEL_" + i);
    if (!placeholders) {
      List<String> unknown = train.labels().stream().filter(l -> !names.contains(l)).toList();
      throw new JbertException(data.trainFile + ": training labels " + unknown + " are not among the "
          + s.numLabels() + " labels of the imported head (" + c.model() + ") " + names
          + "; expected labels the head knows, or an encoder-only model for a fresh head");
    }
    if (train.size() != s.numLabels()) {
      throw new JbertException(c.model() + ": the imported head has num_labels " + s.numLabels()
          + " but the training data (" + data.trainFile + ") has " + train.size() + " labels " + abbreviate(train)
          + "; expected " + s.numLabels() + " labels, or an encoder-only model for a fresh head");
    }
    return out.withLabelNames(train.labels());
  }

  /** The head context of a fresh head: labels from the training data, unless {@code head.num_labels} disagrees. */
  private static HeadContext freshContext(FinetuneRunConfig c, BertConfig config, TaskKind kind, LabelMap labels,
      Path trainFile) {
    double dropout = c.head().dropout();
    if (labels == null) {
      HeadContext ctx = HeadContext.of(config, kind == TaskKind.QUESTION_ANSWERING ? 2 : 1).withDropoutRate(dropout);
      return kind == TaskKind.QUESTION_ANSWERING ? ctx : ctx.withProblemType(ProblemType.REGRESSION);
    }
    int want = c.head().numLabels();
    if (want > 0 && want != labels.size()) {
      throw new JbertException("head.num_labels is " + want + " but the training data (" + trainFile + ") has "
          + labels.size() + " labels " + abbreviate(labels) + "; expected the same, or 0 to take them from the data");
    }
    if (labels.size() < 2 && kind == TaskKind.SEQUENCE_CLASSIFICATION) {
      throw new JbertException(trainFile + ": every training example has the label " + labels.labels()
          + "; expected at least 2 classes (or head.num_labels 1 for regression on numeric labels)");
    }
    return new HeadContext(config, org.nd4j.linalg.api.buffer.DataType.FLOAT, labels.size(),
        labels.size() == 1 ? ProblemType.REGRESSION : ProblemType.SINGLE_LABEL_CLASSIFICATION, dropout,
        labels.labels(), Map.of());
  }

  static String abbreviate(LabelMap labels) {
    String s = labels.labels().toString();
    return s.length() <= 200 ? s : s.substring(0, 200) + "...]";
  }

  /** The one training path: encode, fit, evaluate, save, test. */
  private static Outcome train(FinetuneRunConfig c, TaskModel model, RunData<?> data, LabelMap labels,
      RunFolder folder, PrintStream progress, long stopAfter, Metrics metrics, Path runDir) {
    TextInputs inputs = TextInputs.of(model.config(), model.vocab(), c.data().maxSeqLength(), c.model())
        .withTruncation(c.data().format().truncation());
    RunData.Encoded enc = data.encode(labels, inputs);
    TaskData train = enc.train();
    String rows = train.size() == train.examples() ? "" : " (" + train.size() + " features)";
    progress.printf("jbert: %d training examples%s, %d dev, %d test%s%n", train.examples(), rows,
        data.devExamples(), data.testExamples(), labels == null ? "" : "; labels " + abbreviate(labels));
    if (c.train().batchSize() > train.size()) {
      progress.printf("jbert: train.batch_size %d is larger than the training set (%d rows); using batch_size %d%n",
          c.train().batchSize(), train.size(), train.size());
      c = c.withTrain(c.train().withBatchSize(train.size()));
    }
    int evalBatch = c.train().batchSize();
    BatchSource<Batch> source = new BatchSource<>() {
      @Override
      public int size() {
        return train.size();
      }

      @Override
      public Batch batch(int[] indices) {
        return train.batch(indices);
      }
    };
    Trainer.Result r;
    DistributedTraining.Session session = null;
    if (c.distributed().enabled()) {
      // Workers build their replicas from the model as it starts; the weights of every step are sent to them.
      Path replica = runDir.resolve("distributed-replica");
      model.save(replica);
      session = DistributedTraining.find(c.distributed()).start(c.distributed(), model, replica);
    }
    try {
      Trainer<Batch> trainer = new Trainer<>(c.train(), session == null ? model : session.trainable(),
          session == null ? source : session.source(source))
          .resolvedConfig(c).folder(folder).title("Fine-tuning " + c.model() + " (" + c.head().type() + ")")
          .progress(progress, System.console() != null && progress == System.out);
      if (enc.dev() != null) trainer.evaluator(step -> metrics.score(enc.dev().predict(model, evalBatch)));
      r = trainer.run(stopAfter);
    } finally {
      if (session != null) session.close();
    }
    Path modelDir = runDir.resolve("model");
    Map<String, Double> testMetrics = Map.of();
    if (r.finished()) {
      model.save(modelDir);
      if (enc.test() != null) {
        TaskPredictions p = enc.test().predict(model, evalBatch);
        testMetrics = metrics.score(p);
        writeJson(runDir.resolve("test_metrics.json"), testMetrics, p.size());
        if (p instanceof TaskPredictions.Answers a) a.details().write(runDir.resolve("test_predictions"));
      }
    }
    return new Outcome(r, modelDir, testMetrics, train.examples());
  }

  /** {@code {"examples": n, metric: value, ...}}; non-finite values (e.g. an empty SQuAD subset's NaN) are left out. */
  private static void writeJson(Path file, Map<String, Double> metrics, int examples) {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("examples", examples);
    metrics.forEach((k, v) -> {
      if (v != null && Double.isFinite(v)) n.put(k, v);
    });
    byte[] bytes = n.toPrettyString().getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(file, out -> out.write(bytes));
  }
}
