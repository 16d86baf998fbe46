package org.jbert.finetune.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.core.train.MetricsLog;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.task.DataFormat;
import org.jbert.finetune.task.TaskPredictions;
import org.jbert.finetune.task.TaskPredictor;
import org.jbert.testing.TinyEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning runs of every head kind on tiny random encoders and small generated data sets; each checks that the
 * public prediction API ({@link TaskPredictor}) on the saved model reproduces the run's own test predictions
 * exactly (same batch size, so the same padding).
 */
class FinetuneRunTest {
  @TempDir Path dir;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[] POS = {"good", "great", "fine"}, NEG = {"bad", "awful", "poor"};
  static final String[] FILLER = {"the", "movie", "was", "film"};

  /** Simple scores without the eval module: accuracy, MSE, tag accuracy, exact answers. */
  static Map<String, Double> metrics(TaskPredictions p) {
    Map<String, Double> m = new LinkedHashMap<>();
    if (p instanceof TaskPredictions.Classes c) {
      int ok = 0;
      for (int i = 0; i < c.gold().length; i++) if (c.gold()[i] == c.predicted()[i]) ok++;
      m.put("accuracy", (double) ok / c.size());
    } else if (p instanceof TaskPredictions.Values v) {
      double s = 0;
      for (int i = 0; i < v.gold().length; i++) s += Math.pow(v.gold()[i] - v.predicted()[i], 2);
      m.put("mse", s / v.size());
    } else if (p instanceof TaskPredictions.Tags t) {
      int ok = 0, n = 0;
      for (int i = 0; i < t.size(); i++) {
        for (int j = 0; j < t.gold().get(i).size(); j++, n++) {
          if (t.gold().get(i).get(j).equals(t.predicted().get(i).get(j))) ok++;
        }
      }
      m.put("tag_accuracy", (double) ok / n);
    } else if (p instanceof TaskPredictions.Answers a) {
      int ok = 0;
      for (Map.Entry<String, List<String>> e : a.gold().entrySet()) {
        String pred = a.predicted().get(e.getKey());
        if (e.getValue().isEmpty() ? pred.isEmpty() : e.getValue().contains(pred)) ok++;
      }
      m.put("exact", (double) ok / a.size());
    }
    return m;
  }

  static FinetuneRunConfig config(String yaml) {
    return YamlBinder.bind(YamlBinder.parse(yaml, "test.yaml"), FinetuneRunConfig.class, "test.yaml");
  }

  static String out = "";

