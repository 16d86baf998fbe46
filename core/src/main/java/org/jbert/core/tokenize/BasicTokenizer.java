package org.jbert.core.tokenize;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * BERT's "basic" tokenization: the text normalization and pre-tokenization of Hugging Face's tokenizers backend
 * ({@code BertNormalizer} then {@code BertPreTokenizer}), done in one pass over the code points while keeping, for
 * every normalized code point, the index of the ORIGINAL code point it came from.
 *
 * <p>In order:
 * <ol>
 *   <li>never-split tokens (the special tokens) are matched literally and case-sensitively in the original text,
 *       leftmost-longest, anywhere (also inside a word: {@code "a[MASK]b"} gives a, [MASK], b), and kept whole;
 *   <li>U+0000, U+FFFD and every "other" code point (categories Cc, Cf, Cs, Co, Cn) except tab, LF and CR are removed
 *       (removal joins the neighbours: {@code "ab\u200Bcd"} is one word);
 *   <li>whitespace (the Unicode White_Space property, plus tab, LF, CR) separates words;
 *   <li>CJK ideographs (the ranges of HF's {@code is_chinese_char}) become words of their own;
 *   <li>when lower-casing: NFD, drop non-spacing marks (Mn), then lower-case each code point (so accents go away);
 *   <li>punctuation (ASCII 33-47, 58-64, 91-96, 123-126 and Unicode P* categories) becomes words of its own.
 * </ol>
 *
 * <p>Stateless and thread-safe.
 */
public final class BasicTokenizer {
  private static final byte LETTER = 0;
  private static final byte REMOVE = 1;
  private static final byte SPACE = 2;
  private static final byte PUNCT = 3;
  private static final byte[] ASCII = new byte[128];

  static {
    for (int c = 0; c < 128; c++) {
      byte k;
      if (c == '\t' || c == '\n' || c == '\r' || c == ' ') k = SPACE;
      else if (c < 32 || c == 127) k = REMOVE;
      else if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
        k = PUNCT;
      } else k = LETTER;
      ASCII[c] = k;
    }
  }

  /** Lower-case + NFD + Mn-stripping result of each non-ASCII code point seen so far (shared, grows to the charset). */
  private static final ConcurrentHashMap<Integer, int[]> STRIPPED = new ConcurrentHashMap<>();

  private final boolean lowerCase;
  private final boolean stripAccents;
  private final boolean tokenizeChineseChars;
  private final String[] neverSplit; // longest first
  private final boolean[] neverSplitFirst = new boolean[128];
  private final boolean anyNeverSplitNonAscii;

  /**
   * @param lowerCase lower-case and strip accents (uncased models)
   * @param neverSplit tokens kept whole when they appear literally in the text (usually the vocabulary's
   *     {@link Vocab#specialTokens()}); may be empty
   */
  public BasicTokenizer(boolean lowerCase, Set<String> neverSplit) {
    this(lowerCase, lowerCase, true, neverSplit);
  }

  /**
   * As {@link #BasicTokenizer(boolean, Set)} with Hugging Face's {@code BertNormalizer} switches spelled out.
   *
   * @param stripAccents NFD and drop non-spacing marks ({@code strip_accents}; HF's default follows lower-casing)
   * @param tokenizeChineseChars make every CJK ideograph a word ({@code tokenize_chinese_chars}, default true)
   */
  public BasicTokenizer(boolean lowerCase, boolean stripAccents, boolean tokenizeChineseChars,
      Set<String> neverSplit) {
    this.lowerCase = lowerCase;
    this.stripAccents = stripAccents;
    this.tokenizeChineseChars = tokenizeChineseChars;
    this.neverSplit = neverSplit.stream().filter(s -> !s.isEmpty())
        .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
        .toArray(String[]::new);
    boolean nonAscii = false;
    for (String s : this.neverSplit) {
      char f = s.charAt(0);
      if (f < 128) neverSplitFirst[f] = true;
      else nonAscii = true;
    }
    this.anyNeverSplitNonAscii = nonAscii;
  }

  public boolean lowerCase() {
    return lowerCase;
  }

  /**
   * The words of {@code text} (normalized), with original code-point offsets; never-split tokens come out unchanged.
   * Ids are -1.
   */
  public List<Token> tokenize(String text) {
    List<Token> out = new ArrayList<>();
    split(text, new Sink() {
      @Override
      public void word(int[] cps, int[] orig, int from, int to) {
        out.add(new Token(new String(cps, from, to - from), -1, orig[from], orig[to - 1] + 1));
      }

      @Override
      public void special(String token, int start, int end) {
        out.add(new Token(token, -1, start, end));
      }
    });
    return out;
  }

  /** Receives the words of a text in order. */
  interface Sink {
    /** A normalized word {@code cps[from, to)}; {@code orig[i]} is the original code-point index of {@code cps[i]}. */
    void word(int[] cps, int[] orig, int from, int to);

    /** A never-split token found verbatim at original code points [start, end). */
    void special(String token, int start, int end);
  }

  /** Splits {@code text} into words, calling {@code sink} for each. */
  void split(String text, Sink sink) {
    final int n = text.length();
    int[] cps = new int[n + 16];
    int[] orig = new int[n + 16];
    int len = 0; // normalized code points in cps
    int ws = 0; // start of the current word in cps
    int k = 0; // original code-point index
    int i = 0;
    final boolean checkSpecial = neverSplit.length > 0;
    while (i < n) {
      char ch = text.charAt(i);
      if (checkSpecial && (ch < 128 ? neverSplitFirst[ch] : anyNeverSplitNonAscii)) {
        String m = matchNeverSplit(text, i);
        if (m != null) {
          if (len > ws) sink.word(cps, orig, ws, len);
          ws = len;
          int cpLen = m.codePointCount(0, m.length());
          sink.special(m, k, k + cpLen);
          k += cpLen;
          i += m.length();
          continue;
        }
      }
      if (ch < 128) {
        i++;
        int idx = k++;
        switch (ASCII[ch]) {
          case LETTER:
            if (len + 1 > cps.length) {
              cps = Arrays.copyOf(cps, cps.length * 2);
              orig = Arrays.copyOf(orig, orig.length * 2);
            }
            cps[len] = lowerCase && ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
            orig[len++] = idx;
            break;
          case SPACE:
            if (len > ws) sink.word(cps, orig, ws, len);
            ws = len;
            break;
          case PUNCT:
            if (len > ws) sink.word(cps, orig, ws, len);
            if (len + 1 > cps.length) {
              cps = Arrays.copyOf(cps, cps.length * 2);
              orig = Arrays.copyOf(orig, orig.length * 2);
            }
            cps[len] = ch;
            orig[len++] = idx;
            sink.word(cps, orig, len - 1, len);
            ws = len;
            break;
          default: // REMOVE
            break;
        }
        continue;
      }
      int c;
      if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        c = Character.toCodePoint(ch, text.charAt(i + 1));
        i += 2;
      } else {
        c = ch;
        i++;
      }
      int idx = k++;
      if (c == 0xFFFD || isOther(c)) continue;
      if (isWhitespace(c)) {
        if (len > ws) sink.word(cps, orig, ws, len);
        ws = len;
        continue;
      }
      boolean cjk = tokenizeChineseChars && isChinese(c);
      if (cjk && len > ws) {
        sink.word(cps, orig, ws, len);
        ws = len;
      }
      int[] norm = lowerCase && stripAccents ? stripAndLower(c)
          : lowerCase || stripAccents ? normalize(c, lowerCase, stripAccents) : null;
      int count = norm == null ? 1 : norm.length;
      if (len + count > cps.length) {
        int cap = Math.max(cps.length * 2, len + count + 16);
        cps = Arrays.copyOf(cps, cap);
        orig = Arrays.copyOf(orig, cap);
      }
      for (int j = 0; j < count; j++) {
        int e = norm == null ? c : norm[j];
        if (isPunctuation(e)) {
          if (len > ws) sink.word(cps, orig, ws, len);
          cps[len] = e;
          orig[len++] = idx;
          sink.word(cps, orig, len - 1, len);
          ws = len;
        } else {
          cps[len] = e;
          orig[len++] = idx;
        }
      }
      if (cjk && len > ws) {
        sink.word(cps, orig, ws, len);
        ws = len;
      }
    }
    if (len > ws) sink.word(cps, orig, ws, len);
  }

  private String matchNeverSplit(String text, int at) {
    for (String s : neverSplit) { // longest first
      if (text.startsWith(s, at)) return s;
    }
    return null;
  }

  /** NFD, drop Mn, lower-case each code point (HF order: strip accents, then lower-case). Non-ASCII input only. */
  static int[] stripAndLower(int c) {
    int[] r = STRIPPED.get(c);
    if (r != null) return r;
    String d = Normalizer.normalize(new String(Character.toChars(c)), Normalizer.Form.NFD);
    int[] tmp = new int[d.length() * 2];
    int m = 0;
    for (int j = 0; j < d.length(); ) {
      int e = d.codePointAt(j);
      j += Character.charCount(e);
      if (Character.getType(e) == Character.NON_SPACING_MARK) continue;
      if (e == 0x130) { // Rust's char::to_lowercase: U+0130 -> "i\u0307"
        tmp[m++] = 'i';
        tmp[m++] = 0x307;
      } else {
        tmp[m++] = Character.toLowerCase(e);
      }
    }
    r = Arrays.copyOf(tmp, m);
    STRIPPED.putIfAbsent(c, r);
    return r;
  }

  /** Lower-casing alone (no NFD) or accent stripping alone, for the rarer strip_accents settings; not cached. */
  static int[] normalize(int c, boolean lower, boolean strip) {
    String s = new String(Character.toChars(c));
    if (strip) {
      StringBuilder b = new StringBuilder();
      String d = Normalizer.normalize(s, Normalizer.Form.NFD);
      d.codePoints().filter(e -> Character.getType(e) != Character.NON_SPACING_MARK).forEach(b::appendCodePoint);
      s = b.toString();
    }
    if (lower) s = s.toLowerCase(java.util.Locale.ROOT); // U+0130 -> "i\u0307", as Rust's char::to_lowercase
    return s.codePoints().toArray();
  }

  /** Categories Cc, Cf, Cs, Co, Cn ("Other"), except tab, LF, CR. */
  static boolean isOther(int c) {
    if (c == '\t' || c == '\n' || c == '\r') return false;
    switch (Character.getType(c)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.SURROGATE:
      case Character.PRIVATE_USE:
      case Character.UNASSIGNED:
        return true;
      default:
        return false;
    }
  }

  /** The Unicode White_Space property (Rust's char::is_whitespace). */
  static boolean isWhitespace(int c) {
    if (c < 128) return c == ' ' || (c >= 9 && c <= 13);
    switch (c) {
      case 0x85:
      case 0xA0:
      case 0x1680:
      case 0x2028:
      case 0x2029:
      case 0x202F:
      case 0x205F:
      case 0x3000:
        return true;
      default:
        return c >= 0x2000 && c <= 0x200A;
    }
  }

  /** HF's is_chinese_char ranges (CJK Unified Ideographs and extensions, compatibility ideographs). */
  static boolean isChinese(int c) {
    return (c >= 0x4E00 && c <= 0x9FFF)
        || (c >= 0x3400 && c <= 0x4DBF)
        || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F)
        || (c >= 0x2B740 && c <= 0x2B81F)
        || (c >= 0x2B920 && c <= 0x2CEAF)
        || (c >= 0xF900 && c <= 0xFAFF)
        || (c >= 0x2F800 && c <= 0x2FA1F);
  }

  /** ASCII punctuation (33-47, 58-64, 91-96, 123-126) or a Unicode P* category. */
  static boolean isPunctuation(int c) {
    if (c < 128) return ASCII[c] == PUNCT;
    switch (Character.getType(c)) {
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }
}
