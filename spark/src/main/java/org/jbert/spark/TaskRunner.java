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
import org.jbert.core.tokenize.Truncation;
import org.jbert.core.tokenize.Vocab;
import org.jbert.finetune.head.Predictions;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.head.HeadOutputs;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.finetune.head.TokenClassificationHead;
import org.jbert.finetune.data.LabelMap;
import org.jbert.finetune.data.TaggedSentence;
import org.jbert.finetune.head.QuestionAnsweringHead;
import org.jbert.finetune.qa.NBestEntry;
import org.jbert.finetune.qa.QaExample;
import org.jbert.finetune.qa.QaFeatureBuilder;
import org.jbert.finetune.task.DataFormat;
import org.jbert.finetune.task.QaData;
import org.jbert.finetune.task.TaggingData;
import org.jbert.finetune.task.TaskPredictions;
import org.jbert.finetune.task.TextInputs;

/**
 * A fine-tuned task model with its tokenizer, as the predictor runs it in a partition: text rows in, one result per
 * row out, in input order. This class is the spark module's only user of the finetune prediction API
 * ({@link TaskModel}, {@link Predictions}), so a change there is adapted here. It predicts what {@code jbert predict}
 * does on the same model: the same tokenization (the folder's {@code vocab.txt}, cased or not as {@link Bert#lowerCase}
 * says, longest-first truncation), {@link RowBatches}' length-sorted batches with dynamic padding, and
 * {@link Predictions}' argmax and softmax. Pre-split words ({@link #tagWords}) and QA spans ({@link #answer}) go through
 * the same code as {@code jbert eval}'s task group and a fine-tuning run's evaluation: finetune's {@link TaggingData}
 * and {@link QaData} (SQuAD windows and run_squad.py's post-processing).
 */
public final class TaskRunner implements AutoCloseable {

  /** What a model predicts per row. */
  public enum Kind {
    /** Single-label sequence classification: a label, its id and probability, the logits [C]. */
    CLASSIFICATION,
    /** A regression head (C = 1): one value. */
    REGRESSION,
    /** Token classification: a label and probability per real token ([CLS] and [SEP] included), or per word. */
    TAGGING,
    /** Extractive question answering: an answer span of the context per question. */
    QUESTION_ANSWERING
  }

  /** One row's prediction. */
  public sealed interface Result {}

  /** Classification: the argmax class, its softmax probability and the row's logits [C]. */
  public record Classified(String label, int id, double probability, float[] logits) implements Result {}

  /** Regression: the head's output. */
  public record Value(double value) implements Result {}

  /**
   * QA: the predicted answer ("" = none, SQuAD v2.0), its code points {@code [start, end)} in the context (-1 for
   * none), its probability in the n-best list, and v2.0's {@code null score - best span score} (NaN for v1.1).
   */
  public record Span(String answer, int start, int end, double probability, double nullOdds) {}

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
    if (type.equals(QuestionAnsweringHead.TYPE)) return Kind.QUESTION_ANSWERING;
    if (type.equals(SequenceClassificationHead.TYPE)) {
      ProblemType p = m.context().problemType();
      if (p == ProblemType.SINGLE_LABEL_CLASSIFICATION) return Kind.CLASSIFICATION;
      if (p == ProblemType.REGRESSION) return Kind.REGRESSION;
    }
    throw new JbertException(path + ": a " + type + " head (" + m.context().problemType().hfName() + "); the Spark"
        + " predictor runs single-label classification, regression, token classification and QA models");
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
   * time, texts cut to {@code maxLength} tokens ([CLS] and [SEP]s included; capped at max_position_embeddings), a long
   * single text as {@code cut} says.
   * Returns one result per row, in input order.
   */
  public List<Result> predict(List<String> texts, List<String> textsB, int maxLength, Truncation cut, int batchSize) {
    int p = model.config().maxPositionEmbeddings();
    Preprocessor pre = new Preprocessor(new BertTokenizer(vocab, Bert.lowerCase(folder, vocab)),
        Math.min(maxLength, p), true, cut);
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

  /**
   * Tags pre-split words as {@code jbert eval} scores a CoNLL file ({@link TaggingData}): each word tokenized alone,
   * rows cut to {@code maxLength} pieces, one tag per word (the argmax at its first piece; "O" for a word the model saw
   * no piece of). Returns one list of tags per sentence, in input order.
   */
  public List<List<String>> tagWords(List<List<String>> sentences, int maxLength, int batchSize) {
    LabelMap labels = LabelMap.of(labelNames());
    String unused = labels.label(0); // TaggingData wants gold tags; only its predictions are read
    List<TaggedSentence> in = new ArrayList<>(sentences.size());
    for (int i = 0; i < sentences.size(); i++) {
      List<String> w = sentences.get(i);
      in.add(new TaggedSentence("row", i + 1, w, java.util.Collections.nCopies(w.size(), unused)));
    }
    TaggingData data = TaggingData.of(folder.toString(), in, labels, inputs(maxLength));
    return ((TaskPredictions.Tags) data.predict(model, batchSize)).predicted();
  }

  /**
   * Answers {@code questions} from {@code contexts} as {@code jbert eval} and a fine-tuning run do ({@link QaData}):
   * each context cut into windows of {@code maxLength} tokens ({@code squad}'s max query length and doc stride), the
   * spans chosen by run_squad.py's post-processing ({@code squad}'s n-best size, max answer length, version and null
   * threshold; {@code AUTO} reads as v1.1, since unlabeled questions are never marked impossible). One span per
   * question, in input order.
   */
  public List<Span> answer(List<String> questions, List<String> contexts, DataFormat.Squad squad, int maxLength,
      int batchSize) {
    List<QaExample> examples = new ArrayList<>(questions.size());
    for (int i = 0; i < questions.size(); i++) {
      examples.add(QaExample.unlabelled(Integer.toString(i), questions.get(i), contexts.get(i)));
    }
    TextInputs in = inputs(maxLength);
    String source = folder.toString();
    QaData data = QaData.of(source, examples, new QaFeatureBuilder(in.tokenizer(source),
        squad.features(in.maxSeqLength())), squad.post(examples), false);
    TaskPredictions.Answers a = data.predict(model, batchSize);
    List<Span> out = new ArrayList<>(examples.size());
    for (QaExample q : examples) {
      String text = a.predicted().get(q.id());
      NBestEntry best = a.details().nBest().get(q.id()).stream()
          .filter(e -> e.text().equals(text) && e.isNull() == text.isEmpty()).findFirst().orElse(null);
      out.add(new Span(text, best == null ? -1 : best.start(), best == null ? -1 : best.end(),
          best == null ? 0 : best.probability(), a.nullOdds().getOrDefault(q.id(), Double.NaN)));
    }
    return out;
  }

  private TextInputs inputs(int maxLength) {
    return TextInputs.of(model.config(), model.vocab(), maxLength, folder.toString());
  }

  @Override
  public void close() {
    model.close();
  }
}
