package org.jbert.core.tokenize;

import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;

/**
 * Turns texts or text pairs into {@link Features}: {@code [CLS] A [SEP]} or {@code [CLS] A [SEP] B [SEP]}, truncated to
 * the sequence length and padded with [PAD], as Hugging Face's {@code tokenizer(a, b, truncation=True,
 * padding="max_length", max_length=T)} does.
 *
 * <p>Truncation of a pair follows HF tokenizers' {@code longest_first}: with room R = T - 3 and lengths n1 <= n2 (the
 * shorter one first), the shorter keeps {@code n1} and the longer gets {@code max(n1, R - n1)}; if that still exceeds
 * R both are cut, the shorter to R / 2 and the longer to R / 2 + R % 2 (ties: the first text is the "shorter"). The
 * lengths compared are those HF's backend sees, which stop at the end of the word that reaches T tokens (see
 * {@link #wordCapped}); this only decides which side gets the odd extra token. A single text is cut to T - 2 pieces:
 * its first ones by default, or a head and a tail ({@link Truncation}). Pairs are cut from the right.
 *
 * <p>With {@code dynamicPadding} the batch is padded only to its longest row (never beyond T). Thread-safe.
 */
public final class Preprocessor {
  public static final int DEFAULT_SEQ_LENGTH = 128;

  private final BertTokenizer tokenizer;
  private final int seqLength;
  private final boolean dynamicPadding;
  private final Truncation truncation;

  public Preprocessor(BertTokenizer tokenizer) {
    this(tokenizer, DEFAULT_SEQ_LENGTH, false);
  }

  /**
   * @param seqLength T, the longest row including [CLS] and [SEP]s; at least 3
   * @param dynamicPadding pad to the longest row of each batch instead of to T
   */
  public Preprocessor(BertTokenizer tokenizer, int seqLength, boolean dynamicPadding) {
    this(tokenizer, seqLength, dynamicPadding, Truncation.HEAD);
  }

  /**
   * As {@link #Preprocessor(BertTokenizer, int, boolean)}, cutting single texts longer than T - 2 pieces as
   * {@code truncation} says.
   */
  public Preprocessor(BertTokenizer tokenizer, int seqLength, boolean dynamicPadding, Truncation truncation) {
    if (seqLength < 3) {
      throw new JbertException("sequence length " + seqLength + " is too small; expected at least 3 ([CLS] A [SEP] "
          + "needs 3 positions)");
    }
    this.tokenizer = tokenizer;
    this.seqLength = seqLength;
    this.dynamicPadding = dynamicPadding;
    this.truncation = truncation.checkFor(seqLength, "head_tokens");
  }

  public Truncation truncation() {
    return truncation;
  }

  public BertTokenizer tokenizer() {
    return tokenizer;
  }

  public int seqLength() {
    return seqLength;
  }

  public boolean dynamicPadding() {
    return dynamicPadding;
  }

  /** Single texts: {@code [CLS] text [SEP]}, [B, T]. */
  public Features encode(List<String> texts) {
    return encodePairs(texts, null);
  }

