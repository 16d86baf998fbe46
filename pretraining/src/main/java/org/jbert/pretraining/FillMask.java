package org.jbert.pretraining;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.jbert.core.JbertException;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.TokenizerConfig;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.tokenize.Token;
import org.jbert.core.tokenize.Vocab;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fill-mask (HF {@code pipeline("fill-mask")}): for each {@code [MASK]} of a text, the K most probable vocabulary
 * tokens under the MLM head, with their softmax probabilities over the whole vocabulary.
 *
 * <p>The text is tokenized as {@code [CLS] text [SEP]} (one segment); {@code [MASK]} written in the text stays one
 * token (matched case-sensitively, as HF does). A text without {@code [MASK]} is an error, and so is a text whose
 * tokens with [CLS] and [SEP] exceed the model's max positions P: it is NOT truncated, because truncation could cut
 * off the very masks asked about; the error names the length and P. Several texts run as one batch padded to the
 * longest. Only the logits at the mask positions are computed ([B,M,V], not [B,T,V]).
 */
public final class FillMask implements AutoCloseable {

  /** One candidate for a mask. */
  public record Candidate(String token, int id, double probability) {
    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "%s (%.4f)", token, probability);
    }
  }

  /**
   * The candidates for one mask.
   *
   * @param position the mask's index in {@code [CLS] tokens [SEP]}
   * @param candidates the top K, most probable first
   */
  public record MaskPrediction(int position, List<Candidate> candidates) {
    /** The most probable token. */
    public String top() {
      return candidates.get(0).token();
    }
  }

  private final PretrainingModel model;
  private final BertTokenizer tokenizer;
  private final boolean ownsModel;

  /**
   * Fill-mask over a model with an MLM head and the tokenizer of its vocabulary. The model stays the caller's
   * (this does not close it).
   */
  public FillMask(PretrainingModel model, BertTokenizer tokenizer) {
    this(model, tokenizer, false);
  }

  private FillMask(PretrainingModel model, BertTokenizer tokenizer, boolean ownsModel) {
    if (tokenizer.vocab().size() != model.config().vocabSize()) {
      throw new JbertException("vocabulary " + tokenizer.vocab().source() + " has " + tokenizer.vocab().size()
          + " tokens but the model's vocab_size is " + model.config().vocabSize());
    }
    if (tokenizer.vocab().maskId() < 0) {
      throw new JbertException("vocabulary " + tokenizer.vocab().source() + " has no [MASK] token");
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.ownsModel = ownsModel;
  }

  /**
   * Opens a model folder or pretrained name as {@link PretrainingModel#open} does (MLM head only), with the
   * vocab.txt (or tokenizer.json) stored beside the weights and the switches of tokenizer_config.json
   * ({@link TokenizerConfig}); without them lower-casing follows the vocabulary: an uncased vocabulary (no token
   * besides the [..] specials that lower-casing would change) lower-cases the text, a cased one keeps it.
   */
  public static FillMask open(String dirOrName) {
    return open(dirOrName, false);
  }

  /**
   * As {@link #open(String)}; a model without an MLM head ({@code cls/predictions/*}: an encoder-only folder such as
   * a Hugging Face {@code BertModel} or a saved {@code BertModel}) is refused unless {@code freshHead} asks for a
   * freshly initialised head, whose answers are noise (for tests and demos of the pipeline only).
   */
  public static FillMask open(String dirOrName, boolean freshHead) {
    PretrainingModel m = PretrainingModel.open(dirOrName, false);
    try {
      List<String> mlm = CheckpointNames.forConfig(m.config(), CheckpointNames.Part.MLM_HEAD).stream()
          .map(CheckpointNames::canonical).toList();
      if (!freshHead && m.freshlyInitialized().stream().anyMatch(mlm::contains)) {
        throw new JbertException(dirOrName + ": no MLM head (cls/predictions/*) in the weights, so fill-mask would"
            + " answer from a freshly initialised head; expected a model with its MLM head (BertForMaskedLM,"
            + " BertForPreTraining, a SavedModel or Google checkpoint), or ask for a fresh head (--fresh-head)");
      }
      return new FillMask(m, TokenizerConfig.tokenizer(m.bert().vocab().orElseThrow(() -> new JbertException(
          dirOrName + ": the model has no vocab.txt or tokenizer.json; fill-mask needs the model's vocabulary"))),
          true);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** The top {@code topK} candidates for each [MASK] of {@code text}, masks in text order. */
  public List<MaskPrediction> fill(String text, int topK) {
    return fill(List.of(text), topK).get(0);
  }

  /** {@link #fill(String, int)} for several texts at once (one batch). */
  public List<List<MaskPrediction>> fill(List<String> texts, int topK) {
    if (texts.isEmpty()) return List.of();
    int v = model.config().vocabSize();
    if (topK < 1) throw new JbertException("top-k is " + topK + "; expected at least 1");
    int k = Math.min(topK, v);
    Vocab vocab = tokenizer.vocab();
    int maxPos = model.config().maxPositionEmbeddings();
    List<int[]> rows = new ArrayList<>();
    List<int[]> masks = new ArrayList<>();
    int t = 0;
    int m = 0;
    for (String text : texts) {
      if (text == null) throw new JbertException("text is null; expected a text with [MASK]");
      List<Token> tokens = tokenizer.tokenize(text);
      int[] ids = new int[tokens.size() + 2];
      ids[0] = vocab.clsId();
      List<Integer> at = new ArrayList<>();
      for (int i = 0; i < tokens.size(); i++) {
        ids[i + 1] = tokens.get(i).id();
        if (ids[i + 1] == vocab.maskId()) at.add(i + 1);
      }
      ids[ids.length - 1] = vocab.sepId();
      if (at.isEmpty()) {
        throw new JbertException("text has no [MASK] token: " + quote(text) + "; write [MASK] where a word should be"
            + " predicted");
      }
      if (ids.length > maxPos) {
        throw new JbertException("text is " + ids.length + " tokens long with [CLS] and [SEP], more than the model's"
            + " max_position_embeddings " + maxPos + ": " + quote(text) + "; shorten it");
      }
      rows.add(ids);
      masks.add(at.stream().mapToInt(Integer::intValue).toArray());
      t = Math.max(t, ids.length);
      m = Math.max(m, at.size());
    }
    int b = rows.size();
    int[][] ids = new int[b][t];
    int[][] inputMask = new int[b][t];
    int[][] types = new int[b][t];
    int[][] positions = new int[b][m];
    for (int i = 0; i < b; i++) {
      int[] r = rows.get(i);
      java.util.Arrays.fill(ids[i], vocab.padId());
      System.arraycopy(r, 0, ids[i], 0, r.length);
      java.util.Arrays.fill(inputMask[i], 0, r.length, 1);
      System.arraycopy(masks.get(i), 0, positions[i], 0, masks.get(i).length);
    }
    float[] logits;
    try (INDArray out = model.maskedLmLogits(ids, inputMask, types, positions)) {
      logits = out.castTo(DataType.FLOAT).dup().data().asFloat(); // [B,M,V] row-major
    }
    List<List<MaskPrediction>> result = new ArrayList<>();
    for (int i = 0; i < b; i++) {
      List<MaskPrediction> preds = new ArrayList<>();
      int[] at = masks.get(i);
      for (int j = 0; j < at.length; j++) {
        preds.add(new MaskPrediction(at[j], topK(logits, (i * m + j) * v, v, k)));
      }
      result.add(List.copyOf(preds));
    }
    return List.copyOf(result);
  }

  /** The top k of softmax(logits[off, off+v)), most probable first (ties: lower id first). */
  private List<Candidate> topK(float[] logits, int off, int v, int k) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) max = Math.max(max, logits[off + i]);
    double sum = 0;
    for (int i = 0; i < v; i++) sum += Math.exp(logits[off + i] - max);
    PriorityQueue<Integer> heap = new PriorityQueue<>(k + 1, (a, c) -> {
      int cmp = Float.compare(logits[off + a], logits[off + c]);
      return cmp != 0 ? cmp : Integer.compare(c, a);
    });
    for (int i = 0; i < v; i++) {
      heap.add(i);
      if (heap.size() > k) heap.poll();
    }
    List<Candidate> out = new ArrayList<>();
    while (!heap.isEmpty()) {
      int id = heap.poll();
      out.add(0, new Candidate(tokenizer.vocab().token(id), id, Math.exp(logits[off + id] - max) / sum));
    }
    return List.copyOf(out);
  }

  private static String quote(String text) {
    String one = text.replaceAll("\\s+", " ").strip();
    return "\"" + (one.length() > 80 ? one.substring(0, 77) + "..." : one) + "\"";
  }

  /** The model underneath. */
  public PretrainingModel model() {
    return model;
  }

  public BertTokenizer tokenizer() {
    return tokenizer;
  }

  /** Closes the model when {@link #open} loaded it. */
  @Override
  public void close() {
    if (ownsModel) model.close();
  }
}
