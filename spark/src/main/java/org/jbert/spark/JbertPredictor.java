package org.jbert.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.jbert.core.JbertException;
import org.jbert.finetune.task.DataFormat;

/**
 * A Spark ML transformer that runs a fine-tuned jbert model (a jbert folder saved with a task head, or a Hugging Face
 * {@code BertFor{Sequence,Token}Classification} or {@code BertForQuestionAnswering} folder, with its {@code vocab.txt})
 * over a text column, as {@code jbert predict --labels-output} does:
 *
 * <ul>
 *   <li>single-label classification: {@code prediction} (label name), {@code prediction_id} (int),
 *       {@code probability} (its softmax probability, double) and {@code logits} ({@code array<float>} [C]);
 *   <li>regression: {@code prediction} (double);
 *   <li>token classification: {@code tokens}, {@code token_labels} ({@code array<string>}) and
 *       {@code token_probabilities} ({@code array<double>}), one entry per real token, [CLS] and [SEP] included; when
 *       {@code inputCol} is an {@code array<string>} of words instead, {@code word_labels} ({@code array<string>}),
 *       one tag per word, as {@code jbert eval} tags a CoNLL file (the first word piece's argmax; "O" for a word cut
 *       off by {@code maxLength});
 *   <li>extractive QA ({@code inputCol} the question, {@code pairCol} the context): {@code answer} (string, "" for
 *       none), {@code answer_start} and {@code answer_end} (its code points {@code [start, end)} in the context, -1 for
 *       none), {@code answer_probability} (double, in the n-best list) and, for SQuAD v2.0
 *       ({@code squadVersion v2}), {@code null_odds}: the context windowed and the spans chosen as {@code jbert eval}
 *       and fine-tuning runs do ({@code maxLength}, {@code maxQueryLength}, {@code docStride}, {@code nBestSize},
 *       {@code maxAnswerLength}, {@code nullScoreDiffThreshold}: run_squad.py's flags).
 * </ul>
 *
 * <p>The model is read on the driver for the output schema and once per executor JVM ({@link ExecutorModels});
 * partitions run as {@link JbertEmbedder}'s do. Multi-label models are not supported (an error says so).
 */
public final class JbertPredictor extends JbertStage {
  private static final long serialVersionUID = 1L;

  private final Param<String> predictionCol;
  private final Param<String> predictionIdCol;
  private final Param<String> probabilityCol;
  private final Param<String> logitsCol;
  private final Param<String> tokensCol;
  private final Param<String> tokenLabelsCol;
  private final Param<String> tokenProbabilitiesCol;
  private final Param<String> wordLabelsCol;
  private final Param<String> answerCol;
  private final Param<String> nullOddsCol;
  private final IntParam maxQueryLength;
  private final IntParam docStride;
  private final IntParam nBestSize;
  private final IntParam maxAnswerLength;
  private final Param<String> squadVersion;
  private final DoubleParam nullScoreDiffThreshold;

  public JbertPredictor() {
    this(Identifiable$.MODULE$.randomUID("jbertPredictor"));
  }

