package org.jbert.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.Bert;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.model.RowBatches;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.core.tokenize.Vocab;
import org.jbert.core.train.BatchSource;
import org.jbert.core.train.ResumeCheck;
import org.jbert.core.train.RunFolder;
import org.jbert.core.train.TrainConfig;
import org.jbert.core.train.Trainer;
import org.jbert.core.weights.WeightSource;
import org.jbert.core.weights.WeightSources;
import org.jbert.finetune.Batch;
import org.jbert.finetune.head.Predictions;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.data.LabelMap;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.HeadOutputs;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.finetune.head.TaskHeads;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fine-tune, save, load, predict: a sequence classifier is fine-tuned from a pretrained BERT on a handful of labeled
 * texts with the shared {@link Trainer}, saved as a jbert folder (weights, head, label map, vocab.txt), loaded back
 * with {@link TaskModel#load}, and asked for the label and probability of new texts. The saved folder is what
 * {@code bin/jbert predict --model WORK_DIR/model --labels-output -} runs too.
 *
 * <pre>
 * java ... org.jbert.examples.FineTuneThenPredictExample [MODEL_DIR_OR_NAME [WORK_DIR]]
 * </pre>
 *
 * The default model is Google's BERT-base uncased ({@code bert-base-uncased}, resolved by {@link PretrainedModels});
 * the default work folder {@code runs/finetune-then-predict} receives {@code model/} and the trainer's run folder
 * {@code run/} (metrics, final checkpoint with the AdamW state, plots, report).
 */
public final class FineTuneThenPredictExample {

  /** One training text and its label. */
  public record LabeledText(String text, String label) {}

  /**
   * The knobs of the fine-tuning.
   *
   * @param steps optimizer steps
   * @param lr peak AdamW learning rate (linear warmup over 10% of the steps, then linear decay)
   * @param batchSize texts per step
   * @param maxLength longest row in tokens with [CLS] and [SEP]
   * @param seed data order, dropout and the fresh head's initialization
   */
  public record Settings(int steps, double lr, int batchSize, int maxLength, long seed) {
    /** A few steps at a usual BERT fine-tuning rate: enough for BERT-base on {@link #TRAIN}. */
    public static Settings bertBase() {
      return new Settings(12, 5e-5, 8, 64, 42);
    }
  }

  /**
   * What a run produced.
   *
   * @param labels the label names, in id order
   * @param training the trainer's result (per-step losses)
   * @param trainAccuracy accuracy of the fine-tuned model on its own training texts
   * @param inMemory the fine-tuned model's predictions for the new texts, before saving
   * @param loaded the predictions of the model loaded back from {@code modelDir}
   * @param modelDir the saved model
   */
  public record Outcome(List<String> labels, Trainer.Result training, double trainAccuracy,
      List<Predictions.Label> inMemory, List<Predictions.Label> loaded, Path modelDir) {}

  /** Toy sentiment data: the words tell the classes apart. */
  public static final List<LabeledText> TRAIN = List.of(
      new LabeledText("a wonderful, moving film", "positive"),
      new LabeledText("i loved every minute of it", "positive"),
      new LabeledText("brilliant acting and a great story", "positive"),
      new LabeledText("the best movie i have seen this year", "positive"),
      new LabeledText("funny, warm and beautifully made", "positive"),
      new LabeledText("an absolute delight", "positive"),
      new LabeledText("a dull and boring mess", "negative"),
      new LabeledText("i hated every minute of it", "negative"),
      new LabeledText("terrible acting and a weak story", "negative"),
      new LabeledText("the worst movie i have seen this year", "negative"),
      new LabeledText("tedious, cold and badly made", "negative"),
      new LabeledText("a complete waste of time", "negative"));

  /** Texts the model has not seen. */
  public static final List<String> NEW_TEXTS = List.of(
      "what a great and wonderful story",
      "boring, badly made and far too long",
      "i loved the acting",
      "a terrible waste of an evening");

  private FineTuneThenPredictExample() {}

  /**
   * Fine-tunes a fresh sequence-classification head and the encoder of {@code model} on {@code train}, saves the
   * model to {@code workDir/model}, loads it back and predicts {@code texts} with both copies.
   *
   * @param model a pretrained name or model folder (with its vocab.txt)
   * @param log where the trainer's progress goes
   */
  public static Outcome run(String model, List<LabeledText> train, List<String> texts, Path workDir, Settings s,
      PrintStream log) {
    LabelMap labels = LabelMap.fromLabels("training texts", train.stream().map(LabeledText::label).toList());
    Path folder = PretrainedModels.folder(model);
    try (WeightSource src = WeightSources.open(folder)) {
      BertConfig config = src.config().orElseThrow(() -> new JbertException(src.description()
          + ": no model config beside the weights"));
      Vocab vocab = Vocab.load(src.vocab().orElseThrow(() -> new JbertException(src.description()
          + ": no vocab.txt beside the weights; expected one to tokenize the texts")));
      // Dynamic padding: rows are padded to the longest text, and each batch is cut to its own longest row below.
      Preprocessor pre = new Preprocessor(new BertTokenizer(vocab, Bert.lowerCase(folder, vocab)),
          Math.min(s.maxLength(), config.maxPositionEmbeddings()), true);
      Features trainRows = pre.encode(train.stream().map(LabeledText::text).toList());
      int[] y = train.stream().mapToInt(t -> labels.id(t.label(), "training text '" + t.text() + "'")).toArray();

      HeadContext ctx = HeadContext.of(config, labels.size()).withLabelNames(labels.labels());
      Path modelDir = workDir.resolve("model");
      Trainer.Result result;
      double accuracy;
      List<Predictions.Label> before;
      try (TaskModel m = TaskModel.fromPretrained(src, TaskHeads.get(SequenceClassificationHead.TYPE), ctx,
          s.seed())) {
        TrainConfig tc = new TrainConfig(s.lr(), 0.01, 0.9, 0.999, 1e-6, TrainConfig.Schedule.LINEAR, 0, 0.1,
            s.steps(), 0, s.batchSize(), true, 1, 1.0, s.seed(), 1, 0, 0, 1, workDir.resolve("run").toString());
        BatchSource<Batch> data = new BatchSource<>() {
          @Override
          public int size() {
            return y.length;
          }

          @Override
          public Batch batch(int[] rows) {
            return slice(trainRows, y, rows);
          }
        };
        // The example starts over in WORK_DIR/run each time it runs (as bin/jbert run --overwrite).
        try (RunFolder runFolder = RunFolder.open(Path.of(tc.outputDir()), RunFolder.Mode.OVERWRITE,
            ResumeCheck.of(tc))) {
          result = new Trainer<>(tc, m, data).folder(runFolder)
              .title("Fine-tuning " + model + " on " + train.size() + " texts").progress(log, false).run();
        }
        List<Predictions.Label> fit = classify(m, pre, train.stream().map(LabeledText::text).toList());
        int right = 0;
        for (int i = 0; i < y.length; i++) right += fit.get(i).id() == y[i] ? 1 : 0;
        accuracy = (double) right / y.length;
        before = classify(m, pre, texts);
        m.save(modelDir);
      }
      try (TaskModel back = TaskModelFiles.load(modelDir)) {
        return new Outcome(labels.labels(), result, accuracy, before, classify(back, pre, texts), modelDir);
      }
    }
  }

  /**
   * The most probable label of each text with its softmax probability, dropout off; one batch padded to its
   * longest text.
   */
  public static List<Predictions.Label> classify(TaskModel m, Preprocessor pre, List<String> texts) {
    Features f = pre.encode(texts);
    Map<String, INDArray> out = m.predict(f.inputWordIds(), f.inputMask(), f.inputTypeIds());
    try {
      return Predictions.classify(out.get(HeadOutputs.LOGITS), m.labelNames());
    } finally {
      out.values().forEach(INDArray::close);
    }
  }

  /** Rows {@code rows} of {@code f} cut to their longest real row, with their class ids. */
  private static Batch slice(Features f, int[] y, int[] rows) {
    int t = 1;
    for (int r : rows) t = Math.max(t, RowBatches.realLength(f.inputMask()[r]));
    int[][] ids = new int[rows.length][], mask = new int[rows.length][], types = new int[rows.length][];
    int[] labels = new int[rows.length];
    for (int k = 0; k < rows.length; k++) {
      ids[k] = Arrays.copyOf(f.inputWordIds()[rows[k]], t);
      mask[k] = Arrays.copyOf(f.inputMask()[rows[k]], t);
      types[k] = Arrays.copyOf(f.inputTypeIds()[rows[k]], t);
      labels[k] = y[rows[k]];
    }
    return Batch.classification(ids, mask, types, labels);
  }

  public static void main(String[] args) {
    String model = args.length > 0 ? args[0] : PretrainedModels.DEFAULT;
    Path workDir = Path.of(args.length > 1 ? args[1] : "runs/finetune-then-predict");
    Outcome o = run(model, TRAIN, NEW_TEXTS, workDir, Settings.bertBase(), System.out);
    List<Double> losses = o.training().losses();
    System.out.printf(Locale.ROOT, "loss %.4f -> %.4f over %d steps; training accuracy %.0f%%; saved to %s%n",
        losses.get(0), o.training().lastLoss(), losses.size(), 100 * o.trainAccuracy(), o.modelDir());
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < NEW_TEXTS.size(); i++) {
      Predictions.Label l = o.loaded().get(i);
      lines.add(String.format(Locale.ROOT, "  %-40s %-9s %.3f", NEW_TEXTS.get(i), l.name(), l.probability()));
    }
    System.out.println("predictions of the model loaded from " + o.modelDir() + ":");
    lines.forEach(System.out::println);
  }
}
