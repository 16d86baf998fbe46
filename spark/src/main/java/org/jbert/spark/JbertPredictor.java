package org.jbert.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML transformer that runs a fine-tuned jbert model (a jbert folder saved with a task head, or a Hugging Face
 * {@code BertFor{Sequence,Token}Classification} folder, with its {@code vocab.txt}) over a text column, as
 * {@code jbert predict --labels-output} does:
 *
 * <ul>
 *   <li>single-label classification: {@code prediction} (label name), {@code prediction_id} (int),
 *       {@code probability} (its softmax probability, double) and {@code logits} ({@code array<float>} [C]);
 *   <li>regression: {@code prediction} (double);
 *   <li>token classification: {@code tokens}, {@code token_labels} ({@code array<string>}) and
 *       {@code token_probabilities} ({@code array<double>}), one entry per real token, [CLS] and [SEP] included.
 * </ul>
 *
 * <p>The model is read on the driver for the output schema and once per executor JVM ({@link ExecutorModels});
 * partitions run as {@link JbertEmbedder}'s do. QA and multi-label models are not supported yet (an error says so).
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

  public JbertPredictor setPredictionCol(String v) {
    set(predictionCol, v);
    return this;
  }

  /** What the model at {@code modelPath} predicts (it is loaded on this JVM, once). */
  public TaskRunner.Kind kind() {
    return ExecutorModels.task(checkedModel()).kind();
  }

  @Override
  public StructType transformSchema(StructType schema) {
    List<StructField> f = new ArrayList<>();
    switch (kind()) {
      case CLASSIFICATION -> {
        f.add(DataTypes.createStructField(string(predictionCol), DataTypes.StringType, false));
        f.add(DataTypes.createStructField(string(predictionIdCol), DataTypes.IntegerType, false));
        f.add(DataTypes.createStructField(string(probabilityCol), DataTypes.DoubleType, false));
        f.add(DataTypes.createStructField(string(logitsCol), DataTypes.createArrayType(DataTypes.FloatType, false),
            false));
      }
      case REGRESSION -> f.add(DataTypes.createStructField(string(predictionCol), DataTypes.DoubleType, false));
      case TAGGING -> {
        f.add(DataTypes.createStructField(string(tokensCol), DataTypes.createArrayType(DataTypes.StringType), false));
        f.add(DataTypes.createStructField(string(tokenLabelsCol), DataTypes.createArrayType(DataTypes.StringType,
            false), false));
        f.add(DataTypes.createStructField(string(tokenProbabilitiesCol), DataTypes.createArrayType(
            DataTypes.DoubleType, false), false));
      }
      default -> throw new IllegalStateException();
    }
    checkInput(schema, f.stream().map(StructField::name).toArray(String[]::new));
    return append(schema, f.toArray(new StructField[0]));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    Job job = new Job(texts(dataset.schema()));
    return mapChunks(dataset, out, job::predict);
  }

  public static MLReader<JbertPredictor> read() {
    return new DefaultParamsReader<>();
  }

  public static JbertPredictor load(String path) {
    return read().load(path);
  }

  /** What a partition needs, shipped to the executors. */
  record Job(Texts texts) implements Serializable {

    List<Object[]> predict(List<Row> rows) {
      TaskRunner runner = ExecutorModels.task(texts.model());
      List<Object[]> out = new ArrayList<>(rows.size());
      for (TaskRunner.Result r : runner.predict(texts.first(rows), texts.second(rows), texts.maxLength(),
          texts.batchSize())) {
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
