package org.jbert.cli;

import static org.jbert.cli.CliRun.assertOneLineError;
import static org.jbert.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jbert.cli.CliRun.Result;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.io.Npz;
import org.jbert.core.model.BertModel;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.finetune.head.TokenClassificationHead;
import org.jbert.pretraining.PretrainingModel;
import org.jbert.pretraining.PretrainingResult;
import org.jbert.testing.HfTiny;
import org.jbert.testing.TestResources;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code jbert predict}: parity with Hugging Face on the hf-tiny-bert folders (golden.json: transformers 5.17.0,
 * float32 CPU, BertForSequenceClassification / BertForTokenClassification / BertForQuestionAnswering /
 * BertForPreTraining on the golden inputs, given here pre-tokenized; copies in src/test/resources/hf-tiny-bert), a
 * save -> predict round trip of jbert models against the in-memory model, label output, and bad input.
 */
class PredictCommandTest {
  /** Max abs difference allowed against HF's logits. */
  private static final double HF_ATOL = 1e-4;
  /** Max abs difference allowed against the same model in memory (same weights, other batching). */
  private static final double ROUND_TRIP_ATOL = 1e-6;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static JsonNode golden;
  static Path goldenInput;

  @BeforeAll
  static void goldenInputs() throws Exception {
    golden = JSON.readTree(fixture("golden.json").toFile());
    goldenInput = dir.resolve("golden.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ObjectNode o = JSON.createObjectNode();
      for (String[] k : new String[][] {{"input_word_ids", "input_ids"}, {"input_mask", "attention_mask"},
          {"input_type_ids", "token_type_ids"}}) {
        o.putArray(k[0]).addAll(ints(golden.get(k[1]).get(i)));
      }
      lines.add(o.toString());
    }
    Files.write(goldenInput, lines);
  }

  static Path fixture(String name) throws Exception {
    return TestResources.path("hf-tiny-bert/" + name);
  }

