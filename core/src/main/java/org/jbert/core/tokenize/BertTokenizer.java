package org.jbert.core.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * The full BERT tokenizer: {@link BasicTokenizer} then {@link WordPieceTokenizer}, equal to Hugging Face's
 * {@code BertTokenizer} (tokenizers backend) in tokens, ids and offsets. Special tokens of the vocabulary written
 * literally in the text ({@code [MASK]}, {@code [CLS]}, ...) stay whole, matched case-sensitively even when
 * lower-casing, as HF does. Immutable and thread-safe.
 *
 * <p>Parity: checked on 288 texts (edge cases and SpamAssassin e-mails) against transformers 5.17.0, uncased and
 * cased. Known possible differences, none of them in that set: character classes come from Java 17's Unicode 13
 * tables while HF's Rust backend uses its own category tables, which may follow another Unicode version (a code point
 * one side sees as unassigned is removed as "other" there and kept by the other side); and NFD is applied per code point, without the
 * canonical reordering of a run of combining marks (only visible, when lower-casing, for marks that are not Mn).
 */
public final class BertTokenizer {
  private final Vocab vocab;
  private final boolean lowerCase;
  private final BasicTokenizer basic;
  private final WordPieceTokenizer wordPiece;

  /**
   * @param vocab the WordPiece vocabulary
   * @param lowerCase true for uncased models (lower-case and strip accents), false for cased ones
   */
  public BertTokenizer(Vocab vocab, boolean lowerCase) {
    this(vocab, lowerCase, lowerCase, true);
  }

  /**
   * A tokenizer with Hugging Face's {@code BertNormalizer} switches spelled out (see {@link TokenizerConfig}).
   *
   * @param stripAccents NFD and drop non-spacing marks (HF's {@code strip_accents}; by default it follows lowerCase)
   * @param tokenizeChineseChars make every CJK ideograph a word of its own (HF's default)
   */
  public BertTokenizer(Vocab vocab, boolean lowerCase, boolean stripAccents, boolean tokenizeChineseChars) {
    this.vocab = vocab;
    this.lowerCase = lowerCase;
    this.basic = new BasicTokenizer(lowerCase, stripAccents, tokenizeChineseChars, vocab.specialTokens());
    this.wordPiece = new WordPieceTokenizer(vocab);
  }

  public Vocab vocab() {
    return vocab;
  }

  public boolean lowerCase() {
    return lowerCase;
  }

  /** The tokens of {@code text}, without [CLS]/[SEP]; an empty or blank text gives an empty list. */
  public List<Token> tokenize(String text) {
    List<Token> out = new ArrayList<>(Math.max(8, text.length() / 4));
    basic.split(text, new BasicTokenizer.Sink() {
      @Override
      public void word(int[] cps, int[] orig, int from, int to) {
        wordPiece.tokenize(cps, orig, from, to, out);
      }

      @Override
      public void special(String token, int start, int end) {
        out.add(new Token(token, vocab.idOrUnk(token), start, end));
      }
    });
    return out;
  }

  /** Just the ids of {@link #tokenize(String)}. */
  public int[] ids(String text) {
    List<Token> tokens = tokenize(text);
    int[] ids = new int[tokens.size()];
    for (int i = 0; i < ids.length; i++) ids[i] = tokens.get(i).id();
    return ids;
  }
}
