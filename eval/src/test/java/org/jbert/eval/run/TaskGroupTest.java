package org.jbert.eval.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.core.model.BertModel;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.core.tokenize.Vocab;
import org.jbert.core.train.Plots;
import org.jbert.eval.report.Report;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.head.QuestionAnsweringHead;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.finetune.head.TaskHeads;
import org.jbert.finetune.head.TokenClassificationHead;
import org.jbert.finetune.task.DataFormat;
import org.jbert.finetune.task.TaskPredictions;
import org.jbert.finetune.task.TaskPredictor;
import org.jbert.eval.metrics.EntityMetrics;
import org.jbert.eval.metrics.SquadMetrics;
import org.jbert.testing.TestResources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The task group through {@link EvalRun}: every metric is recomputed here independently (from Hugging Face's logits
 * in the hf-tiny-bert fixture, or from one-example-at-a-time predictions of a tiny random model) and compared with
 * report.json.
 */
class TaskGroupTest {
  static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "great", "fine",
      "bad", "awful", "poor", "the", "movie", "was", "film", "plot", "very", "not", "quite", "okay");
  static final List<String> LABELS = List.of("neg", "neu", "pos");
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Path classifier, regressor, texts, numbers;
  static JsonNode golden;

  static Path resource(String name) {
    return TestResources.path(name);
  }

  @BeforeAll
  static void setUp() throws Exception {
    golden = JSON.readTree(resource("hf-tiny-bert/golden.json").toFile());
    // initializer_range 0.5: a random head whose argmax differs between inputs (at 0.02 it is nearly constant)
    BertConfig c = new BertConfig(VOCAB.size(), 16, 2, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 24, 2, 0.5, 1e-12);
    classifier = dir.resolve("classifier");
    try (TaskModel m = TaskModel.random(TaskHeads.get(SequenceClassificationHead.TYPE),
        HeadContext.of(c, 3).withLabelNames(LABELS), 7)) {
      m.save(classifier);
    }
    Files.write(classifier.resolve("vocab.txt"), VOCAB);
    regressor = dir.resolve("regressor");
    try (TaskModel m = TaskModel.random(TaskHeads.get(SequenceClassificationHead.TYPE),
        HeadContext.of(c, 1).withProblemType(ProblemType.REGRESSION), 8)) {
      m.save(regressor);
    }
    Files.write(regressor.resolve("vocab.txt"), VOCAB);

    Random r = new Random(3);
    List<String> lines = new ArrayList<>(), numeric = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      StringBuilder t = new StringBuilder();
      int words = 2 + r.nextInt(8);
      for (int w = 0; w < words; w++) t.append(w == 0 ? "" : " ").append(VOCAB.get(5 + r.nextInt(VOCAB.size() - 5)));
      String label = LABELS.get(i % 3);
      lines.add(pair(i) ? "{\"text\": \"" + t + "\", \"text_b\": \"the plot\", \"label\": \"" + label + "\"}"
          : "{\"text\": \"" + t + "\", \"label\": \"" + label + "\"}");
      numeric.add("{\"text\": \"" + t + "\", \"label\": " + (i * 0.37 % 5) + "}");
    }
    texts = dir.resolve("texts.jsonl");
    Files.write(texts, lines);
    numbers = dir.resolve("numbers.jsonl");
    Files.write(numbers, numeric);
  }

  static boolean pair(int i) {
    return i % 4 == 3;
  }

  static JsonNode run(String yaml, String out) throws Exception {
    Path o = dir.resolve(out);
    EvalConfig c = YamlBinder.bind(YamlBinder.parse(yaml + "\noutput_dir: " + o, "test.yaml"), EvalConfig.class,
        "test.yaml");
    EvalRun.run(c, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    return JSON.readTree(o.resolve(Report.JSON).toFile());
  }

  static JsonNode section(JsonNode report, String titlePrefix) {
    for (JsonNode s : report.get("sections")) if (s.get("title").asText().startsWith(titlePrefix)) return s;
    throw new AssertionError("no section " + titlePrefix + " in " + report);
  }

  /** argmax, first maximum on ties (numpy's). */
  static int argmax(double[] v) {
    int best = 0;
    for (int k = 1; k < v.length; k++) if (v[k] > v[best]) best = k;
    return best;
  }

  @Test
  void classificationMetricsEqualHandCountsOfOneAtATimePredictions() throws Exception {
    JsonNode report = run("checks: [task]\ntask: {model: " + classifier + ", data: " + texts
        + ", max_seq_length: 12, batch_size: 7}", "cls");
    JsonNode s = section(report, "Task metrics: classification");

    // Independently: each example alone (B=1, no padding), argmax of the logits, counts by hand.
    List<String> lines = Files.readAllLines(texts);
    int n = lines.size(), k = 3;
    int[] gold = new int[n], pred = new int[n];
    try (TaskModel m = TaskModelFiles.load(classifier)) {
      Vocab v = Vocab.load(classifier.resolve("vocab.txt"));
      Preprocessor pre = new Preprocessor(new BertTokenizer(v, true), 12, true);
      for (int i = 0; i < n; i++) {
        JsonNode row = JSON.readTree(lines.get(i));
        gold[i] = LABELS.indexOf(row.get("label").asText());
        Features f = row.has("text_b") ? pre.encodePairs(List.of(row.get("text").asText()),
            List.of(row.get("text_b").asText())) : pre.encode(List.of(row.get("text").asText()));
        Map<String, INDArray> out = m.predict(f.inputWordIds(), f.inputMask(), f.inputTypeIds());
        pred[i] = argmax(out.get("logits").toDoubleMatrix()[0]);
        out.values().forEach(INDArray::close);
      }
    }
    long[][] cm = new long[k][k];
    for (int i = 0; i < n; i++) cm[gold[i]][pred[i]]++;
    assertTrue(Arrays.stream(pred).distinct().count() >= 2, "a test that sees more than one predicted class: "
        + Arrays.toString(pred));
    long correct = 0;
    double[] p = new double[k], r = new double[k], f1 = new double[k];
    long[] t = new long[k], q = new long[k];
    for (int a = 0; a < k; a++) {
      correct += cm[a][a];
      for (int b = 0; b < k; b++) {
        t[a] += cm[a][b];
        q[b] += cm[a][b];
      }
    }
    double macroP = 0, macroR = 0, macroF = 0, weightedF = 0;
    int present = 0;
    for (int a = 0; a < k; a++) {
      p[a] = q[a] == 0 ? 0 : (double) cm[a][a] / q[a];
      r[a] = t[a] == 0 ? 0 : (double) cm[a][a] / t[a];
      f1[a] = p[a] + r[a] == 0 ? 0 : 2 * p[a] * r[a] / (p[a] + r[a]);
      weightedF += f1[a] * t[a] / n;
      if (t[a] + q[a] > 0) {
        present++;
        macroP += p[a];
        macroR += r[a];
        macroF += f1[a];
      }
    }
    double sumTq = 0, sumQq = 0, sumTt = 0;
    for (int a = 0; a < k; a++) {
      sumTq += (double) t[a] * q[a];
      sumQq += (double) q[a] * q[a];
      sumTt += (double) t[a] * t[a];
    }
    double mcc = (correct * (double) n - sumTq) / Math.sqrt(((double) n * n - sumQq) * ((double) n * n - sumTt));

    JsonNode metrics = s.get("metrics");
    double acc = (double) correct / n;
    assertEquals(acc, metrics.get("accuracy").asDouble(), 1e-12);
    assertEquals(macroP / present, metrics.get("macro_precision").asDouble(), 1e-12);
    assertEquals(macroR / present, metrics.get("macro_recall").asDouble(), 1e-12);
    assertEquals(macroF / present, metrics.get("macro_f1").asDouble(), 1e-12);
    assertEquals(acc, metrics.get("micro_precision").asDouble(), 1e-12, "single-label: micro = accuracy");
    assertEquals(acc, metrics.get("micro_recall").asDouble(), 1e-12);
    assertEquals(acc, metrics.get("micro_f1").asDouble(), 1e-12);
    assertEquals(weightedF, metrics.get("weighted_f1").asDouble(), 1e-12);
    assertEquals(mcc, metrics.get("mcc").asDouble(), 1e-12);
    assertEquals(List.copyOf(TaskGroup.Kind.CLASSIFICATION.metrics()), names(metrics));

    // the confusion matrix: numbers in report.json, a table in report.md, a heat map with counts
    JsonNode matrix = s.get("matrices").get(0);
    assertEquals(LABELS, JSON.convertValue(matrix.get("labels"), List.class));
    assertEquals("true", matrix.get("rows").asText());
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) assertEquals(cm[a][b], matrix.get("counts").get(a).get(b).asLong(), a + "," + b);
    }
    String md = Files.readString(dir.resolve("cls").resolve(Report.MARKDOWN));
    assertTrue(md.contains("| true / predicted | neg | neu | pos |\n|---|---|---|---|\n| neg | " + cm[0][0] + " | "
        + cm[0][1] + " | " + cm[0][2] + " |"), md);
    assertEquals(TaskGroup.CONFUSION_PNG, s.get("images").get(0).get("file").asText());
    BufferedImage png = ImageIO.read(dir.resolve("cls").resolve(TaskGroup.CONFUSION_PNG).toFile());
    assertNotNull(png, "the confusion matrix PNG is readable");
    assertEquals(Plots.HEATMAP_W, png.getWidth());
    assertEquals(0, s.get("checks").size(), "no bounds, no checks");
    assertEquals(List.of("Task metrics: classification"), titles(report), "only the task group ran");

    // the misclassified examples, in file order: id (file:line here), gold, predicted, the text's beginning
    List<Integer> wrong = new ArrayList<>();
    for (int i = 0; i < n; i++) if (gold[i] != pred[i]) wrong.add(i);
    assertTrue(!wrong.isEmpty() && wrong.size() < n, "a test that sees right and wrong predictions: " + wrong);
    JsonNode table = null;
    for (JsonNode tb : s.get("tables")) if (tb.get("title").asText().startsWith("Misclassified")) table = tb;
    assertNotNull(table, "a misclassified table in " + s);
    assertEquals("Misclassified: " + wrong.size() + " examples", table.get("title").asText());
    assertEquals(List.of("id", "gold", "predicted", "text"), JSON.convertValue(table.get("header"), List.class));
    assertEquals(wrong.size(), table.get("rows").size());
    for (int j = 0; j < wrong.size(); j++) {
      int i = wrong.get(j);
      JsonNode row = table.get("rows").get(j);
      JsonNode line = JSON.readTree(lines.get(i));
      assertTrue(row.get(0).asText().endsWith("texts.jsonl:" + (i + 1)), row.toString());
      assertEquals(LABELS.get(gold[i]), row.get(1).asText(), row.toString());
      assertEquals(LABELS.get(pred[i]), row.get(2).asText(), row.toString());
      String text = line.get("text").asText() + (line.has("text_b") ? " [SEP] " + line.get("text_b").asText() : "");
      assertEquals(text, row.get(3).asText());
    }
    assertTrue(md.contains("| " + table.get("rows").get(0).get(0).asText() + " | "), md);
  }

  @Test
  void theMisclassifiedTableKeepsTheFirstFiftyAndCutsLongTexts() throws Exception {
    List<org.jbert.finetune.data.Example> examples = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    int n = 70;
    int[] gold = new int[n], pred = new int[n];
    for (int i = 0; i < n; i++) {
      String id = "f.jsonl:" + (i + 1);
      examples.add(i == 1 ? new org.jbert.finetune.data.Example(id, id, null, null,
          new org.jbert.finetune.data.Example.Tokens(new int[] {2, 5, 3}, new int[] {1, 1, 1}, new int[3]),
          List.of("pos"), false)
          : org.jbert.finetune.data.Example.text(id, "word  \n".repeat(i + 1) + "end", null, "pos"));
      ids.add(id);
      gold[i] = 2;
      pred[i] = i % 7 == 0 ? 2 : 0; // 60 wrong: every index but 0, 7, ..., 63
    }
    Report r = new Report("t").section("s");
    TaskGroup.misclassified(r, new TaskPredictions.Classes(ids, gold, pred, LABELS), examples);
    JsonNode table = JSON.readTree(r.toJson()).get("sections").get(0).get("tables").get(0);
    assertEquals("Misclassified: the first 50 of 60 examples", table.get("title").asText());
    assertEquals(50, table.get("rows").size());
    assertEquals("f.jsonl:2", table.get("rows").get(0).get(0).asText());
    assertEquals("(pre-tokenized: 3 ids)", table.get("rows").get(0).get(3).asText());
    assertEquals("neg", table.get("rows").get(0).get(2).asText());
    assertEquals("word word word end", table.get("rows").get(1).get(3).asText(), "white space collapsed");
    String last = table.get("rows").get(49).get(3).asText();
    assertEquals("word ".repeat(TaskGroup.EXCERPT_CHARS / 5).strip() + "...", last, "cut at 100 characters");

    Report none = new Report("t").section("s");
    TaskGroup.misclassified(none, new TaskPredictions.Classes(ids, gold, gold, LABELS), examples);
    assertEquals(0, JSON.readTree(none.toJson()).get("sections").get(0).get("tables").size(), "all right: no table");
  }

  @Test
  void tsvColumnsGiveTheSameMetricsAsJsonLines() throws Exception {
    List<String> jsonl = new ArrayList<>(), tsv = new ArrayList<>(List.of("id\tlabel\tsentence"));
    List<String> all = Files.readAllLines(texts);
    for (int i = 0; i < all.size(); i++) {
      if (pair(i)) continue;
      JsonNode row = JSON.readTree(all.get(i));
      jsonl.add(all.get(i));
      tsv.add(i + "\t" + row.get("label").asText() + "\t" + row.get("text").asText());
    }
    Path j = dir.resolve("single.jsonl"), t = dir.resolve("single.tsv");
    Files.write(j, jsonl);
    Files.write(t, tsv);
    JsonNode a = section(run("checks: [task]\ntask: {model: " + classifier + ", data: " + j + ", max_seq_length: 12}",
        "single-jsonl"), "Task metrics").get("metrics");
    JsonNode b = section(run("checks: [task]\ntask: {model: " + classifier + ", data: " + t + ", format: tsv,"
        + " max_seq_length: 12, tsv: {text_a: 2, label: 1, skip_header: true}}", "single-tsv"), "Task metrics")
        .get("metrics");
    assertEquals(a, b);
    assertEquals(23, jsonl.size(), "30 rows less the 7 pairs");
  }

  static List<String> names(JsonNode metrics) {
    List<String> out = new ArrayList<>();
    metrics.fieldNames().forEachRemaining(out::add);
    return out;
  }

  static List<String> titles(JsonNode report) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : report.get("sections")) out.add(s.get("title").asText());
    return out;
  }

  @Test
  void huggingFaceClassifierOnPreTokenizedRowsScoresHfsOwnLogits() throws Exception {
    // HF's logits for the fixture's three rows (golden.json); rows are written trimmed to their real tokens, so
    // a batch of 3 pads rows 1 and 2 to 16 again, and the metrics must still be those of HF's argmax.
    JsonNode ids = golden.get("input_ids"), mask = golden.get("attention_mask"), types = golden.get("token_type_ids");
    double[][] hf = JSON.convertValue(golden.get("seqcls").get("logits"), double[][].class);
    String[] goldLabels = {"0", "1", "2", "2", "2", "0"};  // class ids name the classes of HF's LABEL_i defaults
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < goldLabels.length; i++) {
      int row = i % 3, len = 0;
      for (JsonNode m : mask.get(row)) len += m.asInt();
      lines.add("{\"input_ids\": " + Arrays.toString(Arrays.copyOf(ints(ids.get(row)), len)) + ", \"segment_ids\": "
          + Arrays.toString(Arrays.copyOf(ints(types.get(row)), len)) + ", \"label\": \"" + goldLabels[i] + "\"}");
    }
    Path data = dir.resolve("hf-rows.jsonl");
    Files.write(data, lines);
    Path model = resource("hf-tiny-bert/seqcls");

    JsonNode s = section(run("checks: [task]\ntask: {model: " + model + ", data: " + data + ", batch_size: 3}",
        "hf-cls"), "Task metrics");
    long[][] cm = new long[3][3];
    int[] gold = {0, 1, 2, 2, 2, 0};
    int correct = 0;
    for (int i = 0; i < 6; i++) {
      int p = argmax(hf[i % 3]);
      cm[gold[i]][p]++;
      if (p == gold[i]) correct++;
    }
    assertEquals(correct / 6.0, s.get("metrics").get("accuracy").asDouble(), 1e-12);
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 3; b++) assertEquals(cm[a][b], s.get("matrices").get(0).get("counts").get(a).get(b).asLong());
    }
    assertEquals(List.of("0", "1", "2"), JSON.convertValue(s.get("matrices").get(0).get("labels"), List.class));
  }

  static int[] ints(JsonNode n) {
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) out[i] = n.get(i).asInt();
    return out;
  }

  @Test
  void regressionCorrelationsEqualHandComputedOnes() throws Exception {
    JsonNode s = section(run("checks: [task]\ntask: {model: " + regressor + ", data: " + numbers
        + ", max_seq_length: 12, batch_size: 8, min: {pearson: -1.0}}", "reg"), "Task metrics: regression");
    List<String> lines = Files.readAllLines(numbers);
    int n = lines.size();
    double[] y = new double[n], yHat = new double[n];
    try (TaskModel m = TaskModelFiles.load(regressor)) {
      Vocab v = Vocab.load(regressor.resolve("vocab.txt"));
      Preprocessor pre = new Preprocessor(new BertTokenizer(v, true), 12, true);
      for (int i = 0; i < n; i++) {
        JsonNode row = JSON.readTree(lines.get(i));
        y[i] = row.get("label").asDouble();
        Features f = pre.encode(List.of(row.get("text").asText()));
        Map<String, INDArray> out = m.predict(f.inputWordIds(), f.inputMask(), f.inputTypeIds());
        yHat[i] = out.get("logits").getDouble(0, 0);
        out.values().forEach(INDArray::close);
      }
    }
    assertEquals(n, Arrays.stream(yHat).distinct().count(), "distinct predictions: no ties to rank");
    double pearson = pearson(y, yHat);
    assertEquals(pearson, s.get("metrics").get("pearson").asDouble(), 1e-6);
    assertEquals(pearson(ranks(y), ranks(yHat)), s.get("metrics").get("spearman").asDouble(), 1e-6);
    double mse = 0;
    for (int i = 0; i < n; i++) mse += (y[i] - yHat[i]) * (y[i] - yHat[i]) / n;
    assertEquals(mse, s.get("metrics").get("mse").asDouble(), 1e-6);
    assertEquals("task pearson", s.get("checks").get(0).get("name").asText());
    assertTrue(s.get("checks").get(0).get("passed").asBoolean());
  }

  static double pearson(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElseThrow(), my = Arrays.stream(y).average().orElseThrow();
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }

  /** Average ranks 1..n (ties share the mean of their ranks), by counting. */
  static double[] ranks(double[] v) {
    double[] r = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      int less = 0, equal = 0;
      for (double w : v) {
        if (w < v[i]) less++;
        if (w == v[i]) equal++;
      }
      r[i] = less + (equal + 1) / 2.0;
    }
    return r;
  }

  @Test
  void maskedLmAccuracyAndPerplexityMatchHuggingFace() throws Exception {
    // pretrain-data lines from the fixture's inputs and HF's MLM labels (-100 = not predicted), M = 3; a fourth line
    // repeats row 0 with HF's argmax as the labels, so that some predictions are right
    JsonNode ids = golden.get("input_ids"), mask = golden.get("attention_mask"), types = golden.get("token_type_ids");
    JsonNode labels = golden.get("pretraining").get("mlm_labels");
    double[][][] logits = JSON.convertValue(golden.get("pretraining").get("prediction_logits"), double[][][].class);
    List<String> lines = new ArrayList<>();
    int predicted = 0, correct = 0;
    double ceSum = 0, hfCeSum = 0;
    for (int line = 0; line < 4; line++) {
      int b = line % 3;
      List<Integer> pos = new ArrayList<>(), lab = new ArrayList<>();
      List<Double> w = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int l = labels.get(b).get(t).asInt();
        if (l == -100) continue;
        if (line == 3) l = argmax(logits[b][t]);
        double ce = logSumExp(logits[b][t]) - logits[b][t][l];  // -log softmax(logits)[label]
        pos.add(t);
        lab.add(l);
        w.add(1.0);
        predicted++;
        ceSum += ce;
        if (line < 3) hfCeSum += ce;
        if (argmax(logits[b][t]) == l) correct++;
      }
      while (pos.size() < 3) {
        pos.add(0);
        lab.add(0);
        w.add(0.0);
      }
      lines.add("{\"input_ids\": " + Arrays.toString(ints(ids.get(b))) + ", \"input_mask\": "
          + Arrays.toString(ints(mask.get(b))) + ", \"segment_ids\": " + Arrays.toString(ints(types.get(b)))
          + ", \"masked_lm_positions\": " + pos + ", \"masked_lm_ids\": " + lab + ", \"masked_lm_weights\": " + w
          + ", \"next_sentence_label\": " + golden.get("pretraining").get("nsp_labels").get(b).asInt() + "}");
    }
    assertEquals(9, predicted);
    assertTrue(correct >= 3 && correct < 9, "some right, some wrong: " + correct);
    // the hand computation reproduces HF's own MLM loss (BertForPreTraining, mean over the 6 labeled positions)
    assertEquals(golden.get("pretraining").get("mlm_loss").asDouble(), hfCeSum / 6, 1e-6);
    Path data = dir.resolve("mlm.jsonl");
    Files.write(data, lines);
    JsonNode s = section(run("checks: [task]\ntask: {model: " + resource("hf-tiny-bert/pretraining")
        + ", data: " + data + ", format: pretraining, batch_size: 3, max: {mlm_perplexity: 1000.0}}", "mlm"),
        "Task metrics: masked LM");
    double loss = ceSum / 9;
    assertEquals(loss, s.get("metrics").get("mlm_loss").asDouble(), 2e-5, "float32 logits against HF's");
    assertEquals(Math.exp(loss), s.get("metrics").get("mlm_perplexity").asDouble(), 2e-5 * Math.exp(loss));
    assertEquals(correct / 9.0, s.get("metrics").get("mlm_accuracy").asDouble(), 1e-12);
    assertEquals(List.copyOf(TaskGroup.Kind.MASKED_LM.metrics()), names(s.get("metrics")));
    assertTrue(s.get("checks").get(0).get("passed").asBoolean());
  }

  static double logSumExp(double[] v) {
    double max = Arrays.stream(v).max().orElseThrow(), sum = 0;
    for (double x : v) sum += Math.exp(x - max);
    return max + Math.log(sum);
  }

  private static JbertException fails(String yaml) {
    JbertException e = assertThrows(JbertException.class, () -> run(yaml, "fail"));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e;
  }

  @Test
  void anUnknownLabelNamesFileLineAndTheModelsLabels() throws Exception {
    Path data = dir.resolve("unknown-label.jsonl");
    Files.write(data, List.of("{\"text\": \"good movie\", \"label\": \"pos\"}",
        "{\"text\": \"bad movie\", \"label\": \"negative\"}"));
    String m = fails("checks: [task]\ntask: {model: " + classifier + ", data: " + data + "}").getMessage();
    assertTrue(m.startsWith(data + ":2: unknown label \"negative\"; known labels: [neg, neu, pos]"), m);
    assertTrue(m.contains(classifier.toString()), m);
  }

  /**
   * Tagging end to end with a known answer: a tiny random tagger predicts tags for a CoNLL file, the file is rewritten
   * with those predictions as gold, and the eval must then report entity F1 and token accuracy of exactly 1 (the
   * predictions hold entities, so F1 is not 0/0); with the original gold it must equal seqeval's scores of the same
   * predictions.
   */
  @Test
  void taggingReportsEntityF1AgainstTheGoldTags() throws Exception {
    BertConfig c = new BertConfig(VOCAB.size(), 16, 2, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 24, 2, 0.5, 1e-12);
    List<String> tags = List.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC");
    Path tagger = dir.resolve("tagger");
    try (TaskModel m = TaskModel.random(TaskHeads.get(TokenClassificationHead.TYPE),
        HeadContext.of(c, tags.size()).withLabelNames(tags), 11)) {
      m.save(tagger);
    }
    Files.write(tagger.resolve("vocab.txt"), VOCAB);
    Random r = new Random(5);
    List<List<String>> words = new ArrayList<>();
    List<String> conll = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      List<String> sentence = new ArrayList<>();
      for (int w = 0; w < 3 + r.nextInt(6); w++) sentence.add(VOCAB.get(5 + r.nextInt(VOCAB.size() - 5)));
      words.add(sentence);
      for (int w = 0; w < sentence.size(); w++) conll.add(sentence.get(w) + " " + (w == 0 ? "B-PER" : "O"));
      conll.add("");
    }
    Path gold = dir.resolve("tags.conll");
    Files.write(gold, conll);

    TaskPredictions.Tags p;
    try (TaskModel m = TaskModelFiles.load(tagger)) {
      p = (TaskPredictions.Tags) TaskPredictor.predict(m, gold,
          DataFormat.of(DataFormat.Source.CONLL).withMaxSeqLength(128), 4);
    }
    EntityMetrics want = EntityMetrics.of(p.gold(), p.predicted());
    JsonNode metrics = section(run("checks: [task]\ntask: {model: " + tagger + ", data: " + gold + ", format: conll,"
        + " batch_size: 4}", "tagging"), "Task metrics").get("metrics");
    assertEquals(want.micro().f1(), metrics.get("f1").asDouble(), 1e-12);
    assertEquals(want.micro().precision(), metrics.get("precision").asDouble(), 1e-12);
    assertEquals(want.tokenAccuracy(), metrics.get("token_accuracy").asDouble(), 1e-12);

    List<String> echoed = new ArrayList<>();
    long entities = 0;
    for (int i = 0; i < words.size(); i++) {
      for (int w = 0; w < words.get(i).size(); w++) {
        String t = p.predicted().get(i).get(w);
        if (t.startsWith("B-")) entities++;
        echoed.add(words.get(i).get(w) + " " + t);
      }
      echoed.add("");
    }
    assertTrue(entities > 0, "the random tagger predicts some entities");
    Path self = dir.resolve("self.conll");
    Files.write(self, echoed);
    metrics = section(run("checks: [task]\ntask: {model: " + tagger + ", data: " + self + ", format: conll}",
        "tagging-self"), "Task metrics").get("metrics");
    assertEquals(1.0, metrics.get("f1").asDouble(), 0.0);
    assertEquals(1.0, metrics.get("token_accuracy").asDouble(), 0.0);
  }

  /**
   * SQuAD v1.1 through the eval equals the official scores of finetune's own predictions for the same model and
   * file; a question whose gold is the predicted text itself scores exact match 100 on its own.
   */
  @Test
  void squadReportsTheOfficialExactMatchAndF1() throws Exception {
    BertConfig c = new BertConfig(VOCAB.size(), 16, 2, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 128, 2, 0.5, 1e-12);
    Path qa = dir.resolve("qa");
    try (TaskModel m = TaskModel.random(TaskHeads.get(QuestionAnsweringHead.TYPE), HeadContext.of(c, 2), 13)) {
      m.save(qa);
    }
    Files.write(qa.resolve("vocab.txt"), VOCAB);
    String context = "the movie was very good but the plot was quite bad";
    String[][] questions = {{"q1", "the plot was", "very good"}, {"q2", "the movie", "quite bad"},
        {"q3", "not okay", "the movie"}};
    StringBuilder json = new StringBuilder("{\"version\": \"1.1\", \"data\": [{\"title\": \"t\", \"paragraphs\":"
        + " [{\"context\": \"" + context + "\", \"qas\": [");
    for (int i = 0; i < questions.length; i++) {
      json.append(i == 0 ? "" : ", ").append("{\"id\": \"").append(questions[i][0]).append("\", \"question\": \"")
          .append(questions[i][1]).append("\", \"answers\": [{\"text\": \"").append(questions[i][2])
          .append("\", \"answer_start\": ").append(context.indexOf(questions[i][2])).append("}]}");
    }
    json.append("]}]}]}");
    Path data = dir.resolve("squad.json");
    Files.writeString(data, json);

    TaskPredictions.Answers p;
    try (TaskModel m = TaskModelFiles.load(qa)) {
      p = (TaskPredictions.Answers) TaskPredictor.predict(m, data,
          DataFormat.of(DataFormat.Source.SQUAD).withMaxSeqLength(128), 2);
    }
    List<SquadMetrics.Question> qs = new ArrayList<>();
    p.gold().forEach((id, answers) -> qs.add(new SquadMetrics.Question(id, answers)));
    SquadMetrics.V1Result want = SquadMetrics.evaluateV1(qs, p.predicted());
    JsonNode metrics = section(run("checks: [task]\ntask: {model: " + qa + ", data: " + data + ", format: squad,"
        + " batch_size: 2}", "squad"), "Task metrics").get("metrics");
    assertEquals(want.exactMatch(), metrics.get("exact_match").asDouble(), 1e-12);
    assertEquals(want.f1(), metrics.get("f1").asDouble(), 1e-12);
    assertFalse(p.versionTwo());
    String predicted = p.predicted().get("q1");
    assertFalse(predicted.isEmpty(), "a v1.1 model always answers");
    assertEquals(100.0, SquadMetrics.evaluateV1(List.of(new SquadMetrics.Question("q1", List.of(predicted))),
        Map.of("q1", predicted)).exactMatch(), 0.0);
  }

  @Test
  void aFormatThatDoesNotFitTheModelsHeadIsNamed() throws Exception {
    Path data = dir.resolve("any.conll");
    Files.writeString(data, "good O\n\n");
    String m = fails("checks: [task]\ntask: {model: " + classifier + ", data: " + data + ", format: conll}")
        .getMessage();
    assertTrue(m.contains("conll") && m.contains(SequenceClassificationHead.TYPE), m);
  }

  @Test
  void boundsAndModelsAreCheckedBeforeInference() throws Exception {
    // a bound on a metric of another kind: a regression model has no accuracy
    String m = fails("checks: [task]\ntask: {model: " + regressor + ", data: " + numbers + ", min: {accuracy: 0.5}}")
        .getMessage();
    assertTrue(m.startsWith("task.min.accuracy: task.model " + regressor + " is a regression model, whose metrics"
        + " are [pearson, spearman, mse]"), m);
    // a metric no model of the format has is a config error
    m = fails("checks: [task]\ntask: {model: x, data: y, min: {acuracy: 0.5}}").getMessage();
    assertTrue(m.startsWith("test.yaml: task: min.acuracy: no such metric for format jsonl; expected one of"
        + " [accuracy, "), m);
    // truncation settings name their keys
    m = fails("checks: [task]\ntask: {model: x, data: y, head_tokens: 3}").getMessage();
    assertTrue(m.contains("task.head_tokens is 3 but task.truncation is head"), m);
    m = fails("checks: [task]\ntask: {model: x, data: y, truncation: head_tail, head_tokens: 127}").getMessage();
    assertTrue(m.contains("task.head_tokens is 127; expected at most max_seq_length - 2 = 126"), m);
    // the group needs its section, and the section its model and data
    m = fails("checks: [task]").getMessage();
    assertTrue(m.contains("checks has task but there is no task: section"), m);
    m = fails("checks: [task]\ntask: {data: y}").getMessage();
    assertTrue(m.contains("task.model is empty"), m);
    // an encoder without the MLM head cannot be scored on masked LM
    BertConfig c = new BertConfig(VOCAB.size(), 16, 1, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 24, 2, 0.02, 1e-12);
    Path encoder = dir.resolve("encoder-only");
    try (BertModel b = BertModel.random(c, 1)) {
      b.save(encoder);
    }
    m = fails("checks: [task]\ntask: {model: " + encoder + ", data: y, format: pretraining}").getMessage();
    assertTrue(m.startsWith("task.model " + encoder + " has no masked-LM head"), m);
  }

  @Test
  void checksDefaultToTheGroupsWhoseInputsAreGiven() {
    EvalConfig plain = YamlBinder.bind(YamlBinder.parse("model: m", "t"), EvalConfig.class, "t");
    assertEquals(EvalConfig.MODEL_GROUPS, plain.groups());
    EvalConfig all = YamlBinder.bind(YamlBinder.parse("task: {model: m, data: d}\nrun_dir: r", "t"),
        EvalConfig.class, "t");
    List<EvalConfig.Group> expected = new ArrayList<>(EvalConfig.MODEL_GROUPS);
    expected.add(EvalConfig.Group.TASK);
    expected.add(EvalConfig.Group.LOSS_CURVES);
    assertEquals(expected, all.groups());
    assertEquals(expected, all.resolved().checks());
    assertFalse(YamlBinder.bind(YamlBinder.parse("checks: [task, loss_curves]\ntask: {model: m, data: d}\n"
        + "run_dir: r", "t"), EvalConfig.class, "t").usesModel());
    assertArrayEquals(new Object[] {128, 32, 0}, new Object[] {all.task().orElseThrow().maxSeqLength(),
        all.task().orElseThrow().batchSize(), all.task().orElseThrow().maxExamples()});
  }
}
