package org.jbert.core.tokenize;

import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;

/**
 * WordPiece: splits one word into vocabulary pieces, greedy longest-match-first from the left; pieces after the
 * first carry the {@code ##} continuation prefix. A word longer than {@code maxInputCharsPerWord} code points, or one
 * that cannot be covered by pieces, becomes a single [UNK] spanning the whole word.
 *
 * <p>Lookups go through {@link Vocab}'s code-point tables, so no substring is built. Thread-safe.
 */
public final class WordPieceTokenizer {
  public static final int DEFAULT_MAX_INPUT_CHARS_PER_WORD = 100;

  private final Vocab vocab;
  private final int maxInputCharsPerWord;
  private final String unk;

  public WordPieceTokenizer(Vocab vocab) {
    this(vocab, DEFAULT_MAX_INPUT_CHARS_PER_WORD);
  }

  public WordPieceTokenizer(Vocab vocab, int maxInputCharsPerWord) {
    if (maxInputCharsPerWord < 1) {
      throw new JbertException("maxInputCharsPerWord is " + maxInputCharsPerWord + "; expected at least 1");
    }
    this.vocab = vocab;
    this.maxInputCharsPerWord = maxInputCharsPerWord;
    this.unk = vocab.token(vocab.unkId());
  }

  public Vocab vocab() {
    return vocab;
  }

  public int maxInputCharsPerWord() {
    return maxInputCharsPerWord;
  }

  /** The pieces of one already-normalized word; offsets are code points into {@code word}. */
  public List<Token> tokenize(String word) {
    int[] cps = word.codePoints().toArray();
    int[] orig = new int[cps.length];
    for (int i = 0; i < orig.length; i++) orig[i] = i;
    List<Token> out = new ArrayList<>();
    if (cps.length > 0) tokenize(cps, orig, 0, cps.length, out);
    return out;
  }

  /**
   * Appends the pieces of the word {@code cps[from, to)} to {@code out}; token offsets are
   * [{@code orig[first]}, {@code orig[last] + 1}).
   */
  void tokenize(int[] cps, int[] orig, int from, int to, List<Token> out) {
    int n = to - from;
    int wordStart = orig[from];
    int wordEnd = orig[to - 1] + 1;
    if (n > maxInputCharsPerWord) {
      out.add(new Token(unk, vocab.unkId(), wordStart, wordEnd));
      return;
    }
    int mark = out.size();
    int start = from;
    int[] hashes = HASHES.get();
    if (hashes.length < n) {
      hashes = new int[Math.max(n, 2 * hashes.length)];
      HASHES.set(hashes);
    }
    while (start < to) {
      Vocab.CodePointTable table = start == from ? vocab.wordStart : vocab.continuation;
      // hashes[e] = hash of cps[start, start + e + 1)
      int found = -1;
      int foundEnd = -1;
      int h = 0;
      int last = Math.min(to, start + table.maxKeyLength()); // no piece is longer than the longest vocab entry
      for (int e = start; e < last; e++) {
        h = 31 * h + cps[e];
        hashes[e - start] = h;
      }
      for (int end = last; end > start; end--) {
        int id = table.get(cps, start, end, hashes[end - start - 1]);
        if (id >= 0) {
          found = id;
          foundEnd = end;
          break;
        }
      }
      if (found < 0) {
        while (out.size() > mark) out.remove(out.size() - 1);
        out.add(new Token(unk, vocab.unkId(), wordStart, wordEnd));
        return;
      }
      out.add(new Token(vocab.token(found), found, orig[start], orig[foundEnd - 1] + 1));
      start = foundEnd;
    }
  }

  private static final ThreadLocal<int[]> HASHES = ThreadLocal.withInitial(() -> new int[128]);
}