  @Test
  void huggingFaceTaskAndPretrainingFoldersReproduceTheirGoldenLogits() throws Exception {
    Map<String, List<String>> outputs = Map.of("seqcls", List.of("logits"), "tokcls", List.of("logits"),
        "qa", List.of("start_logits", "end_logits"),
        "pretraining", List.of("prediction_logits", "seq_relationship_logits"));
    int[][] mask = ints2(golden.get("attention_mask"));
    for (Map.Entry<String, List<String>> task : outputs.entrySet()) {
      // Dynamic padding with batches of 2 (rows of 16, 11 and 7 tokens: the 7 and 11 run together at T=11), and
      // every row at the full 16.
      for (boolean dynamic : new boolean[] {true, false}) {
        Path out = dir.resolve(task.getKey() + (dynamic ? "-dyn" : "-fixed") + ".npz");
        List<String> args = new ArrayList<>(List.of("predict", "--model", fixture(task.getKey()).toString(),
            "--input", goldenInput.toString(), "--output", out.toString(), "--batch-size", "2"));
        if (!dynamic) args.add("--no-dynamic-padding");
        Result r = run(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        Map<String, Npz.Array> npz = Npz.read(out);
        List<String> names = new ArrayList<>(List.of("input_word_ids", "input_mask", "input_type_ids"));
        names.addAll(task.getValue());
        assertEquals(names, new ArrayList<>(npz.keySet()), task.getKey());
        assertArrayEquals(flatInts(golden.get("input_ids")), npz.get("input_word_ids").ints());
        assertArrayEquals(flatInts(golden.get("attention_mask")), npz.get("input_mask").ints());
        assertArrayEquals(flatInts(golden.get("token_type_ids")), npz.get("input_type_ids").ints());
        for (String name : task.getValue()) {
          Npz.Array a = npz.get(name);
          assertNotNull(a.floats(), name + " is float32");
          assertNull(a.ints());
          JsonNode g = golden.get(task.getKey()).get(name);
          assertArrayEquals(shape(g), a.shape(), task.getKey() + " " + name);
          double[] want = HfTiny.flat(g);
          boolean perToken = a.shape().length >= 2 && a.shape()[1] == 16;
          int inner = perToken ? (int) (want.length / (3 * 16)) : 0;
          double diff = 0;
          for (int i = 0; i < want.length; i++) {
            boolean padded = perToken && mask[i / (16 * inner)][(i / inner) % 16] == 0;
            if (dynamic && padded) {
              assertEquals(0f, a.floats()[i], task.getKey() + " " + name + ": padded positions hold 0");
            } else {
              diff = Math.max(diff, Math.abs(a.floats()[i] - want[i]));
            }
          }
          System.out.printf("predict %s %s (%s): max abs diff vs HF %.3g%n", task.getKey(), name,
              dynamic ? "dynamic padding" : "full T", diff);
          assertTrue(diff <= HF_ATOL, task.getKey() + " " + name + " differs from HF by " + diff);
        }
      }
    }
  }

  /**
   * Issue 12 item 4: the golden rows cut to their real tokens (16, 11 and 7: of different lengths, as a tokenizer
   * gives them) under Hugging Face's names are padded per batch and reproduce HF's token-classification logits on
   * every real token (HF_ATOL); the npz holds them padded to T = 16 with mask 0.
   */
  @Test
  void raggedRowsUnderHuggingFaceNamesReproduceTheGoldenLogits() throws Exception {
    int[][] ids = ints2(golden.get("input_ids")), mask = ints2(golden.get("attention_mask")),
        types = ints2(golden.get("token_type_ids"));
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      int len = 0;
      while (len < mask[r].length && mask[r][len] == 1) len++;
      ObjectNode o = JSON.createObjectNode();
      for (int j = 0; j < len; j++) {
        o.withArray("input_ids").add(ids[r][j]);
        o.withArray("attention_mask").add(1);
        o.withArray("token_type_ids").add(types[r][j]);
      }
      lines.add(o.toString());
    }
    Path in = dir.resolve("ragged.jsonl");
    Files.write(in, lines);
    Path out = dir.resolve("ragged.npz");
    Result r = run("predict", "--model", fixture("tokcls").toString(), "--input", in.toString(), "--output",
        out.toString(), "--batch-size", "2");
    assertEquals(0, r.code(), r.err());
    Map<String, Npz.Array> npz = Npz.read(out);
    assertArrayEquals(flatInts(golden.get("attention_mask")), npz.get("input_mask").ints());
    double[] want = HfTiny.flat(golden.get("tokcls").get("logits"));
    float[] got = npz.get("logits").floats();
    int c = want.length / (3 * 16);
    double diff = 0;
    for (int i = 0; i < want.length; i++) {
      if (mask[i / (16 * c)][(i / c) % 16] == 1) diff = Math.max(diff, Math.abs(got[i] - want[i]));
    }
    System.out.printf("predict ragged tokcls: max abs diff vs HF %.3g%n", diff);
    assertTrue(diff <= HF_ATOL, "ragged rows differ from HF by " + diff);
  }

