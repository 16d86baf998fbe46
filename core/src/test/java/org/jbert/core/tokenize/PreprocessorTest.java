package org.jbert.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layout, truncation and padding of {@link Preprocessor} on the tiny vocabulary (ids: see {@link TinyVocab}). */
class PreprocessorTest {
  @TempDir static Path dir;
  private static BertTokenizer tok;

  @BeforeAll
  static void setUp() {
    tok = new BertTokenizer(TinyVocab.load(dir), true);
  }

  @Test
  void pairLayoutAndTypeIds() {
    Features f = new Preprocessor(tok, 10, false).encodePairs(List.of("hello world", "x"), Arrays.asList("a b", null));
    assertEquals(2, f.batchSize());
    assertEquals(10, f.seqLength());
    // [CLS] hello world [SEP] a b [SEP] [PAD]...
    assertArrayEquals(new int[] {2, 9, 10, 3, 15, 26, 3, 0, 0, 0}, f.inputWordIds()[0]);
    assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 0, 0, 0}, f.inputTypeIds()[0]);
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, f.inputMask()[0]);
    // a null second text gives a single row
    assertArrayEquals(new int[] {2, 20, 3, 0, 0, 0, 0, 0, 0, 0}, f.inputWordIds()[1]);
    assertArrayEquals(new int[10], f.inputTypeIds()[1]);
  }

  @Test
  void singleTextIsCutToSeqLengthMinusTwo() {
    Features f = new Preprocessor(tok, 5, false).encode(List.of("a b c d e"));
    assertArrayEquals(new int[] {2, 15, 26, 27, 3}, f.inputWordIds()[0]);
    assertArrayEquals(new int[] {1, 1, 1, 1, 1}, f.inputMask()[0]);
  }

  @Test
  void headTailKeepsTheStartAndTheEnd() {
    int e = tok.tokenize("e").get(0).id();
    // room 6 - 2 = 4 of 5 pieces: 1 from the start, 3 from the end
    Features f = new Preprocessor(tok, 6, true, Truncation.headTail(1)).encode(List.of("a b c d e", "a b"));
    assertArrayEquals(new int[] {2, 15, 27, 28, e, 3}, f.inputWordIds()[0]);
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1}, f.inputMask()[0]);
    // a text that fits is kept whole (dynamic padding: the batch is as long as its longest row)
    assertArrayEquals(new int[] {2, 15, 26, 3, 0, 0}, f.inputWordIds()[1]);
    // head 0: the end only; a head as long as the room: the start only
    assertArrayEquals(new int[] {2, 26, 27, 28, e, 3},
        new Preprocessor(tok, 6, false, Truncation.headTail(0)).encode(List.of("a b c d e")).inputWordIds()[0]);
    assertArrayEquals(new int[] {2, 15, 26, 27, 28, 3},
        new Preprocessor(tok, 6, false, Truncation.headTail(4)).encode(List.of("a b c d e")).inputWordIds()[0]);
    // pairs are cut from the right as before
    assertArrayEquals(new int[] {2, 15, 26, 27, 3, 20, 21, 3}, new Preprocessor(tok, 8, false, Truncation.headTail(1))
        .encodePairs(List.of("a b c d e"), List.of("x y")).inputWordIds()[0]);
  }

  @Test
  void truncationSettingsAreChecked() {
    JbertException e = assertThrows(JbertException.class,
        () -> new Preprocessor(tok, 6, false, Truncation.headTail(5)));
    assertEquals("head_tokens is 5; expected at most max_seq_length - 2 = 4 (the room beside [CLS] and [SEP])",
        e.getMessage());
    e = assertThrows(JbertException.class, () -> new Truncation(Truncation.Mode.HEAD, 3));
    assertEquals("head_tokens is 3 but truncation is head; expected truncation head_tail to keep a head and a tail"
        + " (or head_tokens 0)", e.getMessage());
    e = assertThrows(JbertException.class, () -> Truncation.headTail(-1));
    assertEquals("head_tokens is -1; expected >= 0", e.getMessage());
  }

  @Test
  void pairTruncationIsLongestFirst() {
    // room 8 - 3 = 5: the short side (2) is kept, the long side gets 3
    Features f = new Preprocessor(tok, 8, false).encodePairs(List.of("a b c d e"), List.of("x y"));
    assertArrayEquals(new int[] {2, 15, 26, 27, 3, 20, 21, 3}, f.inputWordIds()[0]);
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1}, f.inputTypeIds()[0]);
    // both long, odd room 7: the first gets 3, the second 4 (equal lengths: first counts as the shorter)
    Features g = new Preprocessor(tok, 10, false).encodePairs(List.of("a b c d e"), List.of("a b c d e"));
    assertArrayEquals(new int[] {2, 15, 26, 27, 3, 15, 26, 27, 28, 3}, g.inputWordIds()[0]);
  }

  @Test
  void truncatePairMatchesHuggingFaceTokenizersTable() {
    // the cases of tokenizers' truncate_encodings_longest_first unit test, max_length 7
    int[][] cases = {
        {0, 0, 0, 0}, {0, 2, 0, 2}, {0, 4, 0, 4}, {0, 8, 0, 7}, {2, 0, 2, 0}, {2, 2, 2, 2}, {2, 4, 2, 4},
        {2, 8, 2, 5}, {4, 0, 4, 0}, {4, 2, 4, 2}, {4, 4, 3, 4}, {4, 8, 3, 4}, {8, 0, 7, 0}, {8, 2, 5, 2},
        {8, 4, 4, 3}, {8, 8, 3, 4}};
    for (int[] c : cases) {
      assertArrayEquals(new int[] {c[2], c[3]}, Preprocessor.truncatePair(c[0], c[1], 7), Arrays.toString(c));
    }
  }

  @Test
  void dynamicPaddingPadsToTheLongestRowCappedAtSeqLength() {
    Preprocessor dyn = new Preprocessor(tok, 16, true);
    Features f = dyn.encode(List.of("a", "a b c"));
    assertEquals(5, f.seqLength());
    assertArrayEquals(new int[] {2, 15, 3, 0, 0}, f.inputWordIds()[0]);
    assertArrayEquals(new int[] {1, 1, 1, 0, 0}, f.inputMask()[0]);
    assertArrayEquals(new int[] {2, 15, 26, 27, 3}, f.inputWordIds()[1]);
    Features g = new Preprocessor(tok, 4, true).encode(List.of("a b c d e f"));
    assertEquals(4, g.seqLength());
    Features fixed = new Preprocessor(tok, 16, false).encode(List.of("a"));
    assertEquals(16, fixed.seqLength());
  }

  @Test
  void seqLengthBelowThreeIsRejectedNamingTheValue() {
    JbertException e = assertThrows(JbertException.class, () -> new Preprocessor(tok, 2, false));
    assertTrue(e.getMessage().contains("2"), e.getMessage());
    assertTrue(e.getMessage().contains("at least 3"), e.getMessage());
    assertEquals(128, Preprocessor.DEFAULT_SEQ_LENGTH);
  }

  @Test
  void mismatchedPairBatchIsRejected() {
    JbertException e = assertThrows(JbertException.class,
        () -> new Preprocessor(tok, 8, false).encodePairs(List.of("a", "b"), List.of("c")));
    assertTrue(e.getMessage().contains("2") && e.getMessage().contains("1"), e.getMessage());
  }
}