  /**
   * Pairs: row i is {@code [CLS] a[i] [SEP] b[i] [SEP]}, or a single text where {@code b} is null or {@code b.get(i)}
   * is null.
   */
  public Features encodePairs(List<String> a, List<String> b) {
    if (b != null && b.size() != a.size()) {
      throw new JbertException("pair batch has " + a.size() + " first texts but " + b.size()
          + " second texts; expected the same number");
    }
    List<List<Token>> ta = new ArrayList<>(a.size());
    List<List<Token>> tb = b == null ? null : new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      String s = a.get(i);
      if (s == null) throw new JbertException("text " + i + " of the batch is null; expected a string");
      ta.add(tokenizer.tokenize(s));
      if (b != null) tb.add(b.get(i) == null ? null : tokenizer.tokenize(b.get(i)));
    }
    return encodeTokens(ta, tb);
  }

  /** As {@link #encodePairs} on already tokenized texts; {@code b} or its entries may be null. */
  public Features encodeTokens(List<List<Token>> a, List<List<Token>> b) {
    int batch = a.size();
    if (b != null && b.size() != batch) {
      throw new JbertException("pair batch has " + batch + " first texts but " + b.size()
          + " second texts; expected the same number");
    }
    int[][] rowsA = new int[batch][];
    int[][] rowsB = new int[batch][];
    int longest = 0;
    for (int i = 0; i < batch; i++) {
      List<Token> x = a.get(i);
      List<Token> y = b == null ? null : b.get(i);
      int n1 = x.size();
      if (y == null) {
        int[] kept = truncation.keep(n1, seqLength - 2);
        rowsA[i] = ids(x, kept[0], kept[1]);
        longest = Math.max(longest, kept[0] + kept[1] + 2);
      } else {
        int[] kept = truncatePair(wordCapped(x, seqLength), wordCapped(y, seqLength), seqLength - 3);
        rowsA[i] = ids(x, kept[0]);
        rowsB[i] = ids(y, kept[1]);
        longest = Math.max(longest, kept[0] + kept[1] + 3);
      }
    }
    int t = dynamicPadding ? Math.min(seqLength, Math.max(longest, batch == 0 ? 0 : 2)) : seqLength;
    Vocab v = tokenizer.vocab();
    int[][] ids = new int[batch][t];
    int[][] mask = new int[batch][t];
    int[][] types = new int[batch][t];
    for (int i = 0; i < batch; i++) {
      int[] row = ids[i];
      int p = 0;
      row[p++] = v.clsId();
      for (int id : rowsA[i]) row[p++] = id;
      row[p++] = v.sepId();
      if (rowsB[i] != null) {
        int bStart = p;
        for (int id : rowsB[i]) row[p++] = id;
        row[p++] = v.sepId();
        for (int j = bStart; j < p; j++) types[i][j] = 1;
      }
      for (int j = 0; j < p; j++) mask[i][j] = 1;
      if (p < t) java.util.Arrays.fill(row, p, t, v.padId());
    }
    return new Features(ids, mask, types);
  }

  /**
   * HF tokenizers' longest_first lengths for a pair of n1 and n2 tokens and room {@code max}: {keep1, keep2}.
   */
  static int[] truncatePair(int n1, int n2, int max) {
    if (n1 + n2 <= max) return new int[] {n1, n2};
    boolean swap = n1 > n2;
    int shorter = swap ? n2 : n1;
    int longer;
    if (shorter > max) {
      longer = shorter;
    } else {
      longer = Math.max(shorter, max - shorter);
    }
    if (shorter + longer > max) {
      shorter = max / 2;
      longer = shorter + max % 2;
    }
    return swap ? new int[] {longer, shorter} : new int[] {shorter, longer};
  }

  /**
   * The length HF's tokenizers backend sees for one side of a pair: its tokens, but at most up to the end of the word
   * that reaches {@code cap} tokens (tokenization stops after the word with which the count reaches T). A word's
   * continuation pieces are the ones starting with {@code ##}. Measured on the transformers 5.17.0 goldens: 166 of
   * 166 truncated pairs agree with this, only 147 with the plain token counts.
   */
  static int wordCapped(List<Token> tokens, int cap) {
    int n = tokens.size();
    if (n <= cap) return n;
    int j = cap;
    while (j < n && isContinuation(tokens.get(j).text())) j++;
    return j;
  }

  private static boolean isContinuation(String piece) {
    return piece.length() > 2 && piece.charAt(0) == '#' && piece.charAt(1) == '#';
  }

  private static int[] ids(List<Token> tokens, int n) {
    return ids(tokens, n, 0);
  }

  /** The ids of the first {@code head} and the last {@code tail} tokens. */
  private static int[] ids(List<Token> tokens, int head, int tail) {
    int[] out = new int[head + tail];
    for (int i = 0; i < head; i++) out[i] = tokens.get(i).id();
    int from = tokens.size() - tail;
    for (int i = 0; i < tail; i++) out[head + i] = tokens.get(from + i).id();
    return out;
  }
}
