package org.jbert.pretraining.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A small uncased BERT-style tokenizer for tests only (the project's BertTokenizer lives in core): lower-case, strip
 * accents, drop control characters, split on whitespace and around every punctuation/symbol character, then greedy
 * longest-match-first word pieces ({@code ##} continuations), [UNK] for a word that cannot be pieced or is longer
 * than 100 characters. CJK characters are not split out (the test corpus is English email).
 */
final class TestWordPieceTokenizer implements Function<String, List<String>> {
  private final java.util.Set<String> vocab;
  final List<String> pieces;

  private TestWordPieceTokenizer(List<String> pieces) {
    this.pieces = pieces;
    this.vocab = new java.util.HashSet<>(pieces);
  }

  /** The tokenizer over the test resource vocab-uncased.txt. */
  static TestWordPieceTokenizer uncased() {
    try (InputStream in = TestWordPieceTokenizer.class.getResourceAsStream("/vocab-uncased.txt")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
      while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
      lines.replaceAll(String::strip);
      return new TestWordPieceTokenizer(List.copyOf(lines));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  PieceVocabulary vocabulary() {
    return new PieceVocabulary(pieces);
  }

  @Override
  public List<String> apply(String text) {
    String s = Normalizer.normalize(text.toLowerCase(java.util.Locale.ROOT), Normalizer.Form.NFD);
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      int type = Character.getType(c);
      if (type == Character.NON_SPACING_MARK) continue;
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        flush(word, out);
      } else if (type == Character.CONTROL || type == Character.FORMAT || c == 0xFFFD) {
        continue;
      } else if (isPunct(c, type)) {
        flush(word, out);
        word.appendCodePoint(c);
        flush(word, out);
      } else {
        word.appendCodePoint(c);
      }
    }
    flush(word, out);
    return out;
  }

  private static boolean isPunct(int c, int type) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
    return switch (type) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION -> true;
      default -> false;
    };
  }

  private void flush(StringBuilder word, List<String> out) {
    if (word.length() == 0) return;
    String w = word.toString();
    word.setLength(0);
    if (w.length() > 100) {
      out.add("[UNK]");
      return;
    }
    List<String> sub = new ArrayList<>();
    int start = 0;
    while (start < w.length()) {
      int end = w.length();
      String found = null;
      while (start < end) {
        String cand = (start > 0 ? "##" : "") + w.substring(start, end);
        if (vocab.contains(cand)) {
          found = cand;
          break;
        }
        end--;
      }
      if (found == null) {
        out.add("[UNK]");
        return;
      }
      sub.add(found);
      start = end;
    }
    out.addAll(sub);
  }
}
