package org.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.tokenize.Features;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one row format (issue 12 item 4): aliases, rows of different lengths padded, one-line errors. */
class InputRowsTest {
  @TempDir Path dir;

  private static final InputRows.TextEncoder NO_TEXT = (a, b) -> {
    throw new AssertionError("pre-tokenized rows need no tokenizer");
  };

  private Path file(String name, String... lines) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, List.of(lines));
    return p;
  }

  @Test
  void everyAliasGivesTheSameRowsAndShortRowsArePadded() throws Exception {
    Path tfHub = file("tfhub.jsonl", "{\"input_word_ids\": [2, 5, 6, 3], \"input_mask\": [1, 1, 1, 1],"
        + " \"input_type_ids\": [0, 0, 1, 1]}", "{\"input_word_ids\": [2, 7]}");
    Path hf = file("hf.jsonl", "{\"input_ids\": [2, 5, 6, 3], \"attention_mask\": [1, 1, 1, 1],"
        + " \"token_type_ids\": [0, 0, 1, 1]}", "{\"input_ids\": [2, 7], \"attention_mask\": [1, 1]}");
    Path google = file("google.jsonl", "{\"input_ids\": [2, 5, 6, 3.0], \"segment_ids\": [0, 0, 1, 1]}",
        "{\"input_ids\": [2, 7], \"segment_ids\": [0, 0]}");
    for (Path p : List.of(tfHub, hf, google)) {
      InputRows r = InputRows.read(p, NO_TEXT, "test");
      Features f = r.features();
      assertTrue(r.preTokenized());
      assertArrayEquals(new int[][] {{2, 5, 6, 3}, {2, 7, 0, 0}}, f.inputWordIds(), p.toString());
      assertArrayEquals(new int[][] {{1, 1, 1, 1}, {1, 1, 0, 0}}, f.inputMask(), p.toString());
      assertArrayEquals(new int[][] {{0, 0, 1, 1}, {0, 0, 0, 0}}, f.inputTypeIds(), p.toString());
      assertArrayEquals(new int[] {4, 2}, r.lengths());
      assertEquals(List.of(p + ":1", p + ":2"), r.where());
    }
  }

  @Test
  void textRowsGoToTheEncoderOnce() throws Exception {
    Path p = file("t.jsonl", "{\"text\": \"a\"}", "", "{\"text\": \"b\", \"text_b\": \"c\"}");
    List<List<String>> seen = new java.util.ArrayList<>();
    InputRows r = InputRows.read(p, (a, b) -> {
      seen.add(a);
      seen.add(b);
      return new Features(new int[][] {{1}, {2}}, new int[][] {{1}, {1}}, new int[][] {{0}, {0}});
    }, "test");
    assertEquals(List.of(List.of("a", "b"), java.util.Arrays.asList(null, "c")), seen);
    assertEquals(List.of(p + ":1", p + ":3"), r.where());
  }

  @Test
  void badRowsAreNamed() throws Exception {
    BertConfig c = BertConfig.fromHuggingFaceJson(file("config.json", "{\"vocab_size\": 10, \"hidden_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
        + " \"intermediate_size\": 16, \"max_position_embeddings\": 4, \"type_vocab_size\": 2}"));
    assertEquals(dir.resolve("both.jsonl") + ":1: has both \"input_mask\" and \"attention_mask\"; expected one of them",
        error(file("both.jsonl", "{\"input_ids\": [1], \"attention_mask\": [1], \"input_mask\": [1]}")));
    assertTrue(error(file("none.jsonl", "{\"txt\": \"a\"}")).startsWith(dir.resolve("none.jsonl")
        + ":1: missing \"text\" (a string) or \"input_ids\" (a list of integers): neither \"text\" nor"
        + " \"input_word_ids\""));
    assertEquals(dir.resolve("len.jsonl") + ":1: \"token_type_ids\" has 1 values; expected 2 (the length of the ids)",
        error(file("len.jsonl", "{\"input_ids\": [1, 2], \"token_type_ids\": [0]}")));
    assertEquals(dir.resolve("mix.jsonl") + ":2: mixes text rows and pre-tokenized rows; expected one kind per file",
        error(file("mix.jsonl", "{\"input_ids\": [1]}", "{\"text\": \"a\"}")));
    InputRows big = InputRows.read(file("big.jsonl", "{\"input_ids\": [1]}", "{\"input_ids\": [1, 10]}"), NO_TEXT,
        "t");
    assertEquals(dir.resolve("big.jsonl") + ":2: input_word_ids[1] is 10, outside [0, 10): the model's vocab_size is"
        + " 10", assertThrows(JbertException.class, () -> big.check(c)).getMessage());
    InputRows longRow = InputRows.read(file("long.jsonl", "{\"input_ids\": [1, 1, 1, 1, 0], \"input_mask\":"
        + " [1, 1, 1, 1, 0]}"), NO_TEXT, "t");
    assertTrue(assertThrows(JbertException.class, () -> longRow.check(c)).getMessage().contains(
        "long.jsonl:1: input_word_ids has 5 entries, more than the model's max_position_embeddings 4"));
  }

  private static String error(Path p) {
    return assertThrows(JbertException.class, () -> InputRows.read(p, NO_TEXT, "t")).getMessage();
  }
}
