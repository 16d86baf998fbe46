package org.jbert.eval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.core.model.Bert;
import org.jbert.core.model.BertModel;
import org.jbert.eval.data.EvalTexts;
import org.jbert.eval.report.Check;
import org.jbert.eval.report.Report;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The article's embedding checks and the whole {@code jbert eval} run on a tiny random model (L=3, H=20, N=4, I=36:
 * odd sizes; fast). No golden numbers: the checks are self-consistency checks (shapes, exact equality, invariance).
 */
class EmbeddingChecksTest {
  static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "i", "love", "pizza",
      "india", "is", "my", "country", "italy", "fun", "place", "to", "visit", "##s", ".");
  static final int T = 16;
  @TempDir static Path dir;
  static Path model;
  static Bert bert;

  @BeforeAll
  static void tinyModel() throws Exception {
    BertConfig c = new BertConfig(VOCAB.size(), 20, 3, 4, 36, Activation.GELU_TANH, 0.1, 0.1, 32, 2, 0.02, 1e-12);
    model = dir.resolve("tiny");
    try (BertModel m = BertModel.random(c, 11)) {
      m.save(model);
    }
    Files.write(model.resolve("vocab.txt"), VOCAB);
    bert = Bert.load(model.toString());
  }

  @AfterAll
  static void close() {
    bert.close();
  }

  private static Map<String, Check> byName(List<Check> checks) {
    return checks.stream().collect(Collectors.toMap(Check::name, Function.identity()));
  }

  @Test
  void theArticlesChecksPassOnATinyModel() {
    List<Check> checks = EmbeddingChecks.run(bert, EvalTexts.ARTICLE, T,
        EmbeddingChecks.Expected.of(bert.model(), 3, T), 1e-5);
    assertEquals(List.of("preprocessor keys", "preprocessor shapes", "encoder keys", "default shape",
        "pooled_output shape", "sequence_output shape", "encoder_outputs shapes", "layer count",
        "encoder_outputs[-1] == sequence_output", "padding invariance", "dynamic padding == padding to T"),
        checks.stream().map(Check::name).toList());
    for (Check c : checks) assertTrue(c.passed(), c.toString());
    Map<String, Check> m = byName(checks);
    assertEquals(3, m.get("layer count").measured());
    assertEquals(0, m.get("encoder_outputs[-1] == sequence_output").measured());
    assertTrue(m.get("preprocessor shapes").note().contains("input_word_ids (3, 16)"), m.get("preprocessor shapes")
        .note());
    assertTrue(m.get("encoder_outputs shapes").note().startsWith("3 x (3, 16, 20)"), m.get("encoder_outputs shapes")
        .note());
    // "I love pizza" (5 tokens) alone at T=5 vs in the batch; the longest row is 8 tokens.
    assertTrue(m.get("padding invariance").note().contains("alone at T=5"), m.get("padding invariance").note());
    assertTrue(m.get("dynamic padding == padding to T").note().startsWith("T=8 vs T=16"));
  }

  @Test
  void aWrongExpectationFailsTheChecksThatDependOnIt() {
    EmbeddingChecks.Expected right = EmbeddingChecks.Expected.of(bert.model(), 3, T);
    EmbeddingChecks.Expected wrong = new EmbeddingChecks.Expected(right.preprocessorKeys(),
        List.of("default", "pooled_output", "sequence_output", "encoder_outputs", "attention_weights"), 3, T,
        right.hidden() + 1, right.layers() + 1);
    Map<String, Check> m = byName(EmbeddingChecks.run(bert, EvalTexts.ARTICLE, T, wrong, 1e-5));
    for (String failing : List.of("encoder keys", "default shape", "pooled_output shape", "sequence_output shape",
        "encoder_outputs shapes", "layer count")) {
      assertFalse(m.get(failing).passed(), failing + " should fail: " + m.get(failing));
    }
    assertTrue(m.get("preprocessor shapes").passed());
    assertTrue(m.get("encoder_outputs[-1] == sequence_output").passed());
    assertTrue(m.get("pooled_output shape").note().contains("(3, 20); expected (3, 21)"),
        m.get("pooled_output shape").note());

    // The padding checks are held to their bound: one below zero cannot be met, even by bit-identical outputs.
    Map<String, Check> strict = byName(EmbeddingChecks.run(bert, EvalTexts.ARTICLE, T, right, -1));
    assertFalse(strict.get("padding invariance").passed());
    assertFalse(strict.get("dynamic padding == padding to T").passed());
  }

  @Test
  void evalRunWritesAReportAndSkipsParityForANonSavedModel() throws Exception {
    Path out = dir.resolve("report");
    EvalConfig c = YamlBinder.bind(YamlBinder.parse("model: " + model + "\nseq_length: 16\noutput_dir: " + out,
        "test"), EvalConfig.class, "test");
    assertEquals(EvalConfig.MODEL_GROUPS, c.groups());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    EvalRun.Outcome o = EvalRun.run(c, new PrintStream(log, true, "UTF-8"));
    assertTrue(o.passed(), EvalRun.failureLines(o.report()).toString());
    JsonNode json = new ObjectMapper().readTree(out.resolve(Report.JSON).toFile());
    assertTrue(json.get("all_passed").asBoolean());
    assertEquals(List.of("Model and inputs", "Embedding checks (the TF Hub article)", "Parity against TensorFlow",
        "Import paths", "Backend"), titles(json));
    assertEquals(0, json.get("sections").get(2).get("checks").size(), "parity skipped: no checks");
    assertTrue(json.get("sections").get(2).get("text").get(0).asText().startsWith("Skipped: the model is a"
        + " safetensors folder"));
    JsonNode importCheck = json.get("sections").get(3).get("checks").get(0);
    assertEquals("safetensors == safetensors export", importCheck.get("name").asText());
    assertEquals(0.0, importCheck.get("measured").asDouble(), "bit-identical after the export");
    String md = Files.readString(out.resolve(Report.MARKDOWN));
    assertTrue(md.contains("| ND4J backend (any required) | PASS |  |  | cpu: "), md);
    // The native build that ran: tests pin the generic one (surefire sets an empty javacpp platform extension).
    String platform = org.bytedeco.javacpp.Loader.getPlatform();
    assertTrue(md.contains("| javacpp platform | " + platform + " |"), md);
    assertTrue(md.matches("(?s).*\\| nd4j native library \\| nd4j-native-\\S+-"
        + java.util.regex.Pattern.quote(platform) + "\\.jar \\|.*"), md);
    assertTrue(Files.isRegularFile(out.resolve(EvalRun.RESOLVED)));

    // A required backend that is not the one running fails, and the failure line names it.
    EvalConfig cuda = YamlBinder.bind(YamlBinder.parse("model: " + model + "\nseq_length: 16\nchecks: [backend]\n"
        + "backend: cuda\noutput_dir: " + dir.resolve("cuda"), "test"), EvalConfig.class, "test");
    EvalRun.Outcome f = EvalRun.run(cuda, new PrintStream(log, true, "UTF-8"));
    assertFalse(f.passed());
    List<String> lines = EvalRun.failureLines(f.report());
    assertEquals(1, lines.size());
    assertTrue(lines.get(0).startsWith("FAIL ND4J backend (cuda required) (cpu: "), lines.get(0));
  }

  @Test
  void unknownKeysAndBadValuesAreRejectedWithTheirKey() {
    String m = assertThrows(JbertException.class, () -> YamlBinder.bind(YamlBinder.parse("texts:\n  artcle: true",
        "eval.yaml"), EvalConfig.class, "eval.yaml")).getMessage();
    assertTrue(m.contains("eval.yaml") && m.contains("texts.artcle"), m);
    m = assertThrows(JbertException.class, () -> YamlBinder.bind(YamlBinder.parse("checks: [parity, speed]",
        "eval.yaml"), EvalConfig.class, "eval.yaml")).getMessage();
    assertTrue(m.contains("speed") && m.contains("import_paths"), m);
    m = assertThrows(JbertException.class, () -> YamlBinder.bind(YamlBinder.parse("seq_length: 4", "eval.yaml"),
        EvalConfig.class, "eval.yaml")).getMessage();
    assertTrue(m.contains("seq_length is 4"), m);
  }

  private static List<String> titles(JsonNode json) {
    List<String> t = new java.util.ArrayList<>();
    json.get("sections").forEach(s -> t.add(s.get("title").asText()));
    return t;
  }
}