  static FinetuneRun.Outcome run(FinetuneRunConfig c) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FinetuneRun.Outcome o = FinetuneRun.run(c, false, new PrintStream(bytes, true, StandardCharsets.UTF_8),
        FinetuneRunTest::metrics);
    out = bytes.toString(StandardCharsets.UTF_8);
    return o;
  }

  static List<Double> losses(Path run) {
    return MetricsLog.read(run.resolve("metrics.jsonl")).stream().map(l -> l.get("loss").asDouble()).toList();
  }

  static JsonNode json(Path f) throws Exception {
    return JSON.readTree(f.toFile());
  }

  static String text(Random r, boolean pos) {
    return FILLER[r.nextInt(4)] + " " + FILLER[r.nextInt(4)] + " " + (pos ? POS : NEG)[r.nextInt(3)];
  }

  @Test
  void tsvClassificationWithChosenColumnsAndAHeader() throws Exception {
    Random r = new Random(5);
    List<String> texts = new ArrayList<>();
    for (String split : List.of("train", "test")) {
      List<String> lines = new ArrayList<>(List.of("id\tlabel\tsentence"));
      for (int i = 0; i < (split.equals("train") ? 64 : 16); i++) {
        String t = text(r, i % 2 == 0);
        texts.add(t);
        lines.add(split + i + "\t" + (i % 2 == 0 ? "pos" : "neg") + "\t" + t);
      }
      Files.write(dir.resolve(split + ".tsv"), lines);
    }
    Path enc = TinyEncoder.write(dir.resolve("enc"), TinyEncoder.vocab(texts, false), 3);
    FinetuneRunConfig c = config("""
        task: finetune
        model: %s
        head: {type: sequence_classification, dropout: 0.0}
        data: {source: tsv, train: %s, test: %s, max_seq_length: 8,
               tsv: {text_column: 2, label_column: 1, skip_header: true}}
        train: {lr: 1.0e-2, warmup_steps: 0, epochs: 4, batch_size: 8, seed: 3, log_every: 1, output_dir: %s}
        """.formatted(enc, dir.resolve("train.tsv"), dir.resolve("test.tsv"), dir.resolve("run")));
    FinetuneRun.Outcome o = run(c);
    assertTrue(out.contains("labels [neg, pos]"), out);
    List<Double> l = losses(dir.resolve("run"));
    assertEquals(32, l.size());
    assertTrue(l.subList(28, 32).stream().mapToDouble(d -> d).sum() < l.subList(0, 4).stream().mapToDouble(d -> d)
        .sum(), "loss falls: " + l);
    JsonNode test = json(dir.resolve("run/test_metrics.json"));
    assertEquals(16, test.get("examples").asInt());
    assertTrue(test.get("accuracy").asDouble() >= 0.75, "a separable toy task is learned: " + test);
    try (TaskModel m = TaskModelFiles.load(o.modelDir())) {
      assertEquals(List.of("neg", "pos"), m.labelNames());
      TaskPredictions p = TaskPredictor.predict(m, dir.resolve("test.tsv"), c.data().format(), 8);
      TaskPredictions.Classes classes = assertInstanceOf(TaskPredictions.Classes.class, p);
      assertEquals(dir.resolve("test.tsv") + ":2", classes.ids().get(0), "a TSV row's id is its file:line");
      assertEquals(o.test(), metrics(p), "the public API predicts what the run did");
    }
  }

  @Test
  void regressionWithOneLabelUsesMeanSquaredError() throws Exception {
    Random r = new Random(8);
    List<String> texts = new ArrayList<>(), lines = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      String t = text(r, i % 2 == 0);
      texts.add(t);
      lines.add("{\"text\": \"" + t + "\", \"label\": " + (i % 2 == 0 ? "2.0" : "-2") + "}");
    }
    Files.write(dir.resolve("train.jsonl"), lines);
    Path enc = TinyEncoder.write(dir.resolve("enc"), TinyEncoder.vocab(texts, false), 3);
    FinetuneRunConfig c = config("""
        task: finetune
        model: %s
        head: {type: sequence_classification, dropout: 0.0, num_labels: 1}
        data: {source: jsonl, train: %s, test: %s, max_seq_length: 8}
        train: {lr: 3.0e-2, schedule: constant, warmup_ratio: 0, max_steps: 30, batch_size: 8, seed: 3, log_every: 1,
                output_dir: %s}
        """.formatted(enc, dir.resolve("train.jsonl"), dir.resolve("train.jsonl"), dir.resolve("run")));
    FinetuneRun.Outcome o = run(c);
    List<Double> l = losses(dir.resolve("run"));
    // Every target is +-2 and the fresh head's outputs are near 0: the first MSE is near 4 (cross-entropy over
    // classes "-2", "2.0" would start near ln 2).
    assertTrue(l.get(0) > 3.5 && l.get(0) < 4.5, "first loss " + l.get(0));
    assertTrue(l.subList(26, 30).stream().mapToDouble(d -> d).sum() < 0.5 * l.subList(0, 4).stream()
        .mapToDouble(d -> d).sum(), "loss falls: " + l);
    assertTrue(o.test().containsKey("mse"), "Values predictions were scored: " + o.test());
    try (TaskModel m = TaskModelFiles.load(o.modelDir())) {
      assertEquals(ProblemType.REGRESSION, m.context().problemType());
      TaskPredictions.Values v = assertInstanceOf(TaskPredictions.Values.class,
          TaskPredictor.predict(m, dir.resolve("train.jsonl"), c.data().format(), 8));
      assertEquals(2.0, v.gold()[0]);
      assertEquals(-2.0, v.gold()[1]);
      assertEquals(o.test(), metrics(v));
    }
  }

  @Test
  void tokenClassificationOnConll() throws Exception {
    String[] names = {"Anna", "Ben", "Carla", "David"}, places = {"Paris", "Rome", "Zürich", "Oslo"};
    Random r = new Random(2);
    List<String> texts = new ArrayList<>();
    for (String split : List.of("train", "dev")) {
      StringBuilder b = new StringBuilder("-DOCSTART- O\n\n");
      for (int i = 0; i < (split.equals("train") ? 24 : 8); i++) {
        String who = names[r.nextInt(4)], where = places[r.nextInt(4)];
        b.append(who).append(" B-PER\nlives O\nin O\n").append(where).append(" B-LOC\n. O\n\n");
        texts.add(who + " lives in " + where + " .");
      }
      Files.writeString(dir.resolve(split + ".conll"), b);
    }
    Path enc = TinyEncoder.write(dir.resolve("enc"), TinyEncoder.vocab(texts, true), 4);
    FinetuneRunConfig c = config("""
        task: finetune
        model: %s
        head: {type: token_classification, dropout: 0.0}
        data: {source: conll, train: %s, dev: %s, test: %s, max_seq_length: 16}
        train: {lr: 2.0e-2, warmup_steps: 0, max_steps: 12, batch_size: 8, seed: 3, log_every: 1, output_dir: %s}
        """.formatted(enc, dir.resolve("train.conll"), dir.resolve("dev.conll"), dir.resolve("dev.conll"),
        dir.resolve("run")));
    FinetuneRun.Outcome o = run(c);
    assertTrue(out.contains("labels [B-LOC, B-PER, O]"), out);
    List<Double> l = losses(dir.resolve("run"));
    assertTrue(l.get(11) < 0.5 * l.get(0), "a trivial tagging task is learned: " + l);
    List<JsonNode> lines = new ArrayList<>(MetricsLog.read(dir.resolve("run/metrics.jsonl")));
    assertTrue(lines.get(lines.size() - 1).has("eval_tag_accuracy"), "dev metrics at the end: " + lines);
    try (TaskModel m = TaskModelFiles.load(o.modelDir())) {
      assertEquals(List.of("B-LOC", "B-PER", "O"), m.labelNames());
      TaskPredictions.Tags t = assertInstanceOf(TaskPredictions.Tags.class,
          TaskPredictor.predict(m, dir.resolve("dev.conll"), c.data().format(), 8));
      assertEquals(8, t.size());
      assertEquals(5, t.predicted().get(0).size());
      assertEquals(dir.resolve("dev.conll") + ":3", t.ids().get(0));
      assertEquals(o.test(), metrics(t));
    }
  }

  @Test
  void extractiveQaOnSquadV2() throws Exception {
    String[] words = {"apple", "river", "stone", "cloud", "maple", "tiger", "lemon", "piano"};
    String[] days = {"Monday", "Tuesday", "Friday", "Sunday"};
    Random r = new Random(4);
    List<String> texts = new ArrayList<>();
    for (String split : List.of("train", "test")) {
      StringBuilder b = new StringBuilder("{\"version\": \"v2.0\", \"data\": [{\"title\": \"t\", \"paragraphs\": [");
      int n = split.equals("train") ? 16 : 4;
      for (int i = 0; i < n; i++) {
        String w = words[r.nextInt(words.length)], d = days[r.nextInt(days.length)];
        String ctx = "The secret word is " + w + ". It was chosen on " + d + " by the club.";
        texts.add(ctx);
        if (i > 0) b.append(",");
        b.append("{\"context\": \"").append(ctx).append("\", \"qas\": [")
            .append(qa(split + i + "w", "What is the secret word?", w, ctx.indexOf(w)))
            .append(",").append(qa(split + i + "d", "When was it chosen?", d, ctx.indexOf(d)))
            .append(",{\"id\": \"").append(split).append(i).append("x\", \"question\": \"Who ate it?\", ")
            .append("\"answers\": [], \"is_impossible\": true}]}");
      }
      b.append("]}]}");
      Files.writeString(dir.resolve(split + ".json"), b);
    }
    texts.addAll(List.of("What is the secret word? When was it chosen? Who ate it?"));
    Path enc = TinyEncoder.write(dir.resolve("enc"), TinyEncoder.vocab(texts, false), 5);
    FinetuneRunConfig c = config("""
        task: finetune
        model: %s
        head: {type: question_answering, dropout: 0.0}
        data: {source: squad, train: %s, test: %s, max_seq_length: 20,
               squad: {max_query_length: 8, doc_stride: 6, n_best_size: 5, max_answer_length: 4}}
        train: {lr: 2.0e-2, warmup_steps: 0, max_steps: 12, batch_size: 8, seed: 3, log_every: 1, output_dir: %s}
        """.formatted(enc, dir.resolve("train.json"), dir.resolve("test.json"), dir.resolve("run")));
    FinetuneRun.Outcome o = run(c);
    // 48 questions; a 20-token feature has room for 20 - 3 - 7 = 10 context pieces, so each context gives windows.
    assertTrue(out.matches("(?s).*48 training examples \\(\\d+ features\\).*"), out);
    JsonNode preds = json(dir.resolve("run/test_predictions/predictions.json"));
    assertEquals(12, preds.size());
    assertTrue(Files.exists(dir.resolve("run/test_predictions/null_odds.json")), "SQuAD v2.0 detected");
    try (TaskModel m = TaskModelFiles.load(o.modelDir())) {
      TaskPredictions.Answers a = assertInstanceOf(TaskPredictions.Answers.class,
          TaskPredictor.predict(m, dir.resolve("test.json"), c.data().format(), 8));
      assertTrue(a.versionTwo());
      assertEquals(List.of(), a.gold().get("test0x"));
      for (Map.Entry<String, String> e : a.predicted().entrySet()) {
        assertEquals(preds.get(e.getKey()).asText(), e.getValue(), "the saved model answers as the run did");
      }
      assertEquals(o.test(), metrics(a));
    }
  }

  static String qa(String id, String q, String answer, int start) {
    return "{\"id\": \"" + id + "\", \"question\": \"" + q + "\", \"answers\": [{\"text\": \"" + answer
        + "\", \"answer_start\": " + start + "}], \"is_impossible\": false}";
  }
}
