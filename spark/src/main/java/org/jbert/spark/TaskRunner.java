package org.jbert.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbert.core.JbertException;
import org.jbert.core.io.Npz;
import org.jbert.core.model.Bert;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.RowBatches;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.core.tokenize.Vocab;
import org.jbert.finetune.head.Predictions;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.head.HeadOutputs;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.finetune.head.TokenClassificationHead;

/**
 * A fine-tuned task model with its tokenizer, as the predictor runs it in a partition: text rows in, one result per
 * row out, in input order. This class is the spark module's only user of the finetune prediction API
 * ({@link TaskModel}, {@link Predictions}), so a change there is adapted here. It predicts what {@code jbert predict}
 * does on the same model: the same tokenization (the folder's {@code vocab.txt}, cased or not as {@link Bert#lowerCase}
 * says, longest-first truncation), {@link RowBatches}' length-sorted batches with dynamic padding, and
 * {@link Predictions}' argmax and softmax.
 */
public final class TaskRunner implements AutoCloseable {

  /** What a model predicts per row. */
  public enum Kind {
    /** Single-label sequence classification: a label, its id and probability, the logits [C]. */
    CLASSIFICATION,
    /** A regression head (C = 1): one value. */
    REGRESSION,
    /** Token classification: a label and probability per real token ([CLS] and [SEP] included). */
    TAGGING
  }

  /** One row's prediction. */
  public sealed interface Result {}

  /** Classification: the argmax class, its softmax probability and the row's logits [C]. */
  public record Classified(String label, int id, double probability, float[] logits) implements Result {}

  /** Regression: the head's output. */
  public record Value(double value) implements Result {}

  /** Tagging: the real tokens ({@code null} entries when the model has no vocabulary), their labels, probabilities. */
  public record Tagged(List<String> tokens, List<String> labels, List<Double> probabilities) implements Result {}

  private final TaskModel model;
  private final Path folder;
  private final Kind kind;
  private final Vocab vocab;

  private TaskRunner(TaskModel model, Path folder, Kind kind, Vocab vocab) {
    this.model = model;
    this.folder = folder;
    this.kind = kind;
    this.vocab = vocab;
  }

  /** Opens a jbert folder saved with a task head, or a Hugging Face folder whose weights name one. */
  static TaskRunner open(String path) {
    Path folder = Path.of(path);
    TaskModel m = Files.isRegularFile(folder.resolve(BertModel.JBERT_FILE)) ? TaskModelFiles.load(folder)
        : TaskModelFiles.huggingFaceHead(folder).map(h -> TaskModelFiles.fromHuggingFace(folder)).orElseThrow(() ->
            new JbertException(path + ": no task head in this folder; expected a jbert folder saved with a head or a"
                + " Hugging Face BertFor{Sequence,Token}Classification folder (encoders: JbertEmbedder)"));
    try {
      Kind kind = kindOf(path, m);
      Vocab v = m.vocab().map(Vocab::load).orElseThrow(() -> new JbertException(path + ": no vocab.txt beside the"
          + " weights, so text rows cannot be tokenized; expected the model's vocab.txt in the folder"));
      if (v.size() != m.config().vocabSize()) {
        throw new JbertException(v.source() + " has " + v.size() + " tokens but the model's vocab_size is "
            + m.config().vocabSize() + "; expected the model's own vocabulary");
      }
      return new TaskRunner(m, folder, kind, v);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  private static Kind kindOf(String path, TaskModel m) {
    String type = m.head().type();
    if (type.equals(TokenClassificationHead.TYPE)) return Kind.TAGGING;
    if (type.equals(SequenceClassificationHead.TYPE)) {
      ProblemType p = m.context().problemType();
      if (p == ProblemType.SINGLE_LABEL_CLASSIFICATION) return Kind.CLASSIFICATION;
      if (p == ProblemType.REGRESSION) return Kind.REGRESSION;
    }
    throw new JbertException(path + ": a " + type + " head (" + m.context().problemType().hfName() + "); the Spark"
        + " predictor runs single-label classification, regression and token classification models");
  }

  /** What the model predicts. */
  public Kind kind() {
    return kind;
  }

  /** The class names in id order ({@code LABEL_i} where the model has none). */
  public List<String> labelNames() {
    return Predictions.labelNames(model.labelNames(), model.context().numLabels());
  }

  /** Whether the model's own label names are Hugging Face's placeholders {@code LABEL_i} (or absent). */
  public boolean placeholderLabels() {
    List<String> names = model.labelNames();
    for (int i = 0; i < names.size(); i++) {
      if (!names.get(i).equals("LABEL_" + i)) return false;
    }
    return true;
  }

  /**
   * Predicts rows of text (and optional second texts, {@code textsB} null or holding nulls), {@code batchSize} at a
   * time, texts cut to {@code maxLength} tokens ([CLS] and [SEP]s included; capped at max_position_embeddings).
   * Returns one result per row, in input order.
   */
  public List<Result> predict(List<String> texts, List<String> textsB, int maxLength, int batchSize) {
    int p = model.config().maxPositionEmbeddings();
    Preprocessor pre = new Preprocessor(new BertTokenizer(vocab, Bert.lowerCase(folder, vocab)),
        Math.min(maxLength, p), true);
    Features f = pre.encodePairs(texts, textsB);
    Set<String> perToken = kind == Kind.TAGGING ? Set.of(HeadOutputs.LOGITS) : Set.of();
    Map<String, Npz.Array> out = RowBatches.gather(f, batchSize, true, perToken,
        b -> model.predict(b.inputWordIds(), b.inputMask(), b.inputTypeIds()));
    Npz.Array logits = out.get(HeadOutputs.LOGITS);
    long[] s = logits.shape();
    int n = (int) s[0];
    float[] l = logits.floats();
    List<Result> results = new ArrayList<>(n);
    switch (kind) {
      case CLASSIFICATION -> {
        int c = (int) s[1];
        List<Predictions.Label> labels = Predictions.classify(l, n, c, model.labelNames());
        for (int r = 0; r < n; r++) {
          Predictions.Label x = labels.get(r);
          float[] row = new float[c];
          System.arraycopy(l, r * c, row, 0, c);
          results.add(new Classified(x.name(), x.id(), x.probability(), row));
        }
      }
      case REGRESSION -> {
        for (int r = 0; r < n; r++) results.add(new Value(l[r * (int) s[1]]));
      }
      case TAGGING -> {
        int t = (int) s[1], c = (int) s[2];
        List<List<Predictions.Label>> tags = Predictions.tag(l, n, t, c, f.inputMask(), model.labelNames());
        for (int r = 0; r < n; r++) {
          List<String> tokens = new ArrayList<>(), names = new ArrayList<>();
          List<Double> probs = new ArrayList<>();
          for (int i = 0; i < t; i++) {
            if (f.inputMask()[r][i] != 0) tokens.add(vocab.token(f.inputWordIds()[r][i]));
          }
          for (Predictions.Label x : tags.get(r)) {
            names.add(x.name());
            probs.add(x.probability());
          }
          results.add(new Tagged(tokens, names, probs));
        }
      }
      default -> throw new IllegalStateException(kind.name());
    }
    return results;
  }

  @Override
  public void close() {
    model.close();
  }
}
