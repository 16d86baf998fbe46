package org.jbert.pretraining.run;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Vocab;
import org.jbert.core.train.BatchSource;
import org.jbert.core.train.ResumeCheck;
import org.jbert.core.train.Rng;
import org.jbert.core.train.RunFolder;
import org.jbert.core.train.Trainer;
import org.jbert.pretraining.PretrainingBatch;
import org.jbert.pretraining.PretrainingLoss;
import org.jbert.pretraining.PretrainingModel;
import org.jbert.datasets.EmailCorpus;
import org.jbert.pretraining.data.PretrainingDataGenerator;
import org.jbert.pretraining.data.PretrainingDataOptions;
import org.jbert.pretraining.data.PretrainingDataStats;
import org.jbert.pretraining.data.TrainingInstance;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A pretraining run: corpus -> held-out documents -> masked-LM / next-sentence instances -> the shared
 * {@link Trainer} on Google's pretraining loss, with MLM accuracy and losses on the held-out instances at every
 * evaluation; the final model is saved as a jbert folder in {@code <output_dir>/model}.
 *
 * <p>Batches are padded to their longest row (not to max_seq_length), so short instances cost less.
 */
public final class PretrainRun {
  /** At most this many held-out instances are evaluated, to keep evaluations short. */
  public static final int MAX_EVAL_INSTANCES = 512;

  /** What a run produced. */
  public record Outcome(Trainer.Result result, Path modelDir, PretrainingDataStats trainData, int evalInstances) {}

  private PretrainRun() {}

  /** Runs {@code c}; with {@code resume}, continues from the latest checkpoint in the output folder. */
  public static Outcome run(PretrainRunConfig c, boolean resume, PrintStream progress) {
    return run(c, resume, progress, Long.MAX_VALUE);
  }

  /**
   * As {@link #run(PretrainRunConfig, boolean, PrintStream)}, stopping with a checkpoint after optimizer step
   * {@code stopAfter} (as a time-limited job would); a later run with {@code resume} continues exactly.
   */
  public static Outcome run(PretrainRunConfig c, boolean resume, PrintStream progress, long stopAfter) {
    return run(c, resume ? RunFolder.Mode.RESUME : RunFolder.Mode.FRESH, progress, stopAfter);
  }

  /**
   * As {@link #run(PretrainRunConfig, boolean, PrintStream, long)} with the output folder taken for the run
   * ({@link RunFolder}): locked; an earlier run there is continued, deleted or refused by {@code mode}; a resume is
   * checked against {@link #resumeCheck} before anything is written.
   */
  public static Outcome run(PretrainRunConfig c, RunFolder.Mode mode, PrintStream progress, long stopAfter) {
    try (RunFolder folder = RunFolder.open(Path.of(c.train().outputDir()), mode, resumeCheck(c))) {
      return run(c, folder, progress, stopAfter);
    }
  }

  /**
   * What must be the same to resume a pretraining run: the train section's data-order settings, every data setting
   * (instance generation included) and the corpus file's name, size and SHA-256.
   */
  public static ResumeCheck resumeCheck(PretrainRunConfig c) {
    ResumeCheck r = ResumeCheck.of(c.train()).withSettings("data", c.data(), Set.of("data.corpus"));
    String corpus = c.data().corpus();
    if (corpus.equals(PretrainRunConfig.Data.SPAMASSASSIN)) return r.with("data.corpus", corpus);
    if (!Files.isRegularFile(Path.of(corpus))) throw corpusNotFound(Path.of(corpus));
    return r.withFile("data.corpus", Path.of(corpus));
  }

