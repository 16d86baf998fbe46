package org.jbert.spark;

import static org.jbert.cli.CliRun.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jbert.cli.CliRun;
import org.jbert.cli.Main;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.io.Npz;
import org.jbert.eval.metrics.TaskScores;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.data.JsonLinesReader;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.finetune.task.TaskPredictor;
import org.jbert.testing.TinyEncoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jbert spark embed|predict|eval} in local[2] (the default master, reusing the tests' session): outputs keep an
 * id column and equal {@code jbert embed} / {@code jbert predict} / the eval scores on the same rows; bad input is one
 * line with exit status 2 and leaves no output folder and no temp folder behind.
 */
class SparkCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[][] ROWS = {{"I love pizza", "pos"}, {"India is my country", "neutral"},
      {"the food was awful and the service slow", "neg"}, {"visit italy", "pos"}, {"spam and eggs", "neg"},
      {"hello world", "neutral"}, {"a lovely day in the park with friends", "pos"}};

  @TempDir static Path dir;
  static SparkSession spark;
  static Path jsonl;
  static Path encoder;
  static Path classifier;

  @BeforeAll
  static void models() throws Exception {
    spark = LocalSpark.session();
    List<String> texts = new ArrayList<>(), lines = new ArrayList<>();
    for (String[] r : ROWS) {
      texts.add(r[0]);
      lines.add(JSON.createObjectNode().put("text", r[0]).put("label", r[1]).toString());
    }
    jsonl = dir.resolve("rows.jsonl");
    Files.write(jsonl, lines);
    encoder = TinyEncoder.write(dir.resolve("encoder"), texts, false, 3);
    List<String> vocab = TinyEncoder.vocab(texts, false);
    BertConfig c = new BertConfig(vocab.size(), 16, 1, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 32, 2, 0.02, 1e-12);
    classifier = dir.resolve("classifier");
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(),
        HeadContext.of(c, 3).withLabelNames(List.of("neg", "pos", "neutral")), 9)) {
      TaskModelFiles.save(m, classifier);
    }
    Files.write(classifier.resolve("vocab.txt"), vocab);
  }

  @Test
  void embedWritesParquetWithIdAndPooledOutputEqualToJbertEmbed() throws Exception {
    Path npz = dir.resolve("embed.npz");
    assertEquals(0, CliRun.run("embed", "--model", encoder.toString(), "--input", jsonl.toString(), "--output",
        npz.toString()).code());
    float[] want = Npz.read(npz).get("pooled_output").floats();
    Path out = dir.resolve("embedded.parquet");
    CliRun.Result r = CliRun.run("spark", "embed", "--model", encoder.toString(), "--input", jsonl.toString(),
        "--output", out.toString(), "--batch-size", "2");
    assertEquals(0, r.code(), r.err());
    List<Row> rows = spark.read().parquet(out.toString()).orderBy("id").collectAsList();
    assertEquals(ROWS.length, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      assertEquals(i, row.getLong(row.fieldIndex("id")), "id = input line");
      assertEquals(ROWS[i][0], row.getString(row.fieldIndex("text")));
      List<Float> p = row.getList(row.fieldIndex("pooled_output"));
      for (int j = 0; j < p.size(); j++) assertEquals(want[i * p.size() + j], p.get(j), 1e-5);
    }
  }

  @Test
  void predictAndEvalEqualJbertPredictAndEvalScores() throws Exception {
    Path npz = dir.resolve("predict.npz"), labels = dir.resolve("labels.jsonl");
    assertEquals(0, CliRun.run("predict", "--model", classifier.toString(), "--input", jsonl.toString(), "--output",
        npz.toString(), "--labels-output", labels.toString()).code());
    List<String> want = Files.readAllLines(labels);
    Path out = dir.resolve("predicted.parquet");
    CliRun.Result r = CliRun.run("spark", "predict", "--model", classifier.toString(), "--input", jsonl.toString(),
        "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    List<Row> rows = spark.read().parquet(out.toString()).orderBy("id").collectAsList();
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(JSON.readTree(want.get(i)).get("label").asText(), rows.get(i).getString(rows.get(i)
          .fieldIndex("prediction")), "row " + i);
    }

    CommandLine cl = Main.newCommandLine();
    StringWriter so = new StringWriter(), se = new StringWriter();
    cl.setOut(new PrintWriter(so));
    cl.setErr(new PrintWriter(se));
    assertEquals(0, cl.execute("spark", "eval", "--model", classifier.toString(), "--input", jsonl.toString()),
        se.toString());
    JsonNode got = JSON.readTree(so.toString());
    Map<String, Double> exp;
    try (TaskModel m = TaskModelFiles.load(classifier)) {
      exp = TaskScores.score(TaskPredictor.predictExamples(m, jsonl.toString(), JsonLinesReader.read(jsonl), 128,
          32));
    }
    assertEquals(exp.size(), got.size(), got.toString());
    exp.forEach((k, v) -> assertEquals(v, got.get(k).asDouble(), 1e-12, k));
  }

  @Test
  void badInputIsOneLineAndLeavesNothingBehind() throws Exception {
    Path out = dir.resolve("bad.parquet");
    Path ints = dir.resolve("ints.jsonl");
    Files.write(ints, List.of("{\"text\": 1}", "{\"text\": 2}"));
    Path nulls = dir.resolve("nulls.jsonl");
    Files.write(nulls, List.of("{\"text\": \"fine\"}", "{\"other\": \"no text\"}"));
    String[][] cases = {
        {"no column nope", "--input", jsonl.toString(), "--text-col", "nope", "--model", encoder.toString()},
        {"column text is bigint; expected string", "--input", ints.toString(), "--model", encoder.toString()},
        {"model folder not found", "--input", jsonl.toString(), "--model", dir.resolve("missing").toString()},
        {"holds a null", "--input", nulls.toString(), "--model", encoder.toString()},
        {"unreachable", "--input", jsonl.toString(), "--model", encoder.toString(), "--master", "spark://127.0.0.1:1"},
    };
    for (String[] c : cases) {
      String[] args = new String[c.length + 3];
      args[0] = "spark";
      args[1] = "embed";
      System.arraycopy(c, 1, args, 2, c.length - 1);
      args[args.length - 2] = "--output";
      args[args.length - 1] = out.toString();
      CliRun.Result r = CliRun.run(args);
      assertOneLineError(r, c[0]);
      assertFalse(Files.exists(out), c[0] + ": no output");
      try (Stream<Path> s = Files.walk(dir)) {
        List<Path> left = s.filter(p -> p.toString().contains(".bad.parquet")).toList();
        assertTrue(left.isEmpty(), c[0] + ": no temp, found " + left);
      }
    }
  }
}