  /** Issue 15 item 13: when the labels file cannot be written, the .npz is not left behind either. */
  @Test
  void aFailingLabelsFileLeavesNoNpz() throws Exception {
    Path out = dir.resolve("all-or-none.npz");
    Path notADir = dir.resolve("a-file");
    Files.writeString(notADir, "x");
    Result r = run("predict", "--model", fixture("seqcls").toString(), "--input", goldenInput.toString(),
        "--output", out.toString(), "--labels-output", notADir.resolve("labels.jsonl").toString());
    assertOneLineError(r, "labels.jsonl: cannot write", "no output was written");
    assertFalse(Files.exists(out), "the npz is not left behind");
    try (var files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".all-or-none")), "no temp files");
    }
  }

  @Test
  void numpyReadsTheNamesDtypesAndShapes() throws Exception {
    Path out = dir.resolve("numpy.npz");
    assertEquals(0, run("predict", "--model", fixture("qa").toString(), "--input", goldenInput.toString(),
        "--output", out.toString()).code());
    Process p;
    try {
      p = new ProcessBuilder("python3", "-c", "import sys, numpy as np\n"
          + "d = np.load(sys.argv[1])\n"
          + "for k in d.files: print(k, d[k].dtype, 'x'.join(map(str, d[k].shape)), repr(float(d[k].ravel()[1])))",
          out.toString()).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      Assumptions.abort("no python3: " + e.getMessage());
      return;
    }
    String text = new String(p.getInputStream().readAllBytes()).strip();
    Assumptions.assumeTrue(p.waitFor() == 0, "python3 with numpy needed: " + text);
    List<String> lines = text.lines().toList();
    assertEquals(5, lines.size(), text);
    assertTrue(lines.get(0).startsWith("input_word_ids int32 3x16 "), text);
    assertTrue(lines.get(1).startsWith("input_mask int32 3x16 "), text);
    assertTrue(lines.get(2).startsWith("input_type_ids int32 3x16 "), text);
    assertTrue(lines.get(3).startsWith("start_logits float32 3x16 "), text);
    assertTrue(lines.get(4).startsWith("end_logits float32 3x16 "), text);
    double start01 = Double.parseDouble(lines.get(3).split(" ")[3]);
    assertEquals(golden.get("qa").get("start_logits").get(0).get(1).asDouble(), start01, HF_ATOL);
  }

  static final List<String> VOCAB = EmbedCommandTest.VOCAB;
  static final BertConfig TINY = new BertConfig(VOCAB.size(), 16, 2, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 32, 2,
      0.02, 1e-12);

  @Test
  void savedClassifierPredictsWhatItDidInMemoryWithItsLabelNames() throws Exception {
    Path model = dir.resolve("saved-seqcls");
    Path in = dir.resolve("texts.jsonl");
    Files.write(in, List.of("{\"text\": \"I love pizza\"}",
        "{\"text\": \"India is my country\", \"text_b\": \"Italy is fun\"}",
        "{\"text\": \"visit italy\"}"));
    Path out = dir.resolve("seqcls.npz");
    Path labels = dir.resolve("seqcls-labels.jsonl");
    HeadContext ctx = HeadContext.of(TINY, 3).withLabelNames(List.of("neg", "pos", "neutral"));
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), ctx, 3)) {
      m.save(model);
      Files.write(model.resolve("vocab.txt"), VOCAB);
      Result r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", out.toString(),
          "--labels-output", labels.toString(), "--batch-size", "2");
      assertEquals(0, r.code(), r.err());
      Map<String, Npz.Array> npz = Npz.read(out);
      assertArrayEquals(new long[] {3, 10}, npz.get("input_word_ids").shape(), "[CLS] 4 [SEP] 3 [SEP] = 10");
      float[] want = inMemory(m, npz).get("logits");
      float[] got = npz.get("logits").floats();
      assertArrayEquals(new long[] {3, 3}, npz.get("logits").shape());
      assertEquals(0, maxDiff(want, got, null, 3), ROUND_TRIP_ATOL);
      List<String> lines = Files.readAllLines(labels);
      assertEquals(3, lines.size());
      for (int row = 0; row < 3; row++) {
        JsonNode l = JSON.readTree(lines.get(row));
        int best = argmax(want, row * 3, 3);
        assertEquals(List.of("neg", "pos", "neutral").get(best), l.get("label").asText());
        assertEquals(best, l.get("id").asInt());
        assertEquals(softmax(want, row * 3, 3)[best], l.get("probability").asDouble(), 1e-6);
      }
    }
  }

  /** {@code --truncation head_tail}: a long text keeps its first and last pieces, a short one is whole. */
  @Test
  void headTailKeepsTheStartAndTheEndOfALongText() throws Exception {
    Path model = dir.resolve("saved-seqcls-head-tail");
    Path in = dir.resolve("long-texts.jsonl");
    Files.write(in, List.of("{\"text\": \"i love pizza india is my country italy fun\"}",
        "{\"text\": \"visit italy\"}"));
    Path out = dir.resolve("head-tail.npz");
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), HeadContext.of(TINY, 2), 5)) {
      m.save(model);
      Files.write(model.resolve("vocab.txt"), VOCAB);
      Result r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output", out.toString(),
          "--max-length", "8", "--truncation", "head_tail", "--head-tokens", "2");
      assertEquals(0, r.code(), r.err());
      Map<String, Npz.Array> npz = Npz.read(out);
      // 9 pieces, room 6: "i love" from the start, "my country italy fun" from the end
      int[] want = new int[16];
      int p = 0;
      for (String t : List.of("[CLS]", "i", "love", "my", "country", "italy", "fun", "[SEP]")) want[p++] = VOCAB.indexOf(t);
      for (String t : List.of("[CLS]", "visit", "italy", "[SEP]")) want[p++] = VOCAB.indexOf(t);
      assertArrayEquals(want, npz.get("input_word_ids").ints());
      assertEquals(0, maxDiff(inMemory(m, npz).get("logits"), npz.get("logits").floats(), null, 2), ROUND_TRIP_ATOL);
    }
    String[] base = {"predict", "--model", model.toString(), "--input", in.toString(), "--output", out.toString()};
    assertOneLineError(run(CliRun.concat(base, new String[] {"--head-tokens", "2"})),
        "--head-tokens 2 needs --truncation head_tail");
    assertOneLineError(run(CliRun.concat(base, new String[] {"--truncation", "middle"})),
        "--truncation middle; expected head or head_tail");
    assertOneLineError(run(CliRun.concat(base, new String[] {"--truncation", "head_tail", "--head-tokens", "7",
        "--max-length", "8"})), "--head-tokens 7; expected at most --max-length - 2 = 6");
  }

  /** {@code --email-text}: a row holding a whole message is read as training read the corpus's emails. */
  @Test
  void emailTextReadsAWholeMessageAsTrainingDid() throws Exception {
    Path model = dir.resolve("saved-seqcls-email");
    Path in = dir.resolve("messages.jsonl");
    String message = "From: a@b\nSubject: visit italy\nContent-Type: text/html\nContent-Transfer-Encoding:"
        + " quoted-printable\n\n<html><body><p>i love=20pizza</p></body></html>\n";
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    Files.write(in, List.of(json.writeValueAsString(Map.of("text", message))));
    Path plainOut = dir.resolve("email-plain.npz");
    Path asIsOut = dir.resolve("email-as-is.npz");
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), HeadContext.of(TINY, 2), 5)) {
      m.save(model);
      Files.write(model.resolve("vocab.txt"), VOCAB);
      String[] base = {"predict", "--model", model.toString(), "--input", in.toString()};
      Result r = run(CliRun.concat(base, new String[] {"--output", plainOut.toString(), "--email-text", "plain"}));
      assertEquals(0, r.code(), r.err());
      // subject, blank line, then the HTML's text with =20 decoded: "visit italy i love pizza"
      int[] want = new int[8];
      int p = 0;
      for (String t : List.of("[CLS]", "visit", "italy", "i", "love", "pizza", "[SEP]")) want[p++] = VOCAB.indexOf(t);
      int[] got = Npz.read(plainOut).get("input_word_ids").ints();
      assertArrayEquals(java.util.Arrays.copyOf(want, p), got);
      assertEquals(0, run(CliRun.concat(base, new String[] {"--output", asIsOut.toString()})).code());
      assertTrue(Npz.read(asIsOut).get("input_word_ids").ints().length > got.length, "as given: headers and tags");
    }
    assertOneLineError(run("predict", "--model", model.toString(), "--input", in.toString(), "--output",
        dir.resolve("x.npz").toString(), "--email-text", "html"), "--email-text is html; expected none, raw or plain");
    assertFalse(Files.exists(dir.resolve("x.npz")));
  }

  @Test
  void savedTaggerPredictsWhatItDidInMemoryWithOneLabelPerRealToken() throws Exception {
    Path model = dir.resolve("saved-tokcls");
    Path in = dir.resolve("tag-texts.jsonl");
    Files.write(in, List.of("{\"text\": \"Italy is fun\"}", "{\"text\": \"I love pizza in India\"}"));
    Path out = dir.resolve("tokcls.npz");
    HeadContext ctx = HeadContext.of(TINY, 3).withLabelNames(List.of("O", "B-LOC", "I-LOC"));
    try (TaskModel m = TaskModel.random(new TokenClassificationHead(), ctx, 4)) {
      m.save(model);
      Files.write(model.resolve("vocab.txt"), VOCAB);
      // Batches of one: the short row runs at its own length, then is padded back to T=7.
      CliRun.Result r = runWithOut("predict", "--model", model.toString(), "--input", in.toString(), "--output",
          out.toString(), "--labels-output", "-", "--batch-size", "1");
      assertEquals(0, r.code(), r.err());
      Map<String, Npz.Array> npz = Npz.read(out);
      assertArrayEquals(new long[] {2, 7, 3}, npz.get("logits").shape());
      int[] mask = npz.get("input_mask").ints();
      float[] want = inMemory(m, npz).get("logits");
      assertEquals(0, maxDiff(want, npz.get("logits").floats(), mask, 3), ROUND_TRIP_ATOL);
      List<String> lines = r.err().lines().filter(l -> l.startsWith("{")).toList();
      assertEquals(2, lines.size(), r.err());
      JsonNode row0 = JSON.readTree(lines.get(0));
      assertEquals(List.of("[CLS]", "italy", "is", "fun", "[SEP]"), strings(row0.get("tokens")));
      assertEquals(5, row0.get("labels").size(), "one label per real token");
      assertEquals(7, JSON.readTree(lines.get(1)).get("labels").size(), "[CLS] i love pizza in india [SEP]");
      List<String> names = List.of("O", "B-LOC", "I-LOC");
      for (int t = 0; t < 5; t++) {
        int best = argmax(want, t * 3, 3);
        assertEquals(names.get(best), row0.get("labels").get(t).asText(), "token " + t);
        assertEquals(softmax(want, t * 3, 3)[best], row0.get("probabilities").get(t).asDouble(), 1e-6);
      }
    }
  }

  @Test
  void regressionWritesValuesAndMultiLabelEveryClassAtOrAboveOneHalf() throws Exception {
    Path in = goldenLikeTinyInput();
    // Regression: {"value": the one logit}.
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(),
        HeadContext.of(TINY, 1).withProblemType(ProblemType.REGRESSION), 8)) {
      Path model = dir.resolve("regression");
      m.save(model);
      Path labels = dir.resolve("regression.jsonl");
      Result r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output",
          dir.resolve("regression.npz").toString(), "--labels-output", labels.toString());
      assertEquals(0, r.code(), r.err());
      float[] want = inMemory(m, Npz.read(dir.resolve("regression.npz"))).get("logits");
      List<String> lines = Files.readAllLines(labels);
      for (int row = 0; row < 2; row++) {
        assertEquals(want[row], JSON.readTree(lines.get(row)).get("value").asDouble(), ROUND_TRIP_ATOL);
      }
    }
    // Multi-label: every class's sigmoid, and the classes at or above 0.5. A bias pushes class "b" to certain.
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), HeadContext.of(TINY, 3)
        .withProblemType(ProblemType.MULTI_LABEL_CLASSIFICATION).withLabelNames(List.of("a", "b", "c")), 9)) {
      String bias = m.head().weights(m.context()).get(1).canonical(); // the classifier's bias [C]
      m.sameDiff().getVariable(bias).getArr().putScalar(1, 20f);
      Path model = dir.resolve("multi-label");
      m.save(model);
      Path labels = dir.resolve("multi-label.jsonl");
      Result r = run("predict", "--model", model.toString(), "--input", in.toString(), "--output",
          dir.resolve("multi-label.npz").toString(), "--labels-output", labels.toString());
      assertEquals(0, r.code(), r.err());
      float[] want = inMemory(m, Npz.read(dir.resolve("multi-label.npz"))).get("logits");
      List<String> lines = Files.readAllLines(labels);
      for (int row = 0; row < 2; row++) {
        JsonNode l = JSON.readTree(lines.get(row));
        List<String> on = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
          double p = 1 / (1 + Math.exp(-want[row * 3 + k]));
          String name = List.of("a", "b", "c").get(k);
          assertEquals(p, l.get("probabilities").get(name).asDouble(), 1e-6);
          if (p >= 0.5) on.add(name);
        }
        assertTrue(on.contains("b"));
        assertEquals(on, strings(l.get("labels")));
      }
    }
  }

  @Test
  void modelWithoutNspHeadWritesOnlyPredictionLogitsAndSaysSo() throws Exception {
    Path model = dir.resolve("mlm-only");
    try (PretrainingModel m = PretrainingModel.random(TINY, false, 5)) {
      m.save(model);
      Path out = dir.resolve("mlm.npz");
      Result r = run("predict", "--model", model.toString(), "--input", goldenLikeTinyInput().toString(),
          "--output", out.toString());
      assertEquals(0, r.code(), r.err());
      assertTrue(r.err().contains("jbert predict: note: ") && r.err().contains("has no NSP head")
          && r.err().contains("seq_relationship_logits is left out"), r.err());
      Map<String, Npz.Array> npz = Npz.read(out);
      assertEquals(List.of("input_word_ids", "input_mask", "input_type_ids", "prediction_logits"),
          new ArrayList<>(npz.keySet()));
      int[][] ids = rows(npz.get("input_word_ids")), mask = rows(npz.get("input_mask")),
          types = rows(npz.get("input_type_ids"));
      try (PretrainingResult p = m.predict(ids, mask, types)) {
        float[] want = p.predictionLogits().dup().data().asFloat();
        assertEquals(0, maxDiff(want, npz.get("prediction_logits").floats(), npz.get("input_mask").ints(),
            VOCAB.size()), ROUND_TRIP_ATOL);
      }
    }
  }

  @Test
  void badInputIsOneLineNamingTheFileLineOrValue() throws Exception {
    Path out = dir.resolve("bad.npz");
    String seqcls = fixture("seqcls").toString();
    assertOneLineError(run("predict", "--model", dir.resolve("absent").toString(), "--input",
        goldenInput.toString(), "--output", out.toString()), "absent", "model folder not found");

    Path arch = dir.resolve("multiple-choice");
    Files.createDirectories(arch);
    Files.copy(fixture("seqcls").resolve("model.safetensors"), arch.resolve("model.safetensors"));
    ObjectNode cfg = (ObjectNode) JSON.readTree(fixture("seqcls").resolve("config.json").toFile());
    cfg.putArray("architectures").add("BertForMultipleChoice");
    Files.writeString(arch.resolve("config.json"), cfg.toString());
    assertOneLineError(run("predict", "--model", arch.toString(), "--input", goldenInput.toString(), "--output",
        out.toString()), "config.json", "[BertForMultipleChoice]", "BertForSequenceClassification");

    Path encoder = dir.resolve("encoder-only");
    try (BertModel m = BertModel.random(TINY, 1)) {
      m.save(encoder);
    }
    assertOneLineError(run("predict", "--model", encoder.toString(), "--input", goldenInput.toString(), "--output",
        out.toString()), "no task head and no MLM head (cls/predictions/*)", "jbert embed");

    Path in = dir.resolve("no-text.jsonl");
    Files.write(in, List.of("{\"text\": \"a\"}", "{\"txt\": \"b\"}"));
    assertOneLineError(run("predict", "--model", seqcls, "--input", in.toString(), "--output", out.toString()),
        "no-text.jsonl:2", "neither \"text\" nor \"input_word_ids\"");

    in = dir.resolve("big-id.jsonl");
    Files.write(in, List.of("{\"input_word_ids\": [2, 5, 3]}", "{\"input_word_ids\": [2, 120, 3]}"));
    assertOneLineError(run("predict", "--model", seqcls, "--input", in.toString(), "--output", out.toString()),
        "big-id.jsonl:2", "input_word_ids[1] is 120", "vocab_size is 120");

    in = dir.resolve("long.jsonl");
    Files.write(in, List.of("{\"input_word_ids\": " + new java.util.ArrayList<>(java.util.Collections.nCopies(41, 5))
        + "}"));
    assertOneLineError(run("predict", "--model", seqcls, "--input", in.toString(), "--output", out.toString()),
        "long.jsonl:1", "41 entries", "max_position_embeddings 40");

    in = dir.resolve("text.jsonl");
    Files.write(in, List.of("{\"text\": \"hello\"}"));
    assertOneLineError(run("predict", "--model", seqcls, "--input", in.toString(), "--output", out.toString()),
        "no vocab.txt", "input_word_ids");

    assertOneLineError(run("predict", "--model", fixture("qa").toString(), "--input", goldenInput.toString(),
        "--output", out.toString(), "--labels-output", dir.resolve("l.jsonl").toString()),
        "--labels-output", "is a question_answering model, which predicts no labels");
    assertOneLineError(run("predict", "--model", seqcls, "--input", dir.resolve("absent.jsonl").toString(),
        "--output", out.toString()), "absent.jsonl: input file not found");
    assertOneLineError(run("predict", "--model", seqcls, "--input", goldenInput.toString(), "--output",
        out.toString(), "--batch-size", "0"), "--batch-size 0");
    assertFalse(Files.exists(out), "no output written on errors");
    assertFalse(Files.exists(dir.resolve("l.jsonl")));
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  /** Two pre-tokenized rows for the tiny 19-token vocabulary, the second padded. */
  private static Path goldenLikeTinyInput() throws Exception {
    Path in = dir.resolve("tiny-pre.jsonl");
    Files.write(in, List.of("{\"input_word_ids\": [2, 5, 6, 7, 3, 9, 10, 3]}",
        "{\"input_word_ids\": [2, 8, 3, 0, 0, 0, 0, 0], \"input_mask\": [1, 1, 1, 0, 0, 0, 0, 0]}"));
    return in;
  }

  private static CliRun.Result runWithOut(String... args) {
    picocli.CommandLine cl = Main.newCommandLine();
    java.io.StringWriter both = new java.io.StringWriter();
    cl.setErr(new java.io.PrintWriter(both));
    cl.setOut(new java.io.PrintWriter(both));
    int code = cl.execute(args);
    return new CliRun.Result(code, both.toString());
  }

  /** The model's outputs on the npz's inputs, all rows in one batch at the full T. */
  private static Map<String, float[]> inMemory(TaskModel m, Map<String, Npz.Array> npz) {
    Map<String, INDArray> r = m.predict(rows(npz.get("input_word_ids")), rows(npz.get("input_mask")),
        rows(npz.get("input_type_ids")));
    Map<String, float[]> out = new java.util.HashMap<>();
    r.forEach((k, v) -> out.put(k, v.dup().data().asFloat()));
    r.values().forEach(INDArray::close);
    return out;
  }

  /** max |a - b|; with {@code mask} ([N*T]) only over real positions of [N,T,inner] arrays. */
  private static double maxDiff(float[] a, float[] b, int[] mask, int inner) {
    assertEquals(a.length, b.length);
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      if (mask != null && mask[i / inner] == 0) continue;
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  private static int argmax(float[] v, int off, int n) {
    int best = 0;
    for (int k = 1; k < n; k++) if (v[off + k] > v[off + best]) best = k;
    return best;
  }

  private static double[] softmax(float[] v, int off, int n) {
    double max = Double.NEGATIVE_INFINITY, sum = 0;
    for (int k = 0; k < n; k++) max = Math.max(max, v[off + k]);
    double[] p = new double[n];
    for (int k = 0; k < n; k++) sum += p[k] = Math.exp(v[off + k] - max);
    for (int k = 0; k < n; k++) p[k] /= sum;
    return p;
  }

  private static int[][] rows(Npz.Array a) {
    int n = (int) a.shape()[0], t = (int) a.shape()[1];
    int[][] m = new int[n][t];
    for (int i = 0; i < n; i++) System.arraycopy(a.ints(), i * t, m[i], 0, t);
    return m;
  }

  private static List<String> strings(JsonNode n) {
    List<String> l = new ArrayList<>();
    n.forEach(x -> l.add(x.asText()));
    return l;
  }

  private static List<JsonNode> ints(JsonNode row) {
    List<JsonNode> l = new ArrayList<>();
    row.forEach(x -> l.add(JSON.getNodeFactory().numberNode((int) Math.round(x.asDouble()))));
    return l;
  }

  private static int[][] ints2(JsonNode n) {
    int[][] out = new int[n.size()][];
    for (int i = 0; i < n.size(); i++) {
      out[i] = new int[n.get(i).size()];
      for (int j = 0; j < out[i].length; j++) out[i][j] = (int) Math.round(n.get(i).get(j).asDouble());
    }
    return out;
  }

  private static int[] flatInts(JsonNode n) {
    return java.util.Arrays.stream(HfTiny.flat(n)).mapToInt(x -> (int) Math.round(x)).toArray();
  }

  private static long[] shape(JsonNode n) {
    List<Long> s = new ArrayList<>();
    for (JsonNode x = n; x.isArray(); x = x.get(0)) s.add((long) x.size());
    return s.stream().mapToLong(Long::longValue).toArray();
  }

}
