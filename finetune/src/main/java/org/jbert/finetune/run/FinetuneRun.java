package org.jbert.finetune.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.core.tokenize.Vocab;
import org.jbert.core.train.BatchSource;
import org.jbert.core.train.Trainer;
import org.jbert.core.weights.WeightSource;
import org.jbert.core.weights.WeightSources;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.data.Example;
import org.jbert.finetune.data.JsonLinesReader;
import org.jbert.finetune.data.LabelMap;
import org.jbert.finetune.data.Sampling;
import org.jbert.finetune.data.SpamAssassinSplits;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.TaskHeads;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A sequence-classification fine-tuning run: a pretrained encoder plus a fresh head, the shared {@link Trainer},
 * metrics on the dev set at every evaluation and on the test set at the end ({@code test_metrics.json}), and the
 * fine-tuned model with its label map in {@code <output_dir>/model}.
 */
public final class FinetuneRun {

  /** Scores predictions: class ids of the gold labels and of the predictions, and the label names. */
  @FunctionalInterface
  public interface Metrics {
    Map<String, Double> score(int[] gold, int[] predicted, List<String> labels);
  }

  /** What a run produced. */
  public record Outcome(Trainer.Result result, Path modelDir, Map<String, Double> test, int trainExamples) {}

  private FinetuneRun() {}

  /** Runs {@code c} to the end; see {@link #run(FinetuneRunConfig, boolean, PrintStream, long, Metrics)}. */
  public static Outcome run(FinetuneRunConfig c, boolean resume, PrintStream progress, Metrics metrics) {
    return run(c, resume, progress, Long.MAX_VALUE, metrics);
  }

  /** Runs {@code c}, stopping with a checkpoint after {@code stopAfter}; {@code resume} continues from the latest. */
  public static Outcome run(FinetuneRunConfig c, boolean resume, PrintStream progress, long stopAfter,
      Metrics metrics) {
    Path runDir = Path.of(c.train().outputDir());
    FinetuneRunConfig.Data d = c.data();
    Path train = Path.of(d.train()), dev = d.dev().isBlank() ? null : Path.of(d.dev());
    Path test = d.test().isBlank() ? null : Path.of(d.test());
    if (d.source().equals(FinetuneRunConfig.Data.SPAMASSASSIN) && d.train().isBlank()) {
      Path dataDir = runDir.resolve("data");
      SpamAssassinSplits.Result r = SpamAssassinSplits.write(dataDir, SpamAssassinSplits.Options.defaults());
      progress.println("jbert: " + r.summary().lines().findFirst().orElse(""));
      train = dataDir.resolve("train.jsonl");
      dev = dataDir.resolve("dev.jsonl");
      test = dataDir.resolve("test.jsonl");
    }
    List<Example> trainSet = JsonLinesReader.read(train);
    if (d.maxTrainExamples() > 0 && trainSet.size() > d.maxTrainExamples()) {
      // A seeded random subset in file order: the first N rows of a file sorted by id or label may hold one label.
      trainSet = Sampling.sample(trainSet, d.maxTrainExamples(), c.train().seed());
    }
    LabelMap labels = LabelMap.fromExamples(train.toString(), trainSet);
    List<Example> devSet = dev == null ? List.of() : JsonLinesReader.read(dev);
    List<Example> testSet = test == null ? List.of() : JsonLinesReader.read(test);

    try (WeightSource src = WeightSources.open(PretrainedModels.folder(c.model()))) {
      BertConfig config = src.config().orElseThrow(() -> new JbertException(src.description()
          + ": no model config beside the weights"));
      Vocab vocab = Vocab.load(src.vocab().orElseThrow(() -> new JbertException(src.description()
          + ": no vocab.txt beside the weights; expected one to tokenize the data")));
      Preprocessor pre = new Preprocessor(new BertTokenizer(vocab, !vocab.isCased()),
          Math.min(d.maxSeqLength(), config.maxPositionEmbeddings()), false);
      Encoded trainData = encode(pre, trainSet, labels);
      Encoded devData = encode(pre, devSet, labels);
      Encoded testData = encode(pre, testSet, labels);
      HeadContext ctx = HeadContext.of(config, labels.size()).withDropoutRate(c.head().dropout())
          .withLabelNames(labels.labels());
      try (TaskModel model = TaskModel.fromPretrained(src, TaskHeads.get(c.head().type()), ctx, c.train().seed())) {
        progress.printf("jbert: %d training examples, %d dev, %d test; labels %s%n", trainSet.size(),
            devSet.size(), testSet.size(), labels.labels());
        BatchSource<Batch> source = new BatchSource<>() {
          @Override
          public int size() {
            return trainData.labels.length;
          }

          @Override
          public Batch batch(int[] indices) {
            return trainData.batch(indices);
          }
        };
        Trainer<Batch> trainer = new Trainer<>(c.train(), model, source).resolvedConfig(c).resume(resume)
            .title("Fine-tuning " + c.model() + " (" + c.head().type() + ")")
            .progress(progress, System.console() != null && progress == System.out);
        if (devData.labels.length > 0) {
          trainer.evaluator(step -> metrics.score(devData.labels, predict(model, devData, c.train().batchSize()),
              labels.labels()));
        }
        Trainer.Result r = trainer.run(stopAfter);
        Path modelDir = runDir.resolve("model");
        Map<String, Double> testMetrics = Map.of();
        if (r.lastStep() == r.totalSteps()) {
          model.save(modelDir);
          if (testData.labels.length > 0) {
            testMetrics = metrics.score(testData.labels, predict(model, testData, c.train().batchSize()),
                labels.labels());
            writeJson(runDir.resolve("test_metrics.json"), testMetrics, testData.labels.length);
          }
        }
        return new Outcome(r, modelDir, testMetrics, trainSet.size());
      }
    }
  }

