package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PretrainDataCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CORPUS = """
      The cat sat on the mat.
      It was a sunny day.
      Then the dog came along and barked at the cat.
      The cat ran away.

      BERT is a language model.
      It is pretrained on masked words and next sentences.
      Fine-tuning adapts it to a task.

      A single sentence document.
      """;

  /** Runs the CLI (with this subcommand added, as Main registers it) and returns {exit code, stderr}. */
  private static Object[] run(String... args) {
    CommandLine cl = Main.newCommandLine();
    if (!cl.getSubcommands().containsKey("pretrain-data")) cl.addSubcommand(new PretrainDataCommand());
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Object[] {code, err.toString()};
  }

  @Test
  void writesPaddedInstancesDeterministically(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("corpus.txt");
    Files.writeString(in, CORPUS);
    Path out1 = dir.resolve("a.jsonl");
    Path out2 = dir.resolve("b.jsonl");
    String[] common = {"--input", in.toString(), "--max-seq-length", "24", "--max-predictions-per-seq", "4",
        "--dupe-factor", "3", "--seed", "7", "--whole-word-mask"};
    Object[] r = run(concat(new String[] {"pretrain-data", "--output", out1.toString()}, common));
    assertEquals(0, r[0], (String) r[1]);
    assertTrue(((String) r[1]).startsWith("wrote "), (String) r[1]);
    assertEquals(0, run(concat(new String[] {"pretrain-data", "--output", out2.toString()}, common))[0]);
    assertArrayEquals(Files.readAllBytes(out1), Files.readAllBytes(out2));
    List<String> lines = Files.readAllLines(out1);
    assertFalse(lines.isEmpty());
    for (String line : lines) {
      JsonNode n = JSON.readTree(line);
      assertEquals(24, n.get("input_ids").size());
      assertEquals(24, n.get("input_mask").size());
      assertEquals(24, n.get("segment_ids").size());
      assertEquals(4, n.get("masked_lm_positions").size());
      assertEquals(4, n.get("masked_lm_ids").size());
      assertEquals(4, n.get("masked_lm_weights").size());
      assertEquals(101, n.get("input_ids").get(0).asInt(), "[CLS] of bert-base-uncased");
      int label = n.get("next_sentence_label").asInt();
      assertTrue(label == 0 || label == 1);
    }
  }

  @Test
  void badInputIsOneLineAndExitCode2(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("corpus.txt");
    Files.writeString(in, CORPUS);
    Path out = dir.resolve("out.jsonl");
    Object[] r = run("pretrain-data", "--input", in.toString(), "--output", out.toString(),
        "--max-predictions-per-seq", "0");
    assertEquals(Main.BAD_INPUT, r[0]);
    assertTrue(((String) r[1]).startsWith("jbert pretrain-data: error: max-predictions-per-seq 0"), (String) r[1]);
    assertEquals(1, ((String) r[1]).strip().lines().count());
    Path missing = dir.resolve("missing.txt");
    r = run("pretrain-data", "--input", missing.toString(), "--output", out.toString());
    assertEquals(Main.BAD_INPUT, r[0]);
    assertEquals("jbert pretrain-data: error: " + missing + ": corpus file not found", ((String) r[1]).strip());
    assertFalse(Files.exists(out), "nothing written on error");
    Path empty = dir.resolve("empty.txt");
    Files.writeString(empty, "\n\n");
    r = run("pretrain-data", "--input", empty.toString(), "--output", out.toString());
    assertEquals(Main.BAD_INPUT, r[0]);
    assertTrue(((String) r[1]).contains(empty + ": no sentences in the corpus"), (String) r[1]);
    try (var files = Files.list(dir)) {
      assertEquals(List.of("corpus.txt", "empty.txt"),
          files.map(p -> p.getFileName().toString()).sorted().toList(), "no temp file left");
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
