package org.jbert.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WordPiece and BertTokenizer rules on the tiny inline vocabulary of {@link TinyVocab}. */
class WordPieceTokenizerTest {
  @TempDir static Path dir;
  private static Vocab vocab;
  private static WordPieceTokenizer wp;
  private static BertTokenizer uncased;
  private static BertTokenizer cased;

  @BeforeAll
  static void setUp() {
    vocab = TinyVocab.load(dir);
    wp = new WordPieceTokenizer(vocab);
    uncased = new BertTokenizer(vocab, true);
    cased = new BertTokenizer(vocab, false);
  }

  private static String pieces(java.util.List<Token> tokens) {
    return tokens.stream().map(t -> t.text() + "/" + t.id() + "@" + t.start() + ":" + t.end())
        .collect(Collectors.joining(" "));
  }

  @Test
  void greedyLongestMatchFirstWithContinuationPrefix() {
    assertEquals("un/5@0:2 ##aff/6@2:5 ##able/7@5:9", pieces(wp.tokenize("unaffable")));
  }

  @Test
  void unknownWordBecomesOneUnkEvenAfterAPartialMatch() {
    assertEquals("[UNK]/1@0:6", pieces(wp.tokenize("unaffz")));
    assertEquals("[UNK]/1@0:3", pieces(wp.tokenize("zzz")));
  }

  @Test
  void wordsLongerThanTheLimitBecomeUnk() {
    String a100 = "a".repeat(100);
    assertEquals(100, wp.tokenize(a100).size());
    assertEquals("[UNK]/1@0:101", pieces(wp.tokenize(a100 + "a")));
    assertEquals("[UNK]/1@0:4", pieces(new WordPieceTokenizer(vocab, 3).tokenize("aaaa")));
  }

  @Test
  void limitCountsCodePoints() {
    // 100 pizzas are 200 UTF-16 chars but 100 code points: not over the limit, so 100 pieces
    String pizzas = "\uD83C\uDF55".repeat(100);
    assertEquals(100, wp.tokenize(pizzas).size());
    assertEquals(36, wp.tokenize(pizzas).get(99).id());
    assertEquals("[UNK]/1@0:101", pieces(wp.tokenize(pizzas + "\uD83C\uDF55")));
  }

  @Test
  void bertTokenizerChainsBasicAndWordPiece() {
    assertEquals("the/8@0:3 un/5@4:6 ##aff/6@6:9 ##able/7@9:13 ,/11@13:14 hello/9@15:20 !/12@20:21",
        pieces(uncased.tokenize("The UNAFFABLE, hello!")));
    assertEquals("[UNK]/1@0:3 [UNK]/1@4:13", pieces(cased.tokenize("The UNAFFABLE")));
  }

  @Test
  void accentsMatterOnlyWhenCased() {
    assertEquals("cafe/17@0:4", pieces(uncased.tokenize("Café")));
    assertEquals("café/18@0:4", pieces(cased.tokenize("café")));
  }

  @Test
  void specialTokensInTextStayWhole() {
    assertEquals("x/20@0:1 [MASK]/4@1:7 y/21@7:8 [SEP]/3@9:14", pieces(uncased.tokenize("x[MASK]y [SEP]")));
    assertEquals("[/22@0:1 mask/24@1:5 ]/23@5:6", pieces(uncased.tokenize("[mask]")));
  }

  @Test
  void emojiOffsetsAreCodePoints() {
    assertEquals("hi/32@0:2 \uD83C\uDF55/35@3:4 [UNK]/1@5:6 a/15@7:8",
        pieces(uncased.tokenize("hi \uD83C\uDF55 \uD83C\uDF54 a")));
  }

  @Test
  void decomposedPiecesShareTheOriginalOffsets() {
    assertEquals("ᄉ/33@0:1 ##ᅥ/34@0:1", pieces(uncased.tokenize("서")));
  }

  @Test
  void emptyTextGivesNoTokens() {
    assertEquals("", pieces(uncased.tokenize("")));
    assertEquals(0, uncased.ids("  \n ").length);
  }
}
