package org.jbert.finetune.qa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Vocab;
import org.jbert.finetune.qa.QaFeatureBuilder.Window;
import org.junit.jupiter.api.Test;

/**
 * Feature creation on the bundled bert-base-uncased vocabulary. Expected values are worked by hand from run_squad.py's
 * rules (windows, {@code _check_is_max_context}, label positions); token ids are lines of the bundled vocab.txt
 * ([CLS] 101, [SEP] 102, who 2040, ran 2743, the 1996, quick 4248, ...).
 */
class QaFeatureBuilderTest {
  static final BertTokenizer TOK = new BertTokenizer(Vocab.bundled("bert-base-uncased"), true);
  /** 12 word pieces, one per word: the0 quick1 brown2 fox3 jumps4 over5 the6 lazy7 dog8 near9 the10 river11. */
  static final String FOX = "the quick brown fox jumps over the lazy dog near the river";
  /**
   * Question "who ran?" cut to 2 pieces (who ran), so contextOffset = 4 and max_seq_length 11 leaves 11 - 2 - 3 = 6
   * context pieces per window; stride 3 gives windows [0,6), [3,9), [6,12).
   */
  static final QaFeatureConfig SMALL = new QaFeatureConfig(11, 2, 3);

  static QaExample fox(String answer) {
    int start = FOX.indexOf(answer); // ASCII: chars = code points
    return new QaExample("fox", "who ran?", FOX, List.of(new QaExample.Answer(answer, start)), false);
  }

  @Test
  void windowsFollowRunSquadStrideRule() {
    assertEquals(List.of(new Window(0, 4), new Window(3, 4), new Window(6, 4)), QaFeatureBuilder.windows(10, 4, 3));
    assertEquals(List.of(new Window(0, 4), new Window(2, 4), new Window(4, 4), new Window(6, 4)),
        QaFeatureBuilder.windows(10, 4, 2));
    // a stride longer than a window steps by the window length: no piece is skipped
    assertEquals(List.of(new Window(0, 4), new Window(4, 4), new Window(8, 2)), QaFeatureBuilder.windows(10, 4, 6));
    assertEquals(List.of(new Window(0, 3)), QaFeatureBuilder.windows(3, 4, 2));
    assertEquals(List.of(new Window(0, 0)), QaFeatureBuilder.windows(0, 4, 2));
  }

  @Test
  void maxContextHandWorked() {
    // windows [0,4) [2,6) [4,8) [6,10); score = min(left, right) + 0.01 * 4
    List<Window> w = QaFeatureBuilder.windows(10, 4, 2);
    // piece 3: window 0 (3 left, 0 right) 0.04, window 1 (1, 2) 1.04 -> window 1
    assertFalse(QaFeatureBuilder.isMaxContext(w, 0, 3));
    assertTrue(QaFeatureBuilder.isMaxContext(w, 1, 3));
    // piece 2: window 0 (2, 1) 1.04, window 1 (0, 3) 0.04 -> window 0
    assertTrue(QaFeatureBuilder.isMaxContext(w, 0, 2));
    assertFalse(QaFeatureBuilder.isMaxContext(w, 1, 2));
    // piece 9 is only in window 3
    assertTrue(QaFeatureBuilder.isMaxContext(w, 3, 9));
    // a window not holding the piece is never its max context
    assertFalse(QaFeatureBuilder.isMaxContext(w, 0, 9));
    // ties go to the first window: windows [0,4) [3,7), piece 3 scores 0.04 in both
    List<Window> tie = QaFeatureBuilder.windows(10, 4, 3);
    assertTrue(QaFeatureBuilder.isMaxContext(tie, 0, 3));
    assertFalse(QaFeatureBuilder.isMaxContext(tie, 1, 3));
    // the 0.01 * length term: piece 117 has min context 2 in [0,120) (2 + 1.2 = 3.2) and 3 in [114,121)
    // (3 + 0.07 = 3.07), so the long window wins although the short one has more context on both sides
    List<Window> lengths = List.of(new Window(0, 120), new Window(114, 7));
    assertTrue(QaFeatureBuilder.isMaxContext(lengths, 0, 117));
    assertFalse(QaFeatureBuilder.isMaxContext(lengths, 1, 117));
  }

