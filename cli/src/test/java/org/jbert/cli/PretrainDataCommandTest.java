package org.jbert.cli;

import static org.jbert.cli.CliRun.concat;
import static org.jbert.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.cli.CliRun.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void writesPaddedInstancesDeterministically(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("corpus.txt");
    Files.writeString(in, CORPUS);
    Path out1 = dir.resolve("a.jsonl");
    Path out2 = dir.resolve("b.jsonl");
    String[] common = {"--input", in.toString(), "--max-seq-length", "24", "--max-predictions-per-seq", "4",
        "--dupe-factor", "3", "--seed", "7", "--whole-word-mask"};
    Result r = run(concat(new String[] {"pretrain-data", "--output", out1.toString()}, common));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().startsWith("wrote "), r.err());
    assertEquals(0, run(concat(new String[] {"pretrain-data", "--output", out2.toString()}, common)).code());
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
    Result r = run("pretrain-data", "--input", in.toString(), "--output", out.toString(),
        "--max-predictions-per-seq", "0");
    assertEquals(Main.BAD_INPUT, r.code());
    assertTrue(r.err().startsWith("jbert pretrain-data: error: max-predictions-per-seq 0"), r.err());
    assertEquals(1, r.err().strip().lines().count());
    Path missing = dir.resolve("missing.txt");
    r = run("pretrain-data", "--input", missing.toString(), "--output", out.toString());
    assertEquals(Main.BAD_INPUT, r.code());
    assertEquals("jbert pretrain-data: error: " + missing + ": corpus file not found", r.err().strip());
    assertFalse(Files.exists(out), "nothing written on error");
    Path empty = dir.resolve("empty.txt");
    Files.writeString(empty, "\n\n");
    r = run("pretrain-data", "--input", empty.toString(), "--output", out.toString());
    assertEquals(Main.BAD_INPUT, r.code());
    assertTrue(r.err().contains(empty + ": no sentences in the corpus"), r.err());
    try (var files = Files.list(dir)) {
      assertEquals(List.of("corpus.txt", "empty.txt"),
          files.map(p -> p.getFileName().toString()).sorted().toList(), "no temp file left");
    }
  }
}
