package org.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.jbert.cli.CliRun;
import org.jbert.core.io.Npz;
import org.jbert.testing.TinyEncoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedder in local[2] against {@code jbert embed} on the same texts and model (a tiny random encoder from core's
 * test-jar): pooled outputs within 1e-5, the mean-pooled and [CLS] sequence vectors within 1e-5 of what embed's
 * sequence_output gives, rows in input order with the input's columns kept, and a saved stage that loads back.
 */
class JbertEmbedderTest {
  static final double TOL = 1e-5;
  static final List<String[]> ROWS = List.of(
      new String[] {"I love pizza", null},
      new String[] {"India is my country and the food there is very good", "Italy is fun"},
      new String[] {"a", null},
      new String[] {"the quick brown fox jumps over the lazy dog again and again", null},
      new String[] {"spam spam spam", "eggs"},
      new String[] {"hello world", null},
      new String[] {"visit italy in the summer when the days are long", "or india"},
      new String[] {"short", null},
      new String[] {"one more text of middling length", null});

  @TempDir static Path dir;
  static SparkSession spark;
  static Path model;
  static Map<String, Npz.Array> embed;

  @BeforeAll
  static void modelAndEmbedOutput() throws Exception {
    spark = LocalSpark.session();
    List<String> texts = new ArrayList<>();
    ROWS.forEach(r -> {
      texts.add(r[0]);
      if (r[1] != null) texts.add(r[1]);
    });
    model = TinyEncoder.write(dir.resolve("tiny"), texts, false, 11);
    Path jsonl = dir.resolve("texts.jsonl");
    ObjectMapper json = new ObjectMapper();
    List<String> lines = new ArrayList<>();
    for (String[] r : ROWS) {
      ObjectNode o = json.createObjectNode().put("text", r[0]);
      if (r[1] != null) o.put("text_b", r[1]);
      lines.add(o.toString());
    }
    Files.write(jsonl, lines);
    Path npz = dir.resolve("embed.npz");
    CliRun.Result r = CliRun.run("embed", "--model", model.toString(), "--input", jsonl.toString(), "--output",
        npz.toString(), "--batch-size", "4");
    assertEquals(0, r.code(), r.err());
    embed = Npz.read(npz);
  }

  @Test
  void pooledAndMeanPooledEqualJbertEmbedInInputOrder() {
    Dataset<Row> in = spark.createDataFrame(inputRows(), inputSchema());
    assertEquals(2, in.rdd().getNumPartitions(), "local[2] splits the rows into two partitions");
    JbertEmbedder e = new JbertEmbedder().setSequencePooling("mean");
    e.setModelPath(model.toString()).setPairCol("text_b").setBatchSize(3).setChunkSize(3);
    List<Row> out = e.transform(in).collectAsList();
    assertEquals(ROWS.size(), out.size());
    int h = (int) embed.get("pooled_output").shape()[1];
    int t = (int) embed.get("sequence_output").shape()[1];
    float[] pooled = embed.get("pooled_output").floats();
    float[] seq = embed.get("sequence_output").floats();
    int[] mask = embed.get("input_mask").ints();
    for (int r = 0; r < out.size(); r++) {
      Row row = out.get(r);
      assertEquals(r, row.getLong(0), "rows come out in input order");
      assertEquals(ROWS.get(r)[0], row.getString(1), "input columns are kept");
      List<Float> p = row.getList(row.fieldIndex("pooled_output"));
      List<Float> m = row.getList(row.fieldIndex("sequence_pooled"));
      assertEquals(h, p.size());
      for (int j = 0; j < h; j++) assertEquals(pooled[r * h + j], p.get(j), TOL, "row " + r + " pooled[" + j + "]");
      double[] mean = new double[h];
      int n = 0;
      for (int i = 0; i < t; i++) {
        if (mask[r * t + i] == 0) continue;
        n++;
        for (int j = 0; j < h; j++) mean[j] += seq[(r * t + i) * h + j];
      }
      for (int j = 0; j < h; j++) assertEquals(mean[j] / n, m.get(j), TOL, "row " + r + " mean[" + j + "]");
    }
  }

  @Test
  void clsVectorsEqualEmbedsFirstPositionAndASavedStageLoadsBack() throws Exception {
    JbertEmbedder e = new JbertEmbedder().setSequencePooling("cls").setSequenceOutputCol("cls_pooled");
    e.setModelPath(model.toString()).setPairCol("text_b");
    Path saved = dir.resolve("embedder-stage");
    e.save(saved.toString());
    JbertEmbedder loaded = JbertEmbedder.load(saved.toString());
    assertEquals("cls", loaded.getOrDefault(loaded.sequencePooling()));
    assertEquals(model.toString(), loaded.getOrDefault(loaded.modelPath()));
    List<Row> out = loaded.transform(spark.createDataFrame(inputRows(), inputSchema())).collectAsList();
    int h = (int) embed.get("pooled_output").shape()[1];
    int t = (int) embed.get("sequence_output").shape()[1];
    float[] seq = embed.get("sequence_output").floats();
    for (int r = 0; r < out.size(); r++) {
      List<Float> c = out.get(r).getList(out.get(r).fieldIndex("cls_pooled"));
      for (int j = 0; j < h; j++) assertEquals(seq[(r * t) * h + j], c.get(j), TOL, "row " + r + " cls[" + j + "]");
    }
    assertTrue(out.get(0).schema().fieldNames().length == 5, "id, text, text_b, pooled_output, cls_pooled");
  }

  static List<Row> inputRows() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS.size(); i++) rows.add(RowFactory.create((long) i, ROWS.get(i)[0], ROWS.get(i)[1]));
    return rows;
  }

  static StructType inputSchema() {
    return new StructType().add("id", DataTypes.LongType, false).add("text", DataTypes.StringType)
        .add("text_b", DataTypes.StringType);
  }
}