  @Test
  void layoutTypeIdsOffsetsAndMaxContextOfEachWindow() {
    List<QaFeature> f = new QaFeatureBuilder(TOK, SMALL).build(List.of(fox("lazy dog")), true);
    assertEquals(3, f.size());
    // window 1 = pieces 3..8: fox jumps over the lazy dog; the question is cut to "who ran" (no "?")
    QaFeature w1 = f.get(1);
    assertEquals(1, w1.windowIndex());
    assertEquals(3, w1.windowStart());
    assertEquals(6, w1.windowLength());
    assertEquals(4, w1.contextOffset());
    assertEquals(11, w1.length());
    assertArrayEquals(new int[] {101, 2040, 2743, 102, 4419, 14523, 2058, 1996, 13971, 3899, 102}, w1.inputIds());
    assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}, w1.typeIds());
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, w1.inputMask());
    // code-point offsets of fox, jumps, over, the, lazy, dog in FOX; -1 outside the window
    assertArrayEquals(new int[] {-1, -1, -1, -1, 16, 20, 26, 31, 35, 40, -1}, w1.tokenStart());
    assertArrayEquals(new int[] {-1, -1, -1, -1, 19, 25, 30, 34, 39, 43, -1}, w1.tokenEnd());
    // max context, hand-worked for windows [0,6) [3,9) [6,12) (all length 6):
    // piece 3: w0 (3,2) 2.06 > w1 (0,5) 0.06; piece 4: w0 (4,1) 1.06 = w1 (1,4) 1.06, tie -> w0;
    // piece 5: w1 (2,3) 2.06 > w0 (5,0); piece 6: w1 (3,2) 2.06 > w2 (0,5); piece 7: w1 (4,1) = w2 (1,4) -> w1;
    // piece 8: w2 (2,3) 2.06 > w1 (5,0)
    assertArrayEquals(new boolean[] {false, false, false, false, true, true, true, true, true, false, false},
        f.get(0).maxContext());
    assertArrayEquals(new boolean[] {false, false, false, false, false, false, true, true, true, false, false},
        w1.maxContext());
    assertArrayEquals(new boolean[] {false, false, false, false, false, false, true, true, true, true, false},
        f.get(2).maxContext());
    // every context piece is max context in exactly one window
    int count = 0;
    for (QaFeature x : f) for (boolean b : x.maxContext()) count += b ? 1 : 0;
    assertEquals(12, count);
  }

  @Test
  void answerPositionsInEachWindow() {
    QaFeatureBuilder b = new QaFeatureBuilder(TOK, SMALL);
    // "lazy dog" = pieces 7..8: not in w0 [0,6); w1 [3,9) -> 4 + 7 - 3 = 8, 9; w2 [6,12) -> 4 + 1 = 5, 6
    List<QaFeature> f = b.build(List.of(fox("lazy dog")), true);
    assertArrayEquals(new int[] {0, 8, 5}, QaFeatureBuilder.startPositions(f));
    assertArrayEquals(new int[] {0, 9, 6}, QaFeatureBuilder.endPositions(f));
    // "over the" = pieces 5..6 crosses the end of w0 and the start of w2: only w1 holds it whole
    f = b.build(List.of(fox("over the")), true);
    assertArrayEquals(new int[] {0, 6, 0}, QaFeatureBuilder.startPositions(f));
    assertArrayEquals(new int[] {0, 7, 0}, QaFeatureBuilder.endPositions(f));
    assertTrue(f.get(0).nullLabel());
    assertFalse(f.get(1).nullLabel());
    // an answer starting or ending inside a word takes the whole word piece: "azy d" -> lazy dog
    f = b.build(List.of(new QaExample("fox", "who ran?", FOX, List.of(new QaExample.Answer("azy d", 36)), false)),
        true);
    assertArrayEquals(new int[] {0, 8, 5}, QaFeatureBuilder.startPositions(f));
    assertArrayEquals(new int[] {0, 9, 6}, QaFeatureBuilder.endPositions(f));
    // impossible (v2.0) examples label every window with [CLS]
    f = b.build(List.of(new QaExample("fox", "who ran?", FOX, List.of(), true)), true);
    assertArrayEquals(new int[] {0, 0, 0}, QaFeatureBuilder.startPositions(f));
    assertArrayEquals(new int[] {0, 0, 0}, QaFeatureBuilder.endPositions(f));
  }

  @Test
  void answerPositionsWithAccentsAndMultiPieceWords() {
    // pieces: the[0,3) cafe[5,9) muller[12,18) opened[19,25) in nur[29,32) ##burg[32,36) ##ring[36,40) .
    String context = "The  Café   Müller\nopened in Nürburgring.";
    QaExample ex = new QaExample("cafe", "what opened?", context,
        List.of(new QaExample.Answer("Müller\nopened in Nürburgring", 12)), false);
    QaFeature f = new QaFeatureBuilder(TOK, new QaFeatureConfig(32, 8, 8)).build(ex, 0, true).get(0);
    // [CLS] what opened ? [SEP] -> contextOffset 5; muller is piece 2, ##ring piece 7
    assertEquals(5, f.contextOffset());
    assertEquals(7, f.startPosition());
    assertEquals(12, f.endPosition());
    assertArrayEquals(new int[] {12304, 2441, 1999, 27617, 4645, 4892},
        java.util.Arrays.copyOfRange(f.inputIds(), 7, 13));
    assertArrayEquals(new int[] {12, 19, 26, 29, 32, 36}, java.util.Arrays.copyOfRange(f.tokenStart(), 7, 13));
    assertArrayEquals(new int[] {18, 25, 28, 32, 36, 40}, java.util.Arrays.copyOfRange(f.tokenEnd(), 7, 13));
    // padding after the final [SEP] at position 14
    assertEquals(15, f.length());
    assertEquals(102, f.inputIds()[14]);
    assertEquals(1, f.typeIds()[14]);
    assertEquals(0, f.inputIds()[15]);
    assertEquals(0, f.inputMask()[15]);
    assertEquals(0, f.typeIds()[15]);
    assertEquals(-1, f.tokenStart()[15]);
  }

  @Test
  void longContextWindowCountWithDefaults() {
    // 1000 pieces, question "who?" (2 pieces): 384 - 2 - 3 = 379 per window, stride 128:
    // starts 0, 128, 256, 384, 512, 640; 640 + 379 >= 1000 so the sixth window (360 pieces) is the last
    String context = "the ".repeat(1000);
    List<QaFeature> f = new QaFeatureBuilder(TOK, QaFeatureConfig.DEFAULTS)
        .build(List.of(QaExample.unlabelled("long", "who?", context)), false);
    assertEquals(6, f.size());
    assertArrayEquals(new int[] {0, 128, 256, 384, 512, 640}, f.stream().mapToInt(QaFeature::windowStart).toArray());
    assertArrayEquals(new int[] {379, 379, 379, 379, 379, 360},
        f.stream().mapToInt(QaFeature::windowLength).toArray());
    assertEquals(384, f.get(5).seqLength());
    assertEquals(2 + 2 + 360 + 1, f.get(5).length());
    // the last piece (999) sits at position 4 + 359 of the last window, at code points [3996, 3999)
    assertEquals(3996, f.get(5).tokenStart()[363]);
    assertEquals(3999, f.get(5).tokenEnd()[363]);
    // piece 300 is in windows 0 (300 left, 78 right), 1 (172, 206) and 2 (44, 334): window 1 wins
    assertFalse(f.get(0).maxContext()[4 + 300]);
    assertTrue(f.get(1).maxContext()[4 + 300 - 128]);
    assertFalse(f.get(2).maxContext()[4 + 300 - 256]);
    Features in = QaFeatureBuilder.inputs(f);
    assertEquals(6, in.batchSize());
    assertEquals(384, in.seqLength());
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0}, QaFeatureBuilder.startPositions(f));
  }

  @Test
  void questionIsCutToMaxQueryLength() {
    List<QaFeature> f = new QaFeatureBuilder(TOK, new QaFeatureConfig(16, 1, 8))
        .build(List.of(QaExample.unlabelled("q", "who ran?", "the fox")), false);
    assertEquals(1, f.size());
    assertArrayEquals(new int[] {101, 2040, 102, 1996, 4419, 102, 0}, java.util.Arrays.copyOf(f.get(0).inputIds(), 7));
    assertEquals(3, f.get(0).contextOffset());
  }

  @Test
  void emptyContextGivesOneFeatureWithEmptyWindow() {
    List<QaFeature> f = new QaFeatureBuilder(TOK, SMALL).build(List.of(QaExample.unlabelled("e", "who?", "  \n")),
        false);
    assertEquals(1, f.size());
    assertEquals(0, f.get(0).windowLength());
    assertArrayEquals(new int[] {101, 2040, 1029, 102, 102, 0}, java.util.Arrays.copyOf(f.get(0).inputIds(), 6));
  }

  @Test
  void badInputIsRejectedWithOneLineMessages() {
    QaFeatureBuilder b = new QaFeatureBuilder(TOK, SMALL);
    JbertException e = assertThrows(JbertException.class,
        () -> b.build(List.of(QaExample.unlabelled("x1", "who?", FOX)), true));
    assertEquals("QA example 'x1' has no answer; expected at least one answer for training, or is_impossible = true",
        e.getMessage());
    e = assertThrows(JbertException.class, () -> new QaExample("x2", "q", "Café Müller",
        List.of(new QaExample.Answer("Müller", 4)), false));
    assertEquals("QA example 'x2' answer 0 text 'Müller' differs from the context at code point 4 (' Mülle');"
        + " expected answer_start in code points", e.getMessage());
    e = assertThrows(JbertException.class, () -> new QaExample("x3", "q", "ab",
        List.of(new QaExample.Answer("abc", 0)), false));
    assertTrue(e.getMessage().startsWith("QA example 'x3' answer 0 (start 0, text 'abc') lies outside its context"));
    e = assertThrows(JbertException.class, () -> b.build(List.of(new QaExample("x4", "q", "a \n b",
        List.of(new QaExample.Answer(" \n ", 1)), false)), true));
    assertEquals("QA example 'x4' answer ' \\n ' at code point 1 covers no word piece of the context; expected an"
        + " answer with text", e.getMessage());
    e = assertThrows(JbertException.class, () -> new QaFeatureConfig(67, 64, 128));
    assertEquals("max_seq_length = 67 leaves no room for context after a question of max_query_length = 64; expected"
        + " max_seq_length >= max_query_length + 4", e.getMessage());
    assertThrows(JbertException.class, () -> new QaFeatureConfig(384, 64, 0));
  }
}