  /** Rows as the preprocessor makes them (padded to max_seq_length) and their class ids. */
  private record Encoded(Features f, int[] labels) {
    Batch batch(int[] rows) {
      int t = 1;
      for (int i : rows) t = Math.max(t, Arrays.stream(f.inputMask()[i]).sum());
      int[][] ids = new int[rows.length][], mask = new int[rows.length][], types = new int[rows.length][];
      int[] y = new int[rows.length];
      for (int k = 0; k < rows.length; k++) {
        ids[k] = Arrays.copyOf(f.inputWordIds()[rows[k]], t);
        mask[k] = Arrays.copyOf(f.inputMask()[rows[k]], t);
        types[k] = Arrays.copyOf(f.inputTypeIds()[rows[k]], t);
        y[k] = labels[rows[k]];
      }
      return Batch.classification(ids, mask, types, y);
    }
  }

  private static Encoded encode(Preprocessor pre, List<Example> examples, LabelMap labels) {
    if (examples.isEmpty()) return new Encoded(null, new int[0]);
    List<String> a = new ArrayList<>(), b = new ArrayList<>();
    int[] y = new int[examples.size()];
    boolean pairs = false;
    for (int i = 0; i < examples.size(); i++) {
      Example e = examples.get(i);
      if (e.isTokenized()) {
        throw new JbertException(e.where() + ": pre-tokenized rows are not supported by fine-tuning runs yet;"
            + " expected text (and text_b)");
      }
      a.add(e.textA());
      b.add(e.textB());
      pairs |= e.textB() != null;
      y[i] = labels.id(e);
    }
    return new Encoded(pairs ? pre.encodePairs(a, b) : pre.encode(a), y);
  }

  /** Argmax class ids for every row, in batches padded to their longest row; dropout off. */
  static int[] predict(TaskModel model, Encoded data, int batchSize) {
    int n = data.labels.length;
    int[] out = new int[n];
    for (int from = 0; from < n; from += batchSize) {
      int[] rows = java.util.stream.IntStream.range(from, Math.min(n, from + batchSize)).toArray();
      try (Batch b = data.batch(rows)) {
        Map<String, INDArray> r = model.predict(b.inputWordIds(), b.inputMask(), b.inputTypeIds());
        try (INDArray best = r.get("logits").argMax(1)) {
          for (int k = 0; k < rows.length; k++) out[rows[k]] = best.getInt(k);
        }
        r.values().forEach(INDArray::close);
      }
    }
    return out;
  }

  private static void writeJson(Path file, Map<String, Double> metrics, int examples) {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("examples", examples);
    metrics.forEach(n::put);
    byte[] bytes = n.toPrettyString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    AtomicFiles.write(file, out -> out.write(bytes));
  }
}
