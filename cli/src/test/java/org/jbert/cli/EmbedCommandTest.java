package org.jbert.cli;

import static org.jbert.cli.CliRun.assertOneLineError;
import static org.jbert.cli.CliRun.concat;
import static org.jbert.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jbert.cli.CliRun.Result;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.io.Npz;
import org.jbert.core.model.BertModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbert embed} on a tiny random model saved in jbert's folder format (fast; the real model is in walkthrough). */
class EmbedCommandTest {
  static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "i", "love", "pizza",
      "india", "is", "my", "country", "italy", "fun", "place", "to", "visit", "##s", ".");
  @TempDir static Path dir;
  static Path model;

  @BeforeAll
  static void tinyModel() throws Exception {
    BertConfig c = new BertConfig(VOCAB.size(), 16, 2, 2, 24, Activation.GELU_TANH, 0.1, 0.1, 32, 2, 0.02, 1e-12);
    model = dir.resolve("tiny");
    try (BertModel m = BertModel.random(c, 7)) {
      m.save(model);
    }
    Files.write(model.resolve("vocab.txt"), VOCAB);
  }

  @Test
  void dynamicPaddingKeepsRealTokenOutputsOfFixedPadding() {
    Path dyn = dir.resolve("dyn.npz");
    Path fixed = dir.resolve("fixed.npz");
    String[] texts = {"I love pizza", "India is my country", "Italy is fun place to visit"};
    Result r = run(concat(new String[] {"embed", "--model", model.toString(), "--output", dyn.toString(),
        "--batch-size", "2"}, texts));
    assertEquals(0, r.code(), r.err());
    r = run(concat(new String[] {"embed", "--model", model.toString(), "--output", fixed.toString(),
        "--no-dynamic-padding", "--max-length", "16"}, texts));
    assertEquals(0, r.code(), r.err());
    Map<String, Npz.Array> d = Npz.read(dyn);
    Map<String, Npz.Array> f = Npz.read(fixed);
    assertEquals(List.of("input_word_ids", "input_mask", "input_type_ids", "default", "pooled_output",
        "sequence_output", "encoder_outputs"), List.copyOf(d.keySet()));
    assertArrayEquals(new long[] {3, 8}, d.get("input_word_ids").shape(), "longest row: [CLS] 6 words [SEP]");
    assertArrayEquals(new long[] {3, 16}, f.get("input_word_ids").shape());
    assertArrayEquals(new long[] {3, 16}, d.get("pooled_output").shape());
    assertArrayEquals(new long[] {3, 8, 16}, d.get("sequence_output").shape());
    assertArrayEquals(new long[] {2, 3, 8, 16}, d.get("encoder_outputs").shape());
    assertArrayEquals(d.get("pooled_output").floats(), d.get("default").floats());
    // The last layer is sequence_output, value for value.
    float[] layers = d.get("encoder_outputs").floats();
    float[] seq = d.get("sequence_output").floats();
    for (int i = 0; i < seq.length; i++) assertEquals(seq[i], layers[seq.length + i]);
    // Real tokens: same outputs with dynamic padding (and batches of 2 sorted by length) as padded to 16.
    int[] mask = d.get("input_mask").ints();
    float[] seqFixed = f.get("sequence_output").floats();
    double maxDiff = 0;
    int real = 0;
    for (int b = 0; b < 3; b++) {
      for (int t = 0; t < 8; t++) {
        if (mask[b * 8 + t] == 0) {
          for (int h = 0; h < 16; h++) assertEquals(0f, seq[(b * 8 + t) * 16 + h], "padded positions hold 0");
          continue;
        }
        real++;
        for (int h = 0; h < 16; h++) {
          maxDiff = Math.max(maxDiff, Math.abs(seq[(b * 8 + t) * 16 + h] - seqFixed[(b * 16 + t) * 16 + h]));
        }
      }
    }
    assertEquals(3 + 2 * 3 + 4 + 6, real, "real tokens: words plus [CLS] and [SEP]");
    assertTrue(maxDiff <= 1e-5, "real-token outputs differ by " + maxDiff);
    float[] pd = d.get("pooled_output").floats();
    float[] pf = f.get("pooled_output").floats();
    for (int i = 0; i < pd.length; i++) assertEquals(pf[i], pd[i], 1e-5);
  }

  @Test
  void preTokenizedJsonLinesAreUsedAsGiven() throws Exception {
    Path in = dir.resolve("pre.jsonl");
    Files.writeString(in, "{\"input_word_ids\": [2, 5, 6, 7, 3, 0]}\n"
        + "{\"input_word_ids\": [2, 8, 3, 0, 0, 0], \"input_mask\": [1, 1, 1, 0, 0, 0]}\n");
    Path out = dir.resolve("pre.npz");
    Result r = run("embed", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    Map<String, Npz.Array> d = Npz.read(out);
    assertArrayEquals(new int[] {2, 5, 6, 7, 3, 0, 2, 8, 3, 0, 0, 0}, d.get("input_word_ids").ints());
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, d.get("input_mask").ints(),
        "input_mask defaults to all 1");
  }

  /**
   * Issue 12 items 4 and 5: pre-tokenized rows of different lengths, under any alias, need no vocabulary (the folder
   * has none) and are padded per batch; each row's outputs on its real tokens equal the row run alone (1e-5).
   */
  @Test
  void raggedPreTokenizedRowsNeedNoVocabularyAndArePadded() throws Exception {
    Path noVocab = dir.resolve("tiny-no-vocab");
    Files.createDirectories(noVocab);
    try (var files = Files.list(model)) {
      for (Path p : files.toList()) {
        if (!p.getFileName().toString().equals("vocab.txt")) Files.copy(p, noVocab.resolve(p.getFileName()));
      }
    }
    Path in = dir.resolve("ragged-ok.jsonl");
    Files.writeString(in, "{\"input_ids\": [2, 5, 6, 7, 3]}\n{\"input_ids\": [2, 8, 3], \"attention_mask\": [1, 1, 1],"
        + " \"token_type_ids\": [0, 0, 0]}\n");
    Path out = dir.resolve("ragged.npz");
    Result r = run("embed", "--model", noVocab.toString(), "--input", in.toString(), "--output", out.toString(),
        "--batch-size", "2");
    assertEquals(0, r.code(), r.err());
    Map<String, Npz.Array> d = Npz.read(out);
    assertArrayEquals(new int[] {2, 5, 6, 7, 3, 2, 8, 3, 0, 0}, d.get("input_word_ids").ints());
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, d.get("input_mask").ints());
    Path alone = dir.resolve("alone.jsonl");
    Files.writeString(alone, "{\"input_word_ids\": [2, 8, 3]}\n");
    Path outAlone = dir.resolve("alone.npz");
    r = run("embed", "--model", noVocab.toString(), "--input", alone.toString(), "--output", outAlone.toString());
    assertEquals(0, r.code(), r.err());
    float[] both = d.get("sequence_output").floats();
    float[] one = Npz.read(outAlone).get("sequence_output").floats();
    int h = 16;
    for (int i = 0; i < 3 * h; i++) assertEquals(one[i], both[5 * h + i], 1e-5, "row 2, value " + i);
    assertOneLineError(run("embed", "--model", noVocab.toString(), "--output", out.toString(), "some text"),
        "no vocab.txt or tokenizer.json beside the weights");
  }

  @Test
  void badInputsAreNamed() throws Exception {
    Path out = dir.resolve("bad.npz");
    Path in = dir.resolve("ragged.jsonl");
    Files.writeString(in, "{\"input_word_ids\": [2, 5, 3]}\n{\"input_word_ids\": [2, 3], \"input_mask\": [1]}\n");
    assertOneLineError(run("embed", "--model", model.toString(), "--input", in.toString(), "--output",
        out.toString()), "ragged.jsonl:2", "\"input_mask\" has 1 values; expected 2");
    Files.writeString(in, "{\"input_word_ids\": [2, 99, 3]}\n");
    assertOneLineError(run("embed", "--model", model.toString(), "--input", in.toString(), "--output",
        out.toString()), "99", "vocab_size is " + VOCAB.size());
    assertOneLineError(run("embed", "--model", dir.resolve("absent").toString(), "--output", out.toString(), "x"),
        "absent");
    assertOneLineError(run("embed", "--model", model.toString(), "--output", out.toString()), "nothing to embed");
    assertFalse(Files.exists(out), "no output written on errors");
  }

  /** --precision bf16: every output within 0.05 of float32 on the tiny model, not equal to it; a bad value is named. */
  @Test
  void bf16PrecisionStaysCloseToFloat32() {
    Path fp32 = dir.resolve("fp32.npz");
    Path bf16 = dir.resolve("bf16.npz");
    String[] texts = {"I love pizza", "India is my country"};
    Result r = run(concat(new String[] {"embed", "--model", model.toString(), "--output", fp32.toString()}, texts));
    assertEquals(0, r.code(), r.err());
    r = run(concat(new String[] {"embed", "--model", model.toString(), "--output", bf16.toString(), "--precision",
        "bf16"}, texts));
    assertEquals(0, r.code(), r.err());
    float[] a = Npz.read(fp32).get("sequence_output").floats();
    float[] b = Npz.read(bf16).get("sequence_output").floats();
    double worst = 0;
    for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assertTrue(worst < 0.05 && worst > 1e-6, "bf16 vs float32 sequence_output: " + worst);
    r = run(concat(new String[] {"embed", "--model", model.toString(), "--output", bf16.toString(), "--precision",
        "fp16"}, texts));
    assertOneLineError(r, "--precision 'fp16'; expected float32 or bf16");
  }
}
