package org.jbert.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** One test per BasicTokenizer rule; expectations follow HF's BertNormalizer + BertPreTokenizer. */
class BasicTokenizerTest {
  private static final BasicTokenizer UNCASED = new BasicTokenizer(true, Set.of("[MASK]", "[CLS]", "[SEP]"));
  private static final BasicTokenizer CASED = new BasicTokenizer(false, Set.of("[MASK]", "[CLS]", "[SEP]"));

  private static String words(BasicTokenizer t, String text) {
    return t.tokenize(text).stream().map(x -> x.text() + "@" + x.start() + ":" + x.end())
        .collect(Collectors.joining(" "));
  }

  @Test
  void emptyAndBlankTextGiveNoWords() {
    assertEquals(List.of(), UNCASED.tokenize(""));
    assertEquals(List.of(), UNCASED.tokenize(" \t\r\n\u00A0\u3000"));
  }

  @Test
  void whitespaceSplitsOnUnicodeWhiteSpace() {
    assertEquals("a@0:1 b@2:3 c@4:5 d@6:7 e@8:9 f@10:11", words(CASED, "a\tb\nc\u00A0d\u3000e\u2003f"));
  }

  @Test
  void controlCharactersAreRemovedAndJoinTheirNeighbours() {
    // \u0007 (Cc), \u200B (Cf) and \u00AD (Cf) are removed, not treated as spaces
    assertEquals("hello@0:8", words(CASED, "he\u0007l\u200Bl\u00ADo"));
  }

  @Test
  void replacementCharacterAndNulAreRemoved() {
    assertEquals("abc@0:5", words(CASED, "a\uFFFDb\u0000c"));
  }

  @Test
  void cjkIdeographsAreWordsOfTheirOwn() {
    assertEquals("a@0:1 北@1:2 京@2:3 b@3:4", words(CASED, "a北京b"));
  }

  @Test
  void lowerCasingStripsAccentsButCasedKeepsThem() {
    assertEquals("cafe@0:4 uber@5:9", words(UNCASED, "Café ÜBER"));
    assertEquals("Café@0:4 ÜBER@5:9", words(CASED, "Café ÜBER"));
  }

  @Test
  void decompositionKeepsEveryPieceOnItsOriginalCodePoint() {
    // Hangul syllable 서 decomposes into two jamo under NFD; both map back to code point 0
    List<Token> t = UNCASED.tokenize("서");
    assertEquals(1, t.size());
    assertEquals("\u1109\u1165", t.get(0).text());
    assertEquals(0, t.get(0).start());
    assertEquals(1, t.get(0).end());
  }

  @Test
  void dottedCapitalILowerCasesLikeHuggingFace() {
    // HF strips accents (NFD: I + U+0307, drop Mn) before lower-casing, so İ becomes a plain i
    assertEquals("i@0:1", words(UNCASED, "İ"));
  }

  @Test
  void punctuationIsSplitOffAsciiAndUnicode() {
    assertEquals("hello@0:5 ,@5:6 world@6:11 !@11:12", words(CASED, "hello,world!"));
    // $ and ^ are ASCII symbols, not Unicode punctuation, but BERT treats the ASCII ranges as punctuation
    assertEquals("$@0:1 5@1:2 ^@2:3", words(CASED, "$5^"));
    assertEquals("«@0:1 hi@1:3 »@3:4", words(CASED, "«hi»"));
  }

  @Test
  void specialTokensStayWholeCaseSensitively() {
    assertEquals("x@0:1 [MASK]@1:7 y@7:8", words(UNCASED, "x[MASK]y"));
    // HF matches special tokens on the raw text, so a lower-case [mask] is ordinary text
    assertEquals("[@0:1 mask@1:5 ]@5:6", words(UNCASED, "[mask]"));
  }

  @Test
  void offsetsCountCodePointsNotUtf16Chars() {
    // U+1F355 is two UTF-16 chars but one code point
    assertEquals("hi@0:2 \uD83C\uDF55@3:4 a@5:6", words(CASED, "hi \uD83C\uDF55 a"));
  }
}
