package org.jbert.bench;

import static org.jbert.cli.CliRun.assertOneLineError;

import org.jbert.cli.CliRun;
import org.jbert.cli.Main;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.BertModel;
import org.jbert.bench.BenchResults;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jbert bench} end to end on a tiny random model (H=16, 2 layers, P=128 so that T=128 fits) without
 * TensorFlow: every phase runs, the training phases in child JVMs. Checks what is printed and written, never how fast
 * anything was.
 */
class BenchCommandTest {
  static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "i", "love", "pizza",
      "india", "is", "my", "country", "italy", "fun", "place", "to", "visit", "##s", ".");
  @TempDir static Path dir;
  static Path model;
  static long encoderParameters;

  @BeforeAll
  static void tinyModel() throws Exception {
    BertConfig c = new BertConfig(VOCAB.size(), 16, 2, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 128, 2, 0.02, 1e-12);
    model = dir.resolve("tiny");
    try (BertModel m = BertModel.random(c, 7)) {
      m.save(model);
      encoderParameters = m.parameterCount();
    }
    Files.write(model.resolve("vocab.txt"), VOCAB);
  }

  /** Exit status, stdout and stderr of one in-process run. */
  record Run(int code, String out, String err) {}

  static Run bench(String... args) {
    CommandLine cl = Main.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 1];
    all[0] = "bench";
    System.arraycopy(args, 0, all, 1, args.length);
    int code = cl.execute(all);
    return new Run(code, out.toString(), err.toString());
  }

  static double number(Map<String, String> figures, String name) {
    assertTrue(figures.containsKey(name), "no " + name + " in " + figures.keySet());
    String v = figures.get(name);
    return v.equals("nan") ? Double.NaN : Double.parseDouble(v);
  }

  @Test
  void wholeRunWithoutTensorFlowPrintsEveryFigureAndWritesTheSameJson() throws Exception {
    Path texts = dir.resolve("texts.jsonl");
    Files.writeString(texts, """
        {"text": "I love pizza"}
        {"text": "India is my country"}
        {"text": "Italy is fun place to visit"}
        {"text": "pizza"}
        {"text": "I love India. India is my country. Italy is fun. I love pizza, pizza is fun to visit."}
        {"text": "visit my country"}
        {"text": "not read: --texts 6"}
        """);
    Path json = dir.resolve("out").resolve("bench.json");
    Run r = bench("--model", model.toString(), "--no-tf", "--sgemm-size", "64", "--batch", "4",
        "--inference-batches", "1", "--texts-file", texts.toString(), "--texts", "6", "--train-batches", "8,32",
        "--train-steps", "1", "--profile", "--output", json.toString());
    assertEquals(0, r.code(), r.err());

    // stdout is exactly the name=value lines, the five headline names first.
    List<String> lines = r.out().lines().toList();
    Map<String, String> figures = new LinkedHashMap<>();
    for (String line : lines) {
      assertTrue(line.matches("[a-z][a-z0-9_]*=(nan|-?inf|-?[0-9]+(\\.[0-9]+)?)"), "not name=value: " + line);
      figures.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
    }
    assertEquals(lines.size(), figures.size(), "each name once");
    assertEquals(BenchResults.HEADLINE, new ArrayList<>(figures.keySet()).subList(0, 5));

    // Without TF the ratios to TF are nan, and a note says so.
    assertEquals("nan", figures.get("inference_vs_tf"));
    assertEquals("nan", figures.get("realtext_vs_tf_fixed128"));
    assertTrue(r.err().contains("note: TensorFlow was not run (--no-tf)"), r.err());

    // --profile: the op tables on stderr, and the share of a batch inside ops, in (0, 1].
    assertTrue(r.err().contains("profile of one dense batch") && r.err().contains("by op type:"), r.err());
    double inside = Double.parseDouble(figures.get("inference_profile_inside_ops_fraction"));
    assertTrue(inside > 0 && inside <= 1, "inside ops fraction " + inside);

    // Measured figures are finite and positive.
    for (String name : List.of("train_b32_seconds_per_step", "train_b32_peak_rss_gb",
        "train_b32_fraction_of_sgemm_peak", "train_b8_seconds_per_step", "train_b8_peak_rss_gb",
        "train_b8_fraction_of_sgemm_peak", "train_b32_gflops", "sgemm_peak_gflops", "inference_jbert_seq_per_s",
        "realtext_jbert_bucketed_seq_per_s", "realtext_jbert_bucketed_cold_seq_per_s",
        "realtext_jbert_fixed128_seq_per_s", "inference_peak_rss_gb")) {
      double v = number(figures, name);
      assertTrue(Double.isFinite(v) && v > 0, name + "=" + figures.get(name));
    }
    assertTrue(Double.isFinite(number(figures, "train_b32_loss")));
    // Derived figures agree with their parts (to the printed 4 digits).
    double gflops = number(figures, "train_b32_gflops");
    // The machine peak is the best measured rate (no TF here: OpenBLAS's sgemm or nd4j's matmul op).
    double machine = Math.max(number(figures, "sgemm_peak_gflops"), number(figures, "matmul_op_gflops"));
    assertEquals(machine, number(figures, "machine_sgemm_peak_gflops"), 2e-3 * machine);
    assertEquals(gflops / machine, number(figures, "train_b32_fraction_of_sgemm_peak"),
        2e-3 * number(figures, "train_b32_fraction_of_sgemm_peak"));
    assertEquals(gflops / number(figures, "sgemm_peak_gflops"),
        number(figures, "train_b32_fraction_of_openblas_sgemm_peak"),
        2e-3 * number(figures, "train_b32_fraction_of_openblas_sgemm_peak"));
    // The children trained this model: encoder + pooler (from the saved model) + a 2-class classifier [H,2] + [2].
    assertEquals(encoderParameters + 16 * 2 + 2, (long) number(figures, "train_parameters"));
    // Each child is a whole JVM with nd4j loaded: its peak is more than 50 MB whatever the model.
    assertTrue(number(figures, "train_b8_peak_rss_gb") > 0.05, figures.get("train_b8_peak_rss_gb"));
    // --sgemm-size 64 measures n = 16, 32 and 64.
    assertTrue(List.of(16.0, 32.0, 64.0).contains(number(figures, "sgemm_peak_n")), figures.get("sgemm_peak_n"));
    // Real texts: 6 of the 7 lines; bucketing changes no pooled output (float rounding only).
    assertEquals(6, (int) number(figures, "realtext_texts"));
    assertTrue(number(figures, "realtext_bucketed_cells_fraction") < 1, "bucketing runs fewer cells than 6 x 128");
    assertTrue(number(figures, "realtext_pooled_max_abs_diff_bucketed_vs_fixed") <= 1e-5,
        figures.get("realtext_pooled_max_abs_diff_bucketed_vs_fixed"));
    assertEquals("nan", figures.get("realtext_pooled_max_abs_diff_vs_tf"));
    // The training children's output was passed on as progress.
    assertTrue(r.err().contains("[train b=32] training B=32 T=128 step 1/1"), r.err());
    // The default --train-micro-batch 8: B=32 ran as 4 passes of 8, B=8 in one.
    // Each child names the graph it trained: the fused one, the kernels being active here.
    assertTrue(r.err().contains("training B=32 T=128 (4 micro-batches of 8, fused graph on "), r.err());
    assertTrue(r.err().contains("training B=8 T=128 (one pass, fused graph on "), r.err());
    assertEquals(8, (int) number(figures, "train_b32_micro_batch"));
    assertEquals(8, (int) number(figures, "train_b8_micro_batch"));
    // nd4j's matmul op on the encoder's shapes; the tests' generic build has no fast bf16 matmul, so bf16 is
    // skipped with a note, in the sgemm phase and in the dense rounds.
    assertTrue(number(figures, "matmul_op_gflops") > 0, figures.get("matmul_op_gflops"));
    assertEquals("nan", figures.get("matmul_op_bf16_gflops"));
    assertEquals("nan", figures.get("inference_bf16_vs_tf"));
    assertTrue(r.err().contains("note: bf16 matmul not measured") && r.err().contains("note: bf16 inference not"
        + " measured"), r.err());

    // The JSON holds the same figures (null for nan), the notes, the machine and the settings.
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    Map<String, String> fromJson = new LinkedHashMap<>();
    j.get("results").fields().forEachRemaining(e -> fromJson.put(e.getKey(),
        e.getValue().isNull() ? "nan" : e.getValue().asText()));
    assertEquals(new ArrayList<>(figures.keySet()), new ArrayList<>(fromJson.keySet()));
    for (String name : figures.keySet()) {
      if (name.equals("wall_seconds") || figures.get(name).equals("nan")) {
        assertEquals(figures.get(name).equals("nan"), fromJson.get(name).equals("nan"), name);
        continue;
      }
      assertEquals(Double.parseDouble(figures.get(name)), Double.parseDouble(fromJson.get(name)), 0.0, name);
    }
    assertTrue(j.get("notes").toString().contains("--no-tf"));
    JsonNode m = j.get("machine");
    for (String k : List.of("cpu_model", "logical_cpus", "nd4j_backend", "nd4j", "javacpp_platform",
        "javacpp_platform_extension", "nd4j_native_library", "load_average_start", "load_average_end")) {
      assertTrue(m.has(k), "machine." + k + " missing: " + m);
    }
    assertTrue(m.get("nd4j").has("max threads"), m.toString());
    assertEquals(List.of(8, 32), List.of(j.get("settings").get("train_batches").get(0).asInt(),
        j.get("settings").get("train_batches").get(1).asInt()));
    assertEquals(false, j.get("settings").get("tf").asBoolean());
  }

  @Test
  void badOptionsAreNamedOnOneLine() {
    assertOneLineError(CliRun.run("bench", "--model", model.toString(), "--only", "inference,speed"), "--only",
        "'speed'", "sgemm");
    assertOneLineError(CliRun.run("bench", "--model", model.toString(), "--train-batches", "8,x"),
        "--train-batches", "'x'");
    assertOneLineError(CliRun.run("bench", "--model", model.toString(), "--train-steps", "0"), "--train-steps 0");
  }

  @Test
  void aModelThatCannotTake128TokensIsRejectedBeforeMeasuring() throws Exception {
    Path small = dir.resolve("p40");
    BertConfig c = new BertConfig(VOCAB.size(), 16, 1, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 40, 2, 0.02, 1e-12);
    try (BertModel m = BertModel.random(c, 7)) {
      m.save(small);
    }
    assertOneLineError(CliRun.run("bench", "--model", small.toString(), "--no-tf"), "max_position_embeddings 40",
        "T=128");
  }
}
