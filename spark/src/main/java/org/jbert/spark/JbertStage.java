package org.jbert.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.jbert.core.JbertException;
import org.jbert.core.tokenize.Truncation;

/**
 * What jbert's transformers share: the model ({@code modelPath}), the text columns ({@code inputCol}, optional
 * {@code pairCol}), the longest row in tokens ({@code maxLength}), rows per forward pass ({@code batchSize}) and rows
 * per chunk of a partition ({@code chunkSize}: the rows sorted by length together). Saved and loaded as Spark ML
 * params ({@link DefaultParamsWritable}; the model folder is referenced by path, not copied).
 */
public abstract class JbertStage extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> modelPath;
  private final Param<String> inputCol;
  private final Param<String> pairCol;
  private final IntParam maxLength;
  private final IntParam batchSize;
  private final IntParam chunkSize;
  private final Param<String> truncation;
  private final IntParam headTokens;

  protected JbertStage(String uid) {
    this.uid = uid;
    modelPath = new Param<>(this, "modelPath", "model folder (on a path every executor sees) or pretrained name");
    inputCol = new Param<>(this, "inputCol", "string column of texts");
    pairCol = new Param<>(this, "pairCol", "optional string column of second texts (\"\" = none)");
    maxLength = new IntParam(this, "maxLength", "longest row in tokens, [CLS] and [SEP]s included",
        ParamValidators.gtEq(3));
    batchSize = new IntParam(this, "batchSize", "rows per forward pass", ParamValidators.gtEq(1));
    chunkSize = new IntParam(this, "chunkSize", "rows of a partition sorted by length and batched together",
        ParamValidators.gtEq(1));
    truncation = new Param<>(this, "truncation", "which pieces of a text longer than maxLength - 2 are kept: head (the"
        + " first ones) or head_tail (headTokens from the start, the rest from the end), as the model was trained",
        ParamValidators.inArray(new String[] {"head", "head_tail"}));
    headTokens = new IntParam(this, "headTokens", "pieces kept from the start with truncation head_tail",
        ParamValidators.gtEq(0));
    setDefault(truncation, "head");
    setDefault(headTokens, 0);
    setDefault(inputCol, "text");
    setDefault(pairCol, "");
    setDefault(maxLength, 128);
    setDefault(batchSize, 32);
    setDefault(chunkSize, 1024);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> modelPath() {
    return modelPath;
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> pairCol() {
    return pairCol;
  }

  public IntParam maxLength() {
    return maxLength;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public IntParam chunkSize() {
    return chunkSize;
  }

  public Param<String> truncation() {
    return truncation;
  }

  public IntParam headTokens() {
    return headTokens;
  }

  public JbertStage setTruncation(String v) {
    set(truncation, v);
    return this;
  }

  public JbertStage setHeadTokens(int v) {
    set(headTokens, v);
    return this;
  }

  public JbertStage setModelPath(String v) {
    set(modelPath, v);
    return this;
  }

  public JbertStage setInputCol(String v) {
    set(inputCol, v);
    return this;
  }

  public JbertStage setPairCol(String v) {
    set(pairCol, v);
    return this;
  }

  public JbertStage setMaxLength(int v) {
    set(maxLength, v);
    return this;
  }

  public JbertStage setBatchSize(int v) {
    set(batchSize, v);
    return this;
  }

  public JbertStage setChunkSize(int v) {
    set(chunkSize, v);
    return this;
  }

  /** The model path, checked on the driver ({@link ExecutorModels#requireVisible}). */
  protected String checkedModel() {
    String m = isDefined(modelPath) ? getOrDefault(modelPath) : null;
    ExecutorModels.requireVisible(m, "modelPath");
    return m;
  }

  protected String string(Param<String> p) {
    return getOrDefault(p);
  }

  protected int integer(IntParam p) {
    return (Integer) getOrDefault(p);
  }

  /** The pair column, or null when none is set. */
  protected String pairColumn() {
    String p = getOrDefault(pairCol);
    return p == null || p.isEmpty() ? null : p;
  }

  /** Checks that the input and pair columns are strings and that none of {@code outputs} exists yet. */
  protected void checkInput(StructType schema, String... outputs) {
    checkInput(schema, List.of(DataTypes.StringType), outputs);
  }

  /**
   * Checks that the input column has one of {@code inputTypes}, the pair column (when set) is a string, and none of
   * {@code outputs} exists yet.
   */
  protected void checkInput(StructType schema, List<DataType> inputTypes, String... outputs) {
    requireType(schema, getOrDefault(inputCol), "inputCol", inputTypes.toArray(new DataType[0]));
    if (pairColumn() != null) requireString(schema, pairColumn(), "pairCol");
    for (String o : outputs) {
      if (Arrays.asList(schema.fieldNames()).contains(o)) {
        throw new JbertException("output column " + o + " already exists in the input; expected a new column name");
      }
    }
  }

  /** The columns and sizes of {@code in} a partition needs (shipped to the executors; the model checked here). */
  protected Texts texts(StructType in) {
    String pair = pairColumn();
    return new Texts(checkedModel(), in.fieldIndex(string(inputCol)), string(inputCol),
        pair == null ? -1 : in.fieldIndex(pair), pair, integer(maxLength), integer(batchSize), cut().mode().yamlName(),
        cut().headTokens());
  }

  /** {@code truncation} and {@code headTokens}, checked against each other and {@code maxLength}. */
  protected Truncation cut() {
    return Truncation.parse(string(truncation), integer(headTokens), integer(maxLength), "truncation", "headTokens",
        "maxLength");
  }

  /**
   * {@code dataset}'s rows with {@code fn}'s columns appended (schema {@code out}), a partition run {@code chunkSize}
   * rows at a time ({@link PartitionChunks}). {@code fn} is shipped to the executors: it must capture only
   * serializable values (a {@code Job} record, never the stage).
   */
  protected Dataset<Row> mapChunks(Dataset<?> dataset, StructType out, PartitionChunks.ChunkFunction fn) {
    int chunk = integer(chunkSize);
    return dataset.toDF().mapPartitions((MapPartitionsFunction<Row, Row>) it -> new PartitionChunks(it, chunk, fn),
        Encoders.row(out));
  }

  @Override
  public JbertStage copy(ParamMap extra) {
    return (JbertStage) defaultCopy(extra);
  }

  /**
   * The text columns of a partition's rows: the model, the input column (index and name), the optional pair column
   * (index -1 when none), the longest row in tokens, rows per forward pass, and how long single texts are cut
   * ({@code truncation} {@code head} or {@code head_tail}, with {@code headTokens}).
   */
  record Texts(String model, int input, String inputName, int pair, String pairName, int maxLength, int batchSize,
      String truncation, int headTokens) implements Serializable {

    /** The cut of long single texts. */
    Truncation cut() {
      return truncation.equals("head_tail") ? Truncation.headTail(headTokens) : Truncation.HEAD;
    }

    /** The input column's strings (a null is an error). */
    List<String> first(List<Row> rows) {
      return PartitionChunks.strings(rows, input, inputName, false);
    }

    /** The input column's word lists ({@code array<string>}; a null row or word is an error). */
    List<List<String>> words(List<Row> rows) {
      List<List<String>> out = new java.util.ArrayList<>(rows.size());
      for (Row r : rows) {
        List<String> w = r.isNullAt(input) ? null : r.getList(input);
        if (w == null || w.contains(null)) {
          throw new JbertException("column " + inputName + " holds a null in row " + r + "; expected an array of"
              + " words in every row");
        }
        out.add(w);
      }
      return out;
    }

    /** The pair column's strings (nulls allowed), or null when there is none or every row's is null. */
    List<String> second(List<Row> rows) {
      if (pair < 0) return null;
      List<String> b = PartitionChunks.strings(rows, pair, pairName, true);
      return b.stream().allMatch(Objects::isNull) ? null : b;
    }
  }

  static void requireString(StructType schema, String col, String param) {
    requireType(schema, col, param, DataTypes.StringType);
  }

  static void requireType(StructType schema, String col, String param, DataType... types) {
    if (!Arrays.asList(schema.fieldNames()).contains(col)) {
      throw new JbertException(param + ": no column " + col + " in the input; expected one of the input's columns "
          + Arrays.toString(schema.fieldNames()));
    }
    StructField f = schema.apply(col);
    for (DataType t : types) {
      if (f.dataType().equals(t)) return;
    }
    throw new JbertException(param + ": column " + col + " is " + f.dataType().simpleString() + "; expected "
        + Arrays.stream(types).map(DataType::simpleString).distinct().reduce((a, b) -> a + " or " + b).orElse("?"));
  }

  /** {@code schema} with {@code fields} appended. */
  static StructType append(StructType schema, StructField... fields) {
    StructType s = schema;
    for (StructField f : fields) s = s.add(f);
    return s;
  }
}
