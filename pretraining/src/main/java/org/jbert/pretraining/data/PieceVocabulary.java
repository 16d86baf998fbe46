package org.jbert.pretraining.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.jbert.core.JbertException;

/**
 * The word-piece vocabulary as pretraining-data generation sees it: id = position in the list. Knows the special
 * tokens ({@code [CLS]}, {@code [SEP]}, {@code [MASK]}, which must be present) and which pieces continue a word
 * (those starting with {@code ##}), for whole-word masking.
 *
 * <p>To wrap the project's tokenizer vocabulary: {@code PieceVocabulary.of(vocab::token, vocab.size())}. A piece
 * listed twice maps to its last id, as in {@code org.jbert.core.tokenize.Vocab}.
 */
public final class PieceVocabulary {
  public static final String CLS = "[CLS]";
  public static final String SEP = "[SEP]";
  public static final String MASK = "[MASK]";
  public static final String PAD = "[PAD]";

  private final List<String> tokens;
  private final Map<String, Integer> ids;
  private final boolean[] continuation;
  private final int clsId;
  private final int sepId;
  private final int maskId;
  private final int padId;

  /** {@code tokens.get(id)} is the piece with that id. */
  public PieceVocabulary(List<String> tokens) {
    if (tokens == null || tokens.isEmpty()) throw new JbertException("vocabulary is empty; expected word pieces");
    this.tokens = List.copyOf(tokens);
    this.ids = new HashMap<>(tokens.size() * 2);
    this.continuation = new boolean[tokens.size()];
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      ids.put(t, i); // a duplicated piece maps to its last id, as the project's Vocab and Hugging Face do
      continuation[i] = t.startsWith("##");
    }
    this.clsId = require(CLS);
    this.sepId = require(SEP);
    this.maskId = require(MASK);
    this.padId = id(PAD);
  }

  /** A vocabulary of {@code size} pieces whose texts {@code token} gives by id. */
  public static PieceVocabulary of(IntFunction<String> token, int size) {
    List<String> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) list.add(token.apply(i));
    return new PieceVocabulary(list);
  }

  private int require(String special) {
    Integer id = ids.get(special);
    if (id == null) {
      throw new JbertException("vocabulary has no " + special + " token; expected a BERT vocabulary with [CLS],"
          + " [SEP] and [MASK]");
    }
    return id;
  }

  /** V, the number of pieces. */
  public int size() {
    return tokens.size();
  }

  /** The id of {@code piece}, or -1 when it is not in the vocabulary. */
  public int id(String piece) {
    Integer id = ids.get(piece);
    return id == null ? -1 : id;
  }

  /** The piece with this id. */
  public String token(int id) {
    return tokens.get(id);
  }

  /** Whether the piece continues the previous one's word (starts with {@code ##}). */
  public boolean isContinuation(int id) {
    return continuation[id];
  }

  public int clsId() {
    return clsId;
  }

  public int sepId() {
    return sepId;
  }

  public int maskId() {
    return maskId;
  }

  /** The id of [PAD], or -1 when the vocabulary has none. */
  public int padId() {
    return padId;
  }

  /** Whether {@code id} is [CLS], [SEP], [MASK] or [PAD]: pieces that must not come from corpus text. */
  public boolean isStructural(int id) {
    return id == clsId || id == sepId || id == maskId || id == padId;
  }
}
