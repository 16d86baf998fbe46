package org.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jbert.cli.CliRun;
import org.jbert.core.config.Activation;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.io.Npz;
import org.jbert.core.tokenize.Truncation;
import org.jbert.eval.metrics.TaskScores;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.data.JsonLinesReader;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.finetune.head.TokenClassificationHead;
import org.jbert.finetune.task.TaskPredictor;
import org.jbert.testing.TinyEncoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The predictor and the evaluator in local[2] on tiny random task models saved as jbert folders: the predictor's
 * labels, ids and probabilities equal {@code jbert predict --labels-output} and its logits the npz (1e-5); a tagger's
 * per-token labels equal predict's; the evaluator's metrics equal {@link TaskScores} on {@link TaskPredictor}'s
 * predictions of the same file (what {@code jbert eval}'s task group computes): exactly for classification, within
 * 1e-4 for regression (float32 rounding of other batches).
 */
class TaskStagesTest {
  static final double TOL = 1e-5;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[][] LABELED = {
      {"I love pizza", "pos"}, {"India is my country", "neutral"}, {"the food was awful", "neg"},
      {"visit italy in the summer", "pos"}, {"spam spam spam and eggs", "neg"}, {"hello world", "neutral"},
      {"the quick brown fox jumps over the lazy dog", "pos"}, {"short", "neg"}, {"one more text", "neutral"},
      {"what a lovely day it is today in the park", "pos"}, {"bad bad bad", "neg"}, {"nothing much", "neutral"}};

  @TempDir static Path dir;
  static SparkSession spark;
  static Path labeled;
  static List<String> vocab;
  static BertConfig tiny;

  @BeforeAll
  static void data() throws Exception {
    spark = LocalSpark.session();
    List<String> texts = new ArrayList<>(), lines = new ArrayList<>();
    for (int i = 0; i < LABELED.length; i++) {
      texts.add(LABELED[i][0]);
      lines.add(JSON.createObjectNode().put("id", i).put("text", LABELED[i][0]).put("label", LABELED[i][1])
          .toString());
    }
    labeled = dir.resolve("labeled.jsonl");
    Files.write(labeled, lines);
    vocab = TinyEncoder.vocab(texts, false);
    tiny = new BertConfig(vocab.size(), 16, 2, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 32, 2, 0.02, 1e-12);
  }

  static Path save(String name, TaskModel m) throws Exception {
    return save(dir.resolve(name), m, vocab);
  }

  /** {@code m} saved as a jbert folder with {@code vocab} as its vocab.txt. */
  static Path save(Path folder, TaskModel m, List<String> vocab) throws Exception {
    TaskModelFiles.save(m, folder);
    Files.write(folder.resolve("vocab.txt"), vocab);
    return folder;
  }

  static Dataset<Row> input() {
    return spark.read().json(labeled.toString()).repartition(2).sortWithinPartitions("id");
  }

  @Test
  void classifierLabelsEqualJbertPredictAndMetricsEqualJbertEvals() throws Exception {
    Path model;
    HeadContext ctx = HeadContext.of(tiny, 3).withLabelNames(List.of("neg", "pos", "neutral"));
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), ctx, 5)) {
      model = save("seqcls", m);
    }
    Path npz = dir.resolve("seqcls.npz"), labelsOut = dir.resolve("seqcls-labels.jsonl");
    CliRun.Result r = CliRun.run("predict", "--model", model.toString(), "--input", labeled.toString(), "--output",
        npz.toString(), "--labels-output", labelsOut.toString(), "--batch-size", "5");
    assertEquals(0, r.code(), r.err());
    List<String> want = Files.readAllLines(labelsOut);
    float[] logits = Npz.read(npz).get("logits").floats();

    JbertPredictor p = new JbertPredictor();
    p.setModelPath(model.toString()).setBatchSize(3).setChunkSize(4);
    Dataset<Row> predicted = p.transform(input());
    List<Row> rows = predicted.orderBy("id").collectAsList();
    assertEquals(LABELED.length, rows.size());
    for (Row row : rows) {
      int i = (int) row.getLong(row.fieldIndex("id"));
      JsonNode w = JSON.readTree(want.get(i));
      assertEquals(w.get("label").asText(), row.getString(row.fieldIndex("prediction")), "row " + i);
      assertEquals(w.get("id").asInt(), row.getInt(row.fieldIndex("prediction_id")), "row " + i);
      assertEquals(w.get("probability").asDouble(), row.getDouble(row.fieldIndex("probability")), TOL, "row " + i);
      List<Float> l = row.getList(row.fieldIndex("logits"));
      for (int k = 0; k < 3; k++) assertEquals(logits[i * 3 + k], l.get(k), TOL, "row " + i + " logit " + k);
    }

    Map<String, Double> spark;
    Map<String, Double> eval;
    spark = new JbertTaskEvaluator().setModelPath(model.toString()).scores(predicted);
    try (TaskModel m = TaskModelFiles.load(model)) {
      eval = TaskScores.score(TaskPredictor.predictExamples(m, labeled.toString(), JsonLinesReader.read(labeled),
          128, 4));
    }
    assertEquals(eval.keySet(), spark.keySet());
    eval.forEach((k, v) -> assertEquals(v, spark.get(k), 1e-12, k));
    assertEquals(eval.get("macro_f1"), new JbertTaskEvaluator().setModelPath(model.toString())
        .setMetricName("macro_f1").evaluate(predicted), 1e-12);
  }

  /**
   * {@code truncation head_tail}: the predictor cuts long texts as {@code jbert predict --truncation head_tail} does
   * (maxLength 6: room 4, the first piece and the last 3), and not as the default head cut; the evaluator scores
   * them as {@code jbert eval} with the same cut.
   */
  @Test
  void headTailPredictionsEqualJbertPredictWithTheSameCut() throws Exception {
    Path model;
    HeadContext ctx = HeadContext.of(tiny, 3).withLabelNames(List.of("neg", "pos", "neutral"));
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), ctx, 6)) {
      model = save("seqcls-head-tail", m);
    }
    float[][] logits = new float[2][];
    String[][] cuts = {{"--truncation", "head_tail", "--head-tokens", "1"}, {}};
    for (int c = 0; c < 2; c++) {
      Path npz = dir.resolve("head-tail-" + c + ".npz");
      CliRun.Result r = CliRun.run(CliRun.concat(new String[] {"predict", "--model", model.toString(), "--input",
          labeled.toString(), "--output", npz.toString(), "--max-length", "6"}, cuts[c]));
      assertEquals(0, r.code(), r.err());
      logits[c] = Npz.read(npz).get("logits").floats();
    }
    JbertPredictor p = new JbertPredictor();
    p.setModelPath(model.toString()).setMaxLength(6).setTruncation("head_tail").setHeadTokens(1).setBatchSize(3);
    Dataset<Row> predicted = p.transform(input());
    boolean differs = false;
    for (Row row : predicted.orderBy("id").collectAsList()) {
      int i = (int) row.getLong(row.fieldIndex("id"));
      List<Float> l = row.getList(row.fieldIndex("logits"));
      for (int k = 0; k < 3; k++) {
        assertEquals(logits[0][i * 3 + k], l.get(k), TOL, "row " + i + " logit " + k);
        differs |= Math.abs(logits[1][i * 3 + k] - l.get(k)) > 1e-6;
      }
    }
    assertTrue(differs, "the default head cut gives other logits for the long texts");
    Map<String, Double> want;
    try (TaskModel m = TaskModelFiles.load(model)) {
      want = TaskScores.score(TaskPredictor.predictExamples(m, labeled.toString(), JsonLinesReader.read(labeled), 6,
          Truncation.headTail(1), 4));
    }
    Map<String, Double> spark = new JbertTaskEvaluator().setModelPath(model.toString()).scores(predicted);
    want.forEach((k, v) -> assertEquals(v, spark.get(k), 1e-12, k));
    // headTokens without head_tail is refused on the driver
    JbertException e = assertThrows(JbertException.class, () -> new JbertPredictor().setModelPath(model.toString())
        .setHeadTokens(2).transform(input()));
    assertEquals("headTokens 2 needs truncation head_tail", e.getMessage());
  }

  @Test
  void regressionMetricsEqualJbertEvals() throws Exception {
    Path values = dir.resolve("values.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < LABELED.length; i++) {
      lines.add(JSON.createObjectNode().put("id", i).put("text", LABELED[i][0]).put("label", 0.25 * i).toString());
    }
    Files.write(values, lines);
    Path model;
    HeadContext ctx = HeadContext.of(tiny, 1).withProblemType(ProblemType.REGRESSION);
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), ctx, 6)) {
      model = save("regression", m);
    }
    JbertPredictor p = new JbertPredictor();
    p.setModelPath(model.toString());
    Dataset<Row> predicted = p.transform(spark.read().json(values.toString()).repartition(2));
    Map<String, Double> got = new JbertTaskEvaluator().setModelPath(model.toString()).setPredictionCol("prediction")
        .scores(predicted);
    Map<String, Double> want;
    try (TaskModel m = TaskModelFiles.load(model)) {
      want = TaskScores.score(TaskPredictor.predictExamples(m, values.toString(), JsonLinesReader.read(values), 128,
          4));
    }
    assertEquals(want.keySet(), got.keySet());
    // The random head's outputs spread over ~1e-3 only, so the float32 rounding that differs with the batching (rows
    // sorted by length here, file order in TaskPredictor) moves Pearson by ~2e-6 (measured); classification is exact.
    want.forEach((k, v) -> assertEquals(v, got.get(k), 1e-4, k));
  }

  @Test
  void taggerLabelsEqualJbertPredictsPerToken() throws Exception {
    Path model;
    HeadContext ctx = HeadContext.of(tiny, 3).withLabelNames(List.of("O", "B-LOC", "I-LOC"));
    try (TaskModel m = TaskModel.random(new TokenClassificationHead(), ctx, 7)) {
      model = save("tokcls", m);
    }
    Path npz = dir.resolve("tokcls.npz"), labelsOut = dir.resolve("tokcls-labels.jsonl");
    CliRun.Result r = CliRun.run("predict", "--model", model.toString(), "--input", labeled.toString(), "--output",
        npz.toString(), "--labels-output", labelsOut.toString());
    assertEquals(0, r.code(), r.err());
    List<String> want = Files.readAllLines(labelsOut);
    JbertPredictor p = new JbertPredictor();
    p.setModelPath(model.toString()).setBatchSize(2);
    List<Row> rows = p.transform(input()).orderBy("id").collectAsList();
    for (Row row : rows) {
      int i = (int) row.getLong(row.fieldIndex("id"));
      JsonNode w = JSON.readTree(want.get(i));
      assertEquals(strings(w.get("tokens")), row.getList(row.fieldIndex("tokens")), "row " + i);
      assertEquals(strings(w.get("labels")), row.getList(row.fieldIndex("token_labels")), "row " + i);
      List<Double> probs = row.getList(row.fieldIndex("token_probabilities"));
      double[] got = probs.stream().mapToDouble(Double::doubleValue).toArray();
      double[] exp = new double[w.get("probabilities").size()];
      for (int k = 0; k < exp.length; k++) exp[k] = w.get("probabilities").get(k).asDouble();
      assertArrayEquals(exp, got, TOL, "row " + i);
    }
  }

  static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(x -> out.add(x.asText()));
    return out;
  }
}
