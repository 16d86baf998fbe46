package org.jbert.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.jbert.core.io.Npz;
import org.jbert.core.model.Bert;
import org.jbert.core.model.EncoderResult;
import org.jbert.core.model.RowBatches;
import org.jbert.core.tokenize.Features;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A Spark ML transformer that embeds text with a BERT encoder: {@code inputCol} (and {@code pairCol}) in,
 * {@code outputCol} (default {@code pooled_output}) out as {@code array<float>} [H], the encoder's pooled output as
 * {@code jbert embed} writes it. With {@code sequencePooling} {@code mean} or {@code cls}, also
 * {@code sequenceOutputCol} [H]: the mean of {@code sequence_output} over the real tokens ({@code input_mask} 1,
 * [CLS] and [SEP] included), or its [CLS] vector.
 *
 * <p>Each executor JVM loads the model once ({@link ExecutorModels}); a partition is run a chunk at a time, each chunk
 * tokenized, sorted by length and batched with dynamic padding ({@link RowBatches}), and rows come out in input order
 * with every input column kept.
 *
 * <pre>{@code
 * Dataset<Row> out = new JbertEmbedder().setModelPath("/shared/models/bert-base-uncased").transform(texts);
 * }</pre>
 */
public final class JbertEmbedder extends JbertStage {
  private static final long serialVersionUID = 1L;
  static final String POOLED = "pooled_output";
  static final String SEQUENCE = "sequence_pooled";

  private final Param<String> outputCol;
  private final Param<String> sequencePooling;
  private final Param<String> sequenceOutputCol;

  public JbertEmbedder() {
    this(Identifiable$.MODULE$.randomUID("jbertEmbedder"));
  }

  public JbertEmbedder(String uid) {
    super(uid);
    outputCol = new Param<>(this, "outputCol", "array<float> column of pooled outputs [H]");
    sequencePooling = new Param<>(this, "sequencePooling", "also pool sequence_output: none, mean (over real"
        + " tokens) or cls", ParamValidators.inArray(new String[] {"none", "mean", "cls"}));
    sequenceOutputCol = new Param<>(this, "sequenceOutputCol", "array<float> column of the pooled sequence output");
    setDefault(outputCol, POOLED);
    setDefault(sequencePooling, "none");
    setDefault(sequenceOutputCol, SEQUENCE);
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> sequencePooling() {
    return sequencePooling;
  }

  public Param<String> sequenceOutputCol() {
    return sequenceOutputCol;
  }

  public JbertEmbedder setOutputCol(String v) {
    set(outputCol, v);
    return this;
  }

  public JbertEmbedder setSequencePooling(String v) {
    set(sequencePooling, v);
    return this;
  }

  public JbertEmbedder setSequenceOutputCol(String v) {
    set(sequenceOutputCol, v);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    List<String> outs = outputs();
    checkInput(schema, outs.toArray(new String[0]));
    List<StructField> f = new ArrayList<>();
    for (String o : outs) f.add(DataTypes.createStructField(o, DataTypes.createArrayType(DataTypes.FloatType, false),
        false));
    return append(schema, f.toArray(new StructField[0]));
  }

  private List<String> outputs() {
    List<String> outs = new ArrayList<>(List.of(string(outputCol)));
    if (!string(sequencePooling).equals("none")) outs.add(string(sequenceOutputCol));
    return outs;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    Job job = new Job(texts(dataset.schema()), string(sequencePooling));
    return mapChunks(dataset, out, job::embed);
  }

  public static MLReader<JbertEmbedder> read() {
    return new DefaultParamsReader<>();
  }

  public static JbertEmbedder load(String path) {
    return read().load(path);
  }

  /** What a partition needs, shipped to the executors. */
  record Job(Texts texts, String pooling) implements Serializable {

    List<Object[]> embed(List<Row> rows) {
      Bert bert = ExecutorModels.encoder(texts.model());
      Features f = bert.preprocess(texts.first(rows), texts.second(rows), texts.maxLength(), true,
          texts.cut());
      Map<String, Npz.Array> out = RowBatches.gather(f, texts.batchSize(), true, Set.of(),
          batch -> encode(bert, batch));
      int h = bert.config().hiddenSize();
      float[] pooled = out.get(POOLED).floats();
      float[] seq = out.containsKey(SEQUENCE) ? out.get(SEQUENCE).floats() : null;
      List<Object[]> rowsOut = new ArrayList<>(rows.size());
      for (int r = 0; r < rows.size(); r++) {
        float[] p = Arrays.copyOfRange(pooled, r * h, (r + 1) * h);
        rowsOut.add(seq == null ? new Object[] {p} : new Object[] {p, Arrays.copyOfRange(seq, r * h, (r + 1) * h)});
      }
      return rowsOut;
    }

    /** One batch's pooled output [b,H] and, when asked, the pooled sequence output [b,H]. */
    private Map<String, INDArray> encode(Bert bert, RowBatches.Batch batch) {
      try (EncoderResult r = bert.model().encode(batch.inputWordIds(), batch.inputMask(), batch.inputTypeIds())) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(POOLED, r.pooledOutput().dup());
        INDArray seq = r.sequenceOutput();
        if (pooling.equals("cls")) {
          m.put(SEQUENCE, seq.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup('c'));
        } else if (pooling.equals("mean")) {
          m.put(SEQUENCE, meanOverRealTokens(seq, batch.inputMask()));
        }
        return m;
      }
    }
  }

  /** The mean over the positions where {@code mask} is 1 of {@code seq} [b,bt,H]: [b,H]. */
  static INDArray meanOverRealTokens(INDArray seq, int[][] mask) {
    int b = (int) seq.size(0), bt = (int) seq.size(1), h = (int) seq.size(2);
    float[] s;
    try (INDArray c = seq.castTo(DataType.FLOAT).dup('c')) {
      s = c.data().asFloat();
    }
    float[][] out = new float[b][h];
    for (int k = 0; k < b; k++) {
      double[] sum = new double[h];
      int n = 0;
      for (int i = 0; i < bt; i++) {
        if (mask[k][i] == 0) continue;
        n++;
        for (int j = 0; j < h; j++) sum[j] += s[(k * bt + i) * h + j];
      }
      for (int j = 0; j < h; j++) out[k][j] = n == 0 ? 0f : (float) (sum[j] / n);
    }
    return Nd4j.createFromArray(out);
  }
}
