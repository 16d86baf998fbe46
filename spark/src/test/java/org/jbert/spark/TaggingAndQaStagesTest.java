package org.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.eval.metrics.TaskScores;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.QuestionAnsweringHead;
import org.jbert.finetune.head.TokenClassificationHead;
import org.jbert.finetune.task.DataFormat;
import org.jbert.finetune.task.TaskPredictions;
import org.jbert.finetune.task.TaskPredictor;
import org.jbert.testing.TinyEncoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Word tagging and QA spans in local[2] on tiny random task models (max_position_embeddings 32, so long sentences and
 * contexts are cut and windowed): the predictor's per-word tags and answers equal finetune's {@link TaskPredictor}
 * (what {@code jbert eval}'s task group runs) on a CoNLL and a SQuAD v2.0 file holding the same rows, exactly (QA's
 * null odds within 1e-6: float32 logits of differently padded batches); the evaluator's entity and SQuAD scores equal
 * {@link TaskScores} on those predictions (1e-9; the v2.0 best threshold, a null odds value, 1e-6). Missing and
 * wrong-typed columns are one-line errors.
 */
class TaggingAndQaStagesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[][] SENTENCES = {
      {"john lives in new york", "O O O B-LOC I-LOC"},
      {"paris is lovely", "B-LOC O O"},
      {"we saw the grand canyon in arizona last summer", "O O O B-LOC I-LOC O B-LOC O O"},
      {"rome", "B-LOC"},
      // 36 words: past max_position_embeddings, so the last words get no piece and are predicted O
      {"a b c d e f g h i j k l m n o p q r s t u v w x y z new york paris rome lives in the last summer we",
          "O O O O O O O O O O O O O O O O O O O O O O O O O O B-LOC I-LOC B-LOC B-LOC O O O O O O"},
      {"the canyon", "O B-LOC"}};
  static final String[][] QUESTIONS = {
      // id, question, context, answer (null: unanswerable)
      {"q1", "where does john live", "john lives in new york with his dog and two cats", "new york"},
      {"q2", "what is lovely", "paris is lovely in the spring and rome is lovely in the summer", "paris"},
      {"q3", "who saw the canyon", "we saw the grand canyon in arizona last summer and then we drove to the coast"
          + " of california where the water was cold and the sun was warm all day long", "we"},
      {"q4", "what is purple", "the sky is blue and the grass is green", null},
      {"q5", "where is the canyon", "the grand canyon is in arizona", "arizona"}};

  @TempDir static Path dir;
  static SparkSession spark;
  static List<String> vocab;
  static BertConfig tiny;

  @BeforeAll
  static void data() {
    spark = LocalSpark.session();
    List<String> texts = new ArrayList<>();
    for (String[] s : SENTENCES) texts.add(s[0]);
    for (String[] q : QUESTIONS) texts.addAll(List.of(q[1], q[2]));
    vocab = TinyEncoder.vocab(texts, false);
    tiny = new BertConfig(vocab.size(), 16, 2, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 32, 2, 0.02, 1e-12);
  }

  static Path save(String name, TaskModel m) throws Exception {
    return TaskStagesTest.save(dir.resolve(name), m, vocab);
  }

  @Test
  void wordTagsAndEntityScoresEqualJbertEvals() throws Exception {
    Path model;
    try (TaskModel m = TaskModel.random(new TokenClassificationHead(),
        HeadContext.of(tiny, 3).withLabelNames(List.of("O", "B-LOC", "I-LOC")), 11)) {
      model = save("tagger", m);
    }
    Path conll = dir.resolve("dev.conll"), jsonl = dir.resolve("words.jsonl");
    List<String> conllLines = new ArrayList<>(), rows = new ArrayList<>();
    for (int i = 0; i < SENTENCES.length; i++) {
      String[] w = SENTENCES[i][0].split(" "), t = SENTENCES[i][1].split(" ");
      for (int k = 0; k < w.length; k++) conllLines.add(w[k] + " " + t[k]);
      conllLines.add("");
      ObjectNode o = JSON.createObjectNode().put("id", i);
      ArrayNode wa = o.putArray("words"), ta = o.putArray("tags");
      Arrays.stream(w).forEach(wa::add);
      Arrays.stream(t).forEach(ta::add);
      rows.add(o.toString());
    }
    Files.write(conll, conllLines);
    Files.write(jsonl, rows);
    TaskPredictions.Tags want;
    try (TaskModel m = TaskModelFiles.load(model)) {
      want = (TaskPredictions.Tags) TaskPredictor.predict(m, conll, DataFormat.of(DataFormat.Source.CONLL), 4);
    }

    Dataset<Row> in = spark.read().json(jsonl.toString()).repartition(2).sortWithinPartitions("id");
    JbertPredictor p = new JbertPredictor();
    p.setModelPath(model.toString()).setInputCol("words").setBatchSize(2).setChunkSize(2);
    Dataset<Row> predicted = p.transform(in);
    List<Row> out = predicted.orderBy("id").collectAsList();
    assertEquals(SENTENCES.length, out.size());
    for (Row r : out) {
      int i = (int) r.getLong(r.fieldIndex("id"));
      assertEquals(want.predicted().get(i), r.getList(r.fieldIndex("word_labels")), "sentence " + i);
    }
    List<String> cut = want.predicted().get(4);
    assertTrue(cut.subList(30, cut.size()).stream().allMatch("O"::equals), "words past T are O: " + cut);

    Map<String, Double> exp = TaskScores.tagging(want);
    Map<String, Double> got = new JbertTaskEvaluator().setModelPath(model.toString()).setLabelCol("tags")
        .scores(predicted);
    assertEquals(exp.keySet(), got.keySet());
    exp.forEach((k, v) -> assertEquals(v, got.get(k), 1e-9, k));

    oneLine("labelCol: no column nope", () -> new JbertTaskEvaluator().setModelPath(model.toString())
        .setLabelCol("nope").scores(predicted));
    oneLine("labelCol: column id is bigint; expected array<string>", () -> new JbertTaskEvaluator()
        .setModelPath(model.toString()).setLabelCol("id").scores(predicted));
    oneLine("inputCol: column id is bigint; expected string or array<string>", () -> new JbertPredictor()
        .setModelPath(model.toString()).setInputCol("id").transform(in));
  }

  @Test
  void qaSpansAndSquadScoresEqualJbertEvals() throws Exception {
    Path model;
    try (TaskModel m = TaskModel.random(new QuestionAnsweringHead(), HeadContext.of(tiny, 2), 12)) {
      model = save("qa", m);
    }
    Path squad = dir.resolve("dev-v2.json"), jsonl = dir.resolve("questions.jsonl");
    ObjectNode root = JSON.createObjectNode().put("version", "v2.0");
    ArrayNode paragraphs = root.putArray("data").addObject().put("title", "t").putArray("paragraphs");
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < QUESTIONS.length; i++) {
      String[] q = QUESTIONS[i];
      ObjectNode qa = paragraphs.addObject().put("context", q[2]).putArray("qas").addObject().put("id", q[0])
          .put("question", q[1]).put("is_impossible", q[3] == null);
      ArrayNode answers = qa.putArray("answers");
      ObjectNode row = JSON.createObjectNode().put("id", i).put("question", q[1]).put("context", q[2]);
      ArrayNode gold = row.putArray("answers");
      if (q[3] != null) {
        answers.addObject().put("text", q[3]).put("answer_start", q[2].indexOf(q[3]));
        gold.add(q[3]);
      }
      rows.add(row.toString());
    }
    JSON.writeValue(squad.toFile(), root);
    Files.write(jsonl, rows);
    DataFormat.Squad settings = new DataFormat.Squad(DataFormat.SquadVersion.AUTO, 8, 6, 20, 30, 0.0);
    TaskPredictions.Answers want;
    try (TaskModel m = TaskModelFiles.load(model)) {
      want = (TaskPredictions.Answers) TaskPredictor.predict(m, squad, new DataFormat(DataFormat.Source.SQUAD, 128,
          null, null, settings, null), 3);
    }
    assertTrue(want.versionTwo(), "AUTO reads the file as v2.0");

    Dataset<Row> in = spark.read().json(jsonl.toString()).repartition(2).sortWithinPartitions("id");
    JbertPredictor p = new JbertPredictor();
    p.setModelPath(model.toString()).setInputCol("question").setPairCol("context").setBatchSize(2).setChunkSize(2);
    p.setSquad("v2", 8, 6, 20, 30, 0.0);
    Dataset<Row> predicted = p.transform(in);
    List<Row> out = predicted.orderBy("id").collectAsList();
    assertEquals(QUESTIONS.length, out.size());
    for (Row r : out) {
      int i = (int) r.getLong(r.fieldIndex("id"));
      String answer = r.getString(r.fieldIndex("answer"));
      assertEquals(want.predicted().get(QUESTIONS[i][0]), answer, "question " + i);
      // float32 logits of other batches (rows sorted and padded differently): measured 1.5e-8 apart
      assertEquals(want.nullOdds().get(QUESTIONS[i][0]), r.getDouble(r.fieldIndex("null_odds")), 1e-6);
      int start = r.getInt(r.fieldIndex("answer_start")), end = r.getInt(r.fieldIndex("answer_end"));
      if (answer.isEmpty()) {
        assertEquals(-1, start, "question " + i);
      } else {
        String c = QUESTIONS[i][2];
        assertEquals(answer, c.substring(c.offsetByCodePoints(0, start), c.offsetByCodePoints(0, end)));
      }
    }

    Map<String, Double> exp = TaskScores.squad(want);
    Map<String, Double> got = new JbertTaskEvaluator().setModelPath(model.toString()).setLabelCol("answers")
        .scores(predicted);
    assertEquals(exp.keySet(), got.keySet());
    exp.forEach((k, v) -> assertEquals(v, got.get(k), k.equals("best_f1_thresh") ? 1e-6 : 1e-9, k));

    oneLine("pairCol is not set", () -> new JbertPredictor().setModelPath(model.toString())
        .setInputCol("question").transform(in));
    oneLine("pairCol: column id is bigint; expected string", () -> new JbertPredictor()
        .setModelPath(model.toString()).setInputCol("question").setPairCol("id").transform(in));
    oneLine("nullOddsCol: no column null_odds", () -> new JbertTaskEvaluator().setModelPath(model.toString())
        .setLabelCol("answers").scores(predicted.drop("null_odds")));
    oneLine("labelCol: column context is string; expected array<string>", () -> new JbertTaskEvaluator()
        .setModelPath(model.toString()).setLabelCol("context").scores(predicted));
  }

  static void oneLine(String expected, Supplier<?> call) {
    JbertException e = assertThrows(JbertException.class, call::get);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }
}