  private static Outcome run(PretrainRunConfig c, RunFolder folder, PrintStream progress, long stopAfter) {
    Path runDir = folder.dir();
    PretrainingDataOptions opts = c.data().instances();
    try (PretrainingModel model = model(c)) {
      if (model.config().maxPositionEmbeddings() < opts.maxSeqLength()) {
        throw new JbertException("data.instances.max_seq_length " + opts.maxSeqLength()
            + " exceeds the model's max_position_embeddings " + model.config().maxPositionEmbeddings());
      }
      model.freshInitMessage().ifPresent(m -> progress.println("jbert: " + m));
      Vocab vocab = vocab(c, model);
      BertTokenizer tokenizer = new BertTokenizer(vocab, !vocab.isCased());
      Path dataDir = runDir.resolve("data");
      Path corpus = corpus(c.data(), dataDir);
      Path trainText = dataDir.resolve("train.txt");
      Path devText = dataDir.resolve("dev.txt");
      splitDocuments(corpus, c.data(), opts.seed(), trainText, devText);

      List<TrainingInstance> train = new ArrayList<>();
      PretrainingDataStats stats = PretrainingDataGenerator.forBert(tokenizer, opts).generate(trainText, train::add);
      List<TrainingInstance> dev = new ArrayList<>();
      if (c.data().devFraction() > 0) {
        PretrainingDataGenerator.forBert(tokenizer, opts.withSeed(opts.seed() + 1).withDupeFactor(1))
            .generate(devText, i -> {
              if (dev.size() < MAX_EVAL_INSTANCES) dev.add(i);
            });
      }
      progress.printf("jbert: %d training instances from %d documents (%d tokens, %d masked), %d held out%n",
          stats.instances(), stats.documents(), stats.tokens(), stats.maskedPositions(), dev.size());

      BatchSource<PretrainingBatch> source = new BatchSource<>() {
        @Override
        public int size() {
          return train.size();
        }

        @Override
        public PretrainingBatch batch(int[] indices) {
          List<TrainingInstance> rows = new ArrayList<>(indices.length);
          for (int i : indices) rows.add(train.get(i));
          return PretrainingBatch.of(rows, opts.maxPredictionsPerSeq());
        }
      };
      Trainer<PretrainingBatch> trainer = new Trainer<>(c.train(), model.trainable(), source)
          .resolvedConfig(c).folder(folder).title("Pretraining: " + describe(c))
          .progress(progress, System.console() != null && progress == System.out);
      if (!dev.isEmpty()) trainer.evaluator(step -> evaluate(model, dev, c.train().batchSize(), opts));
      Trainer.Result r = trainer.run(stopAfter);
      Path modelDir = runDir.resolve("model");
      if (r.finished()) model.save(modelDir);
      return new Outcome(r, modelDir, stats, dev.size());
    }
  }

