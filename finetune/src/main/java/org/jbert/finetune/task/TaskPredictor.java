package org.jbert.finetune.task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.tokenize.Truncation;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.data.Example;
import org.jbert.finetune.data.LabelMap;
import org.jbert.finetune.data.TaggedSentence;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.qa.QaExample;
import org.jbert.finetune.qa.QaFeatureBuilder;

/**
 * Scores a fine-tuned {@link TaskModel} on a data file: reads it in a {@link DataFormat}, encodes it for the model
 * (its vocabulary, its label names) and returns gold and predicted labels. Metrics are the caller's (the eval module
 * has them: {@code ClassificationMetrics}, {@code RegressionMetrics}, {@code EntityMetrics}, {@code SquadMetrics}).
 *
 * <pre>{@code
 * try (TaskModel m = TaskModelFiles.load(Path.of("runs/ner/model"))) {
 *   TaskPredictions p = TaskPredictor.predict(m, Path.of("dev.conll"), DataFormat.of(DataFormat.Source.CONLL), 16);
 *   if (p instanceof TaskPredictions.Tags t) EntityMetrics.of(t.gold(), t.predicted());
 * }
 * }</pre>
 *
 * <p>Labels: a classification or tagging file's labels must be among the model's label names (id2label); a model
 * whose names are Hugging Face's placeholders ({@code LABEL_0, LABEL_1, ...}) or absent also takes the integer labels
 * {@code 0..C-1}.
 */
public final class TaskPredictor {
  private TaskPredictor() {}

  /**
   * The gold labels of {@code file} and {@code model}'s predictions, {@code batchSize} rows at a time: a
   * {@link TaskPredictions.Classes} or {@link TaskPredictions.Values} (regression head) for sequence classification,
   * {@link TaskPredictions.Tags} for token classification, {@link TaskPredictions.Answers} for QA.
   *
   * @throws JbertException if the format does not fit the model's head, or the file has an error (named by line)
   */
  public static TaskPredictions predict(TaskModel model, Path file, DataFormat format, int batchSize) {
    return encode(model, file, format).predict(model, batchSize);
  }

  /** {@code file} encoded for {@code model} (see {@link #predict}), e.g. to predict it several times. */
  public static TaskData encode(TaskModel model, Path file, DataFormat format) {
    TaskKind kind = TaskKind.of(model.head(), model.context());
    format.requireKind(kind, model.head().type());
    TextInputs inputs = TextInputs.of(model.config(), model.vocab(), format.maxSeqLength(), "the model")
        .withTruncation(format.truncation());
    String source = file.toString();
    return switch (kind) {
      case SEQUENCE_CLASSIFICATION -> sequences(model, source, format.readExamples(file), inputs);
      case TOKEN_CLASSIFICATION -> {
        List<TaggedSentence> sentences = format.readSentences(file);
        List<String> tags = new ArrayList<>();
        sentences.forEach(s -> tags.addAll(s.tags()));
        yield TaggingData.of(source, sentences, labelMap(model, tags), inputs);
      }
      case QUESTION_ANSWERING -> {
        List<QaExample> questions = format.readQuestions(file);
        QaFeatureBuilder builder = new QaFeatureBuilder(inputs.tokenizer(source),
            format.squad().features(inputs.maxSeqLength()));
        yield QaData.of(source, questions, builder, format.squad().post(questions), false);
      }
    };
  }

  /**
   * As {@link #predict} for examples already read (e.g. the first N of a file): a sequence classification or
   * regression model's {@link TaskPredictions.Classes} or {@link TaskPredictions.Values}.
   *
   * @param source names the examples' file in errors
   * @param maxSeqLength texts are cut to this many tokens, [CLS] and [SEP] included
   */
  public static TaskPredictions predictExamples(TaskModel model, String source, List<Example> examples,
      int maxSeqLength, int batchSize) {
    return predictExamples(model, source, examples, maxSeqLength, Truncation.HEAD, batchSize);
  }

  /** As {@link #predictExamples(TaskModel, String, List, int, int)}, single texts cut as {@code truncation} says. */
  public static TaskPredictions predictExamples(TaskModel model, String source, List<Example> examples,
      int maxSeqLength, Truncation truncation, int batchSize) {
    TaskKind kind = TaskKind.of(model.head(), model.context());
    if (kind != TaskKind.SEQUENCE_CLASSIFICATION) {
      throw new JbertException(source + ": labeled texts need a sequence classification model; the model has a "
          + model.head().type() + " head");
    }
    TextInputs inputs = TextInputs.of(model.config(), model.vocab(), maxSeqLength, "the model")
        .withTruncation(truncation);
    return sequences(model, source, examples, inputs).predict(model, batchSize);
  }

  private static SequenceData sequences(TaskModel model, String source, List<Example> examples, TextInputs inputs) {
    if (model.context().problemType() == ProblemType.REGRESSION) {
      return SequenceData.regression(source, examples, inputs);
    }
    List<String> labels = new ArrayList<>();
    for (Example e : examples) labels.add(e.label());
    return SequenceData.classification(source, examples, labelMap(model, labels), inputs);
  }

  /**
   * The model's labels: its id2label names, except that placeholder names {@code LABEL_i} (or none) read
   * {@code "i"} when every label of the data is such an integer.
   */
  static LabelMap labelMap(TaskModel model, List<String> dataLabels) {
    int c = model.context().numLabels();
    List<String> names = model.labelNames();
    boolean placeholders = names.isEmpty();
    if (!placeholders) {
      placeholders = true;
      for (int i = 0; i < names.size(); i++) placeholders &= names.get(i).equals("LABEL_" + i);
    }
    if (placeholders && !dataLabels.isEmpty() && dataLabels.stream().allMatch(l -> isId(l, c))) {
      List<String> numbered = new ArrayList<>();
      for (int i = 0; i < c; i++) numbered.add(Integer.toString(i));
      return LabelMap.of(numbered);
    }
    if (names.isEmpty()) {
      throw new JbertException("the model has no label names (id2label) and the data's labels are not the class ids"
          + " 0.." + (c - 1) + "; expected labels the model knows");
    }
    return LabelMap.of(names);
  }

  private static boolean isId(String s, int c) {
    if (!s.matches("[0-9]{1,9}")) return false;
    return Integer.parseInt(s) < c;
  }
}
