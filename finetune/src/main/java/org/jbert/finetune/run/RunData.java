package org.jbert.finetune.run;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.finetune.data.Example;
import org.jbert.finetune.data.LabelMap;
import org.jbert.finetune.data.Sampling;
import org.jbert.finetune.data.TaggedSentence;
import org.jbert.finetune.qa.QaExample;
import org.jbert.finetune.qa.QaFeatureBuilder;
import org.jbert.finetune.task.DataFormat;
import org.jbert.finetune.task.QaData;
import org.jbert.finetune.task.SequenceData;
import org.jbert.finetune.task.TaggingData;
import org.jbert.finetune.task.TaskData;
import org.jbert.finetune.task.TaskKind;
import org.jbert.finetune.task.TextInputs;

/**
 * A run's train, dev and test files as read (before encoding): the training examples, sampled down to
 * {@code max_train_examples}, decide the labels; {@link #encode} then turns all three into {@link TaskData} with the
 * run's final label map.
 *
 * @param <E> the example type of the task
 */
abstract sealed class RunData<E> {
  /** The three encoded sets; dev and test are null when the run has no such file. */
  record Encoded(TaskData train, TaskData dev, TaskData test) {}

  final DataFormat format;
  final Path trainFile;
  final Path devFile;
  final Path testFile;
  final List<E> train;
  final List<E> dev;
  final List<E> test;

  private RunData(DataFormat format, Path trainFile, Path devFile, Path testFile, int maxTrain, long seed) {
    this.format = format;
    this.trainFile = trainFile;
    this.devFile = devFile;
    this.testFile = testFile;
    List<E> all = read(trainFile);
    if (all.isEmpty()) {
      throw new JbertException(trainFile + ": no training examples; expected at least one " + noun());
    }
    // A seeded random subset in file order: the first N rows of a file sorted by id or label may hold one label.
    this.train = maxTrain > 0 ? Sampling.sample(all, maxTrain, seed) : all;
    this.dev = devFile == null ? null : nonEmpty(devFile, read(devFile));
    this.test = testFile == null ? null : nonEmpty(testFile, read(testFile));
  }

  private List<E> nonEmpty(Path file, List<E> l) {
    if (l.isEmpty()) throw new JbertException(file + ": no examples; expected at least one " + noun() + " to score");
    return l;
  }

  /** Reads the files of a run of {@code kind}. */
  static RunData<?> read(TaskKind kind, DataFormat format, Path train, Path dev, Path test, int maxTrain, long seed) {
    return switch (kind) {
      case SEQUENCE_CLASSIFICATION -> new Sequences(format, train, dev, test, maxTrain, seed);
      case TOKEN_CLASSIFICATION -> new Sentences(format, train, dev, test, maxTrain, seed);
      case QUESTION_ANSWERING -> new Questions(format, train, dev, test, maxTrain, seed);
    };
  }

  abstract List<E> read(Path file);

  abstract String noun();

  /** Every label of every training example (classification, tagging); empty for QA. */
  abstract List<String> trainLabels();

  /**
   * Encodes the three sets.
   *
   * @param labels the run's labels (classification, tagging); null for regression and QA
   */
  abstract Encoded encode(LabelMap labels, TextInputs inputs);

  /** The distinct training labels in LabelMap's order. */
  LabelMap trainLabelMap() {
    return LabelMap.fromLabels(trainFile.toString(), trainLabels());
  }

  int devExamples() {
    return dev == null ? 0 : dev.size();
  }

  int testExamples() {
    return test == null ? 0 : test.size();
  }

  static final class Sequences extends RunData<Example> {
    Sequences(DataFormat f, Path train, Path dev, Path test, int maxTrain, long seed) {
      super(f, train, dev, test, maxTrain, seed);
      for (Example e : this.train) {
        if (e.multiLabel()) {
          throw new JbertException(e.where() + ": \"label\" is a list; multi-label runs are not supported, expected"
              + " one label per example");
        }
      }
    }

    @Override
    List<Example> read(Path file) {
      return format.readExamples(file);
    }

    @Override
    String noun() {
      return "labeled text";
    }

    @Override
    List<String> trainLabels() {
      List<String> l = new ArrayList<>();
      for (Example e : train) l.add(e.label());
      return l;
    }

    @Override
    Encoded encode(LabelMap labels, TextInputs inputs) {
      return new Encoded(one(trainFile, train, labels, inputs), one(devFile, dev, labels, inputs),
          one(testFile, test, labels, inputs));
    }

    private static TaskData one(Path file, List<Example> l, LabelMap labels, TextInputs inputs) {
      if (l == null) return null;
      return labels == null ? SequenceData.regression(file.toString(), l, inputs)
          : SequenceData.classification(file.toString(), l, labels, inputs);
    }
  }

  static final class Sentences extends RunData<TaggedSentence> {
    Sentences(DataFormat f, Path train, Path dev, Path test, int maxTrain, long seed) {
      super(f, train, dev, test, maxTrain, seed);
    }

    @Override
    List<TaggedSentence> read(Path file) {
      return format.readSentences(file);
    }

    @Override
    String noun() {
      return "tagged sentence";
    }

    @Override
    List<String> trainLabels() {
      List<String> l = new ArrayList<>();
      for (TaggedSentence s : train) l.addAll(s.tags());
      return l;
    }

    @Override
    Encoded encode(LabelMap labels, TextInputs inputs) {
      return new Encoded(one(trainFile, train, labels, inputs), one(devFile, dev, labels, inputs),
          one(testFile, test, labels, inputs));
    }

    private static TaskData one(Path file, List<TaggedSentence> l, LabelMap labels, TextInputs inputs) {
      return l == null ? null : TaggingData.of(file.toString(), l, labels, inputs);
    }
  }

  static final class Questions extends RunData<QaExample> {
    Questions(DataFormat f, Path train, Path dev, Path test, int maxTrain, long seed) {
      super(f, train, dev, test, maxTrain, seed);
    }

    @Override
    List<QaExample> read(Path file) {
      return format.readQuestions(file);
    }

    @Override
    String noun() {
      return "question";
    }

    @Override
    List<String> trainLabels() {
      return List.of();
    }

    @Override
    Encoded encode(LabelMap labels, TextInputs inputs) {
      QaFeatureBuilder b = new QaFeatureBuilder(inputs.tokenizer(trainFile.toString()),
          format.squad().features(inputs.maxSeqLength()));
      return new Encoded(one(trainFile, train, b, true), one(devFile, dev, b, false), one(testFile, test, b, false));
    }

    private QaData one(Path file, List<QaExample> l, QaFeatureBuilder b, boolean training) {
      if (l == null) return null;
      List<QaExample> both = new ArrayList<>(train);
      both.addAll(l);
      // SQuAD version auto: v2.0 when the training file or this file has an impossible question.
      return QaData.of(file.toString(), l, b, format.squad().post(both), training);
    }
  }
}