  public JbertPredictor(String uid) {
    super(uid);
    predictionCol = new Param<>(this, "predictionCol", "predicted label name (regression: the value)");
    predictionIdCol = new Param<>(this, "predictionIdCol", "predicted class id");
    probabilityCol = new Param<>(this, "probabilityCol", "softmax probability of the predicted class");
    logitsCol = new Param<>(this, "logitsCol", "array<float> of the head's logits [C]");
    tokensCol = new Param<>(this, "tokensCol", "tagging: array<string> of the real tokens");
    tokenLabelsCol = new Param<>(this, "tokenLabelsCol", "tagging: array<string> of a label per real token");
    tokenProbabilitiesCol = new Param<>(this, "tokenProbabilitiesCol", "tagging: array<double> of their probabilities");
    setDefault(predictionCol, "prediction");
    setDefault(predictionIdCol, "prediction_id");
    setDefault(probabilityCol, "probability");
    setDefault(logitsCol, "logits");
    setDefault(tokensCol, "tokens");
    setDefault(tokenLabelsCol, "token_labels");
    setDefault(tokenProbabilitiesCol, "token_probabilities");
    wordLabelsCol = new Param<>(this, "wordLabelsCol", "tagging of words (inputCol array<string>): a tag per word");
    answerCol = new Param<>(this, "answerCol", "QA: the answer text; <answerCol>_start, _end, _probability beside");
    nullOddsCol = new Param<>(this, "nullOddsCol", "QA, SQuAD v2.0: null score - best span score");
    maxQueryLength = new IntParam(this, "maxQueryLength", "QA: question word pieces kept", ParamValidators.gtEq(1));
    docStride = new IntParam(this, "docStride", "QA: word pieces between context windows", ParamValidators.gtEq(1));
    nBestSize = new IntParam(this, "nBestSize", "QA: n-best list length", ParamValidators.gtEq(1));
    maxAnswerLength = new IntParam(this, "maxAnswerLength", "QA: longest answer in word pieces",
        ParamValidators.gtEq(1));
    squadVersion = new Param<>(this, "squadVersion", "QA: v1 (every question has an answer) or v2 (the null answer"
        + " competes)", ParamValidators.inArray(new String[] {"v1", "v2"}));
    nullScoreDiffThreshold = new DoubleParam(this, "nullScoreDiffThreshold", "QA, v2: answer \"\" above this");
    setDefault(wordLabelsCol, "word_labels");
    setDefault(answerCol, "answer");
    setDefault(nullOddsCol, "null_odds");
    DataFormat.Squad d = DataFormat.Squad.defaults();
    setDefault(maxQueryLength, d.maxQueryLength());
    setDefault(docStride, d.docStride());
    setDefault(nBestSize, d.nBestSize());
    setDefault(maxAnswerLength, d.maxAnswerLength());
    setDefault(squadVersion, "v1");
    setDefault(nullScoreDiffThreshold, d.nullScoreDiffThreshold());
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public Param<String> predictionIdCol() {
    return predictionIdCol;
  }

  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  public Param<String> logitsCol() {
    return logitsCol;
  }

  public Param<String> tokensCol() {
    return tokensCol;
  }

  public Param<String> tokenLabelsCol() {
    return tokenLabelsCol;
  }

  public Param<String> tokenProbabilitiesCol() {
    return tokenProbabilitiesCol;
  }

  public Param<String> wordLabelsCol() {
    return wordLabelsCol;
  }

  public Param<String> answerCol() {
    return answerCol;
  }

  public Param<String> nullOddsCol() {
    return nullOddsCol;
  }

  public IntParam maxQueryLength() {
    return maxQueryLength;
  }

  public IntParam docStride() {
    return docStride;
  }

  public IntParam nBestSize() {
    return nBestSize;
  }

  public IntParam maxAnswerLength() {
    return maxAnswerLength;
  }

  public Param<String> squadVersion() {
    return squadVersion;
  }

  public DoubleParam nullScoreDiffThreshold() {
    return nullScoreDiffThreshold;
  }

  public JbertPredictor setPredictionCol(String v) {
    set(predictionCol, v);
    return this;
  }

  /** QA: the windows ({@code maxQueryLength}, {@code docStride}) and the answer search (run_squad.py's flags). */
  public JbertPredictor setSquad(String version, int maxQueryLength, int docStride, int nBestSize,
      int maxAnswerLength, double nullScoreDiffThreshold) {
    set(squadVersion, version);
    set(this.maxQueryLength, maxQueryLength);
    set(this.docStride, docStride);
    set(this.nBestSize, nBestSize);
    set(this.maxAnswerLength, maxAnswerLength);
    set(this.nullScoreDiffThreshold, nullScoreDiffThreshold);
    return this;
  }

  private Squad squad() {
    Squad s = new Squad(string(squadVersion).equals("v2"), integer(maxQueryLength), integer(docStride),
        integer(nBestSize), integer(maxAnswerLength), (Double) getOrDefault(nullScoreDiffThreshold));
    s.format(); // checks the values on the driver
    return s;
  }

  /** The QA settings as they travel to the executors ({@link DataFormat.Squad} is not serializable). */
  record Squad(boolean versionTwo, int maxQueryLength, int docStride, int nBestSize, int maxAnswerLength,
      double nullScoreDiffThreshold) implements Serializable {
    DataFormat.Squad format() {
      return new DataFormat.Squad(versionTwo ? DataFormat.SquadVersion.V2 : DataFormat.SquadVersion.V1,
          maxQueryLength, docStride, nBestSize, maxAnswerLength, nullScoreDiffThreshold);
    }
  }

  /** True when {@code inputCol} of {@code schema} holds pre-split words ({@code array<string>}). */
  private boolean words(StructType schema) {
    String in = string(inputCol());
    return java.util.Arrays.asList(schema.fieldNames()).contains(in)
        && schema.apply(in).dataType() instanceof org.apache.spark.sql.types.ArrayType;
  }

  /** What the model at {@code modelPath} predicts (it is loaded on this JVM, once). */
  public TaskRunner.Kind kind() {
    return ExecutorModels.task(checkedModel()).kind();
  }

  @Override
  public StructType transformSchema(StructType schema) {
    List<StructField> f = new ArrayList<>();
    List<DataType> inputTypes = List.of(DataTypes.StringType);
    TaskRunner.Kind kind = kind();
    switch (kind) {
      case CLASSIFICATION -> {
        f.add(column(string(predictionCol), DataTypes.StringType));
        f.add(column(string(predictionIdCol), DataTypes.IntegerType));
        f.add(column(string(probabilityCol), DataTypes.DoubleType));
        f.add(column(string(logitsCol), DataTypes.createArrayType(DataTypes.FloatType, false)));
      }
      case REGRESSION -> f.add(column(string(predictionCol), DataTypes.DoubleType));
      case TAGGING -> {
        inputTypes = List.of(DataTypes.StringType, WORDS);
        if (words(schema)) {
          f.add(column(string(wordLabelsCol), DataTypes.createArrayType(DataTypes.StringType, false)));
        } else {
          f.add(column(string(tokensCol), DataTypes.createArrayType(DataTypes.StringType)));
          f.add(column(string(tokenLabelsCol), DataTypes.createArrayType(DataTypes.StringType, false)));
          f.add(column(string(tokenProbabilitiesCol), DataTypes.createArrayType(DataTypes.DoubleType, false)));
        }
      }
      case QUESTION_ANSWERING -> {
        if (pairColumn() == null) {
          throw new JbertException("pairCol is not set: a QA model reads the question from inputCol and the context"
              + " from pairCol; expected the context column's name");
        }
        String a = string(answerCol);
        f.add(column(a, DataTypes.StringType));
        f.add(column(a + "_start", DataTypes.IntegerType));
        f.add(column(a + "_end", DataTypes.IntegerType));
        f.add(column(a + "_probability", DataTypes.DoubleType));
        if (string(squadVersion).equals("v2")) f.add(column(string(nullOddsCol), DataTypes.DoubleType));
      }
      default -> throw new IllegalStateException(kind.name());
    }
    checkInput(schema, inputTypes, f.stream().map(StructField::name).toArray(String[]::new));
    return append(schema, f.toArray(new StructField[0]));
  }

  private static final DataType WORDS = DataTypes.createArrayType(DataTypes.StringType);

  private static StructField column(String name, DataType type) {
    return DataTypes.createStructField(name, type, false);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    Job job = new Job(texts(dataset.schema()), kind(), words(dataset.schema()), squad());
    return mapChunks(dataset, out, job::predict);
  }

  public static MLReader<JbertPredictor> read() {
    return new DefaultParamsReader<>();
  }

  public static JbertPredictor load(String path) {
    return read().load(path);
  }

  /** What a partition needs, shipped to the executors. */
  record Job(Texts texts, TaskRunner.Kind kind, boolean words, Squad squad) implements Serializable {

    List<Object[]> predict(List<Row> rows) {
      TaskRunner runner = ExecutorModels.task(texts.model());
      List<Object[]> out = new ArrayList<>(rows.size());
      if (words) {
        for (List<String> tags : runner.tagWords(texts.words(rows), texts.maxLength(), texts.batchSize())) {
          out.add(new Object[] {tags.toArray(new String[0])});
        }
        return out;
      }
      if (kind == TaskRunner.Kind.QUESTION_ANSWERING) {
        List<String> contexts = PartitionChunks.strings(rows, texts.pair(), texts.pairName(), false);
        boolean v2 = squad.versionTwo();
        for (TaskRunner.Span a : runner.answer(texts.first(rows), contexts, squad.format(), texts.maxLength(),
            texts.batchSize())) {
          out.add(v2 ? new Object[] {a.answer(), a.start(), a.end(), a.probability(), a.nullOdds()}
              : new Object[] {a.answer(), a.start(), a.end(), a.probability()});
        }
        return out;
      }
      for (TaskRunner.Result r : runner.predict(texts.first(rows), texts.second(rows), texts.maxLength(),
          texts.cut(), texts.batchSize())) {
        if (r instanceof TaskRunner.Classified c) {
          out.add(new Object[] {c.label(), c.id(), c.probability(), c.logits()});
        } else if (r instanceof TaskRunner.Value v) {
          out.add(new Object[] {v.value()});
        } else {
          TaskRunner.Tagged t = (TaskRunner.Tagged) r;
          out.add(new Object[] {t.tokens().toArray(new String[0]), t.labels().toArray(new String[0]),
              t.probabilities().stream().mapToDouble(Double::doubleValue).toArray()});
        }
      }
      return out;
    }
  }
}