  /** Held-out metrics: Google's MLM and NSP losses, and the accuracy of the masked-token predictions. */
  static Map<String, Double> evaluate(PretrainingModel model, List<TrainingInstance> dev, int batchSize,
      PretrainingDataOptions opts) {
    double mlm = 0, nsp = 0;
    long correct = 0, predicted = 0;
    int batches = 0;
    for (int from = 0; from < dev.size(); from += batchSize) {
      PretrainingBatch b = PretrainingBatch.of(dev.subList(from, Math.min(dev.size(), from + batchSize)),
          opts.maxPredictionsPerSeq());
      PretrainingLoss l = model.loss(b);
      mlm += l.mlm();
      nsp += model.hasNsp() ? l.nsp() : 0;
      batches++;
      try (INDArray logits = model.maskedLmLogits(b.inputWordIds(), b.inputMask(), b.inputTypeIds(),
          b.maskedLmPositions()); INDArray best = logits.argMax(2)) {
        for (int i = 0; i < b.maskedLmIds().length; i++) {
          for (int k = 0; k < b.maskedLmIds()[i].length; k++) {
            if (b.maskedLmWeights()[i][k] == 0) continue;
            predicted++;
            if (best.getLong(i, k) == b.maskedLmIds()[i][k]) correct++;
          }
        }
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("mlm_loss", mlm / batches);
    if (model.hasNsp()) out.put("nsp_loss", nsp / batches);
    out.put("mlm_accuracy", predicted == 0 ? Double.NaN : (double) correct / predicted);
    out.put("mlm_perplexity", Math.exp(mlm / batches));
    return out;
  }

  private static PretrainingModel model(PretrainRunConfig c) {
    PretrainRunConfig.Model m = c.model();
    if (!m.fromScratch()) return PretrainingModel.open(m.from(), m.nsp());
    Vocab v = Vocab.named(m.vocab());
    BertConfig config = new BertConfig(v.size(), m.hiddenSize(), m.numHiddenLayers(), m.numAttentionHeads(),
        m.intermediateSize(), Activation.GELU_TANH, m.dropout(), m.dropout(), m.maxPositionEmbeddings(), 2, 0.02,
        1e-12);
    return PretrainingModel.random(config, m.nsp(), c.train().seed());
  }

  private static Vocab vocab(PretrainRunConfig c, PretrainingModel model) {
    if (c.model().fromScratch()) return Vocab.named(c.model().vocab());
    Path v = model.bert().vocab().orElseThrow(() -> new JbertException(c.model().from()
        + ": the model comes without vocab.txt; expected one to tokenize the corpus"));
    Vocab vocab = Vocab.load(v);
    if (vocab.size() > model.config().vocabSize()) {
      throw new JbertException(c.model().from() + ": the vocabulary " + v + " has " + vocab.size()
          + " entries but the model's vocab_size is " + model.config().vocabSize() + "; expected at most "
          + model.config().vocabSize() + " (the model's own vocab.txt)");
    }
    return vocab;
  }

  private static JbertException corpusNotFound(Path p) {
    return new JbertException("data.corpus " + p + ": file not found; expected a text file (one sentence per line, a"
        + " blank line between documents) or 'spamassassin'");
  }

  private static Path corpus(PretrainRunConfig.Data d, Path dataDir) {
    if (!d.corpus().equals(PretrainRunConfig.Data.SPAMASSASSIN)) {
      Path p = Path.of(d.corpus());
      if (!Files.isRegularFile(p)) throw corpusNotFound(p);
      return p;
    }
    Path out = dataDir.resolve("spamassassin.txt");
    try {
      EmailCorpus.writeCorpus(null, d.maxDocuments(), 1, out);
    } catch (IOException e) {
      throw new JbertException(out + ": cannot write the corpus (" + e.getMessage() + ")", e);
    }
    return out;
  }

  /**
   * Splits the documents of {@code corpus} (at most max_documents) into train and held-out files: a document goes to
   * dev when a seeded hash of its index falls below dev_fraction, so the split does not depend on the order of runs.
   */
  static void splitDocuments(Path corpus, PretrainRunConfig.Data d, long seed, Path train, Path dev) {
    try {
      Files.createDirectories(train.toAbsolutePath().getParent());
      AtomicFiles.write(train, t -> AtomicFiles.write(dev, v -> {
        BufferedWriter tw = new BufferedWriter(new OutputStreamWriter(t, StandardCharsets.UTF_8));
        BufferedWriter vw = new BufferedWriter(new OutputStreamWriter(v, StandardCharsets.UTF_8));
        try (BufferedReader in = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
          long doc = 0;
          boolean inDoc = false;
          BufferedWriter w = pick(tw, vw, seed, 0, d.devFraction());
          for (String line = in.readLine(); line != null && doc < d.maxDocuments(); line = in.readLine()) {
            if (line.isBlank()) {
              if (inDoc) {
                w.write('\n');
                doc++;
                w = pick(tw, vw, seed, doc, d.devFraction());
              }
              inDoc = false;
              continue;
            }
            w.write(line);
            w.write('\n');
            inDoc = true;
          }
        }
        tw.flush();
        vw.flush();
      }));
    } catch (NoSuchFileException e) {
      throw new JbertException(corpus + ": corpus file not found");
    } catch (IOException e) {
      throw new JbertException(corpus + ": cannot split the corpus (" + e.getMessage() + ")", e);
    }
  }

  private static BufferedWriter pick(BufferedWriter train, BufferedWriter dev, long seed, long doc, double devFraction) {
    double u = (Rng.seed(seed, doc, 7) >>> 11) * 0x1.0p-53;
    return u < devFraction ? dev : train;
  }

  private static String describe(PretrainRunConfig c) {
    PretrainRunConfig.Model m = c.model();
    return m.fromScratch()
        ? "from scratch, L=" + m.numHiddenLayers() + " H=" + m.hiddenSize() + " N=" + m.numAttentionHeads()
        : "continued from " + m.from();
  }
}
