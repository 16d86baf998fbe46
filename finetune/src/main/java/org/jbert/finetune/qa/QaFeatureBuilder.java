package org.jbert.finetune.qa;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Token;
import org.jbert.core.tokenize.Vocab;

/**
 * Turns {@link QaExample}s into {@link QaFeature}s with the semantics of Google's {@code run_squad.py}
 * ({@code convert_examples_to_features}, which Hugging Face's {@code squad_convert_examples_to_features} follows):
 *
 * <ol>
 *   <li>the question's word pieces, cut to {@code max_query_length};
 *   <li>the context's word pieces, cut into windows of at most {@code max_seq_length - question length - 3} pieces,
 *       the next window starting {@code min(window length, doc_stride)} pieces after the previous one, the last one
 *       ending at the end of the context;
 *   <li>per window, {@code [CLS] question [SEP] window [SEP]} with type ids 0...0 1...1, padded to
 *       {@code max_seq_length}, and per window position its {@code token_is_max_context} flag
 *       ({@link #isMaxContext});
 *   <li>training labels: the answer's first and last word piece when both lie in the window, else 0 ([CLS]), as
 *       Google and Hugging Face do for v2.0 and for v1.1 training.
 * </ol>
 *
 * <p>Where this differs from run_squad.py, on purpose: the context is not split on whitespace and re-joined; each word
 * piece keeps the exact code-point offsets the tokenizer reports ({@link Token}), so the answer's word pieces are the
 * ones overlapping its character span (run_squad.py gets the same tokens through {@code _improve_answer_span}) and a
 * predicted span maps back to the exact original text. A context with no word piece gives one feature with an empty
 * window (run_squad.py gives none), so every example has at least one feature.
 *
 * <p>Immutable and thread-safe.
 */
public final class QaFeatureBuilder {
  /** One window over the context's word pieces (Google's {@code DocSpan}): pieces {@code [start, start + length)}. */
  public record Window(int start, int length) {
    /** Index of the last word piece in the window. */
    public int last() {
      return start + length - 1;
    }
  }

  private final BertTokenizer tokenizer;
  private final QaFeatureConfig config;

  public QaFeatureBuilder(BertTokenizer tokenizer, QaFeatureConfig config) {
    this.tokenizer = tokenizer;
    this.config = config;
  }

  public QaFeatureConfig config() {
    return config;
  }

  public BertTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * The features of all examples, in example order then window order; {@link QaFeature#exampleIndex()} is the index
   * in {@code examples}.
   *
   * @param training true to require an answer on every possible example (run_squad.py's {@code is_training});
   *     labels are filled from the first answer whenever there is one
   * @throws JbertException if training and a possible example has no answer, or an answer covers no word piece
   */
  public List<QaFeature> build(List<QaExample> examples, boolean training) {
    List<QaFeature> out = new ArrayList<>(examples.size());
    for (int i = 0; i < examples.size(); i++) out.addAll(build(examples.get(i), i, training));
    return out;
  }

  /** The features of one example, which gets index {@code exampleIndex}; see {@link #build(List, boolean)}. */
  public List<QaFeature> build(QaExample example, int exampleIndex, boolean training) {
    Vocab vocab = tokenizer.vocab();
    List<Token> query = tokenizer.tokenize(example.question());
    if (query.size() > config.maxQueryLength()) query = query.subList(0, config.maxQueryLength());
    List<Token> doc = tokenizer.tokenize(example.context());

    // Answer word pieces: those overlapping the answer's code points [start, end).
    int answerFirst = -1;
    int answerLast = -1;
    if (!example.impossible() && !example.answers().isEmpty()) {
      QaExample.Answer a = example.answers().get(0);
      for (int i = 0; i < doc.size(); i++) {
        Token t = doc.get(i);
        if (t.end() > a.start() && t.start() < a.end()) {
          if (answerFirst < 0) answerFirst = i;
          answerLast = i;
        }
      }
      if (answerFirst < 0) {
        throw new JbertException("QA example '" + example.id() + "' answer '" + QaExample.quote(a.text())
            + "' at code point " + a.start() + " covers no word piece of the context; expected an answer with text");
      }
    } else if (training && !example.impossible()) {
      throw new JbertException("QA example '" + example.id() + "' has no answer; expected at least one answer for"
          + " training, or is_impossible = true");
    }

    int maxTokensForDoc = config.maxSeqLength() - query.size() - 3;
    List<Window> windows = windows(doc.size(), maxTokensForDoc, config.docStride());
    int seqLength = config.maxSeqLength();
    int contextOffset = query.size() + 2;
    List<QaFeature> features = new ArrayList<>(windows.size());
    for (int w = 0; w < windows.size(); w++) {
      Window win = windows.get(w);
      int[] ids = new int[seqLength];
      int[] mask = new int[seqLength];
      int[] types = new int[seqLength];
      int[] tokStart = new int[seqLength];
      int[] tokEnd = new int[seqLength];
      boolean[] maxContext = new boolean[seqLength];
      Arrays.fill(ids, vocab.padId());
      Arrays.fill(tokStart, -1);
      Arrays.fill(tokEnd, -1);
      int p = 0;
      ids[p++] = vocab.clsId();
      for (Token t : query) ids[p++] = t.id();
      ids[p++] = vocab.sepId();
      for (int i = win.start(); i < win.start() + win.length(); i++, p++) {
        Token t = doc.get(i);
        ids[p] = t.id();
        types[p] = 1;
        tokStart[p] = t.start();
        tokEnd[p] = t.end();
        maxContext[p] = isMaxContext(windows, w, i);
      }
      ids[p] = vocab.sepId();
      types[p] = 1;
      p++;
      Arrays.fill(mask, 0, p, 1);

      int startPosition = 0;
      int endPosition = 0;
      if (answerFirst >= 0 && answerFirst >= win.start() && answerLast <= win.last()) {
        startPosition = answerFirst - win.start() + contextOffset;
        endPosition = answerLast - win.start() + contextOffset;
      }
      features.add(new QaFeature(exampleIndex, example.id(), w, win.start(), win.length(), contextOffset, ids, mask,
          types, tokStart, tokEnd, maxContext, startPosition, endPosition));
    }
    return features;
  }

  /**
   * run_squad.py's sliding windows: starting at 0, each window holds {@code min(remaining, maxTokensForDoc)} pieces;
   * the loop stops once a window reaches the end, else the next starts {@code min(length, docStride)} later. Zero
   * pieces give one empty window.
   */
  public static List<Window> windows(int numTokens, int maxTokensForDoc, int docStride) {
    if (maxTokensForDoc < 1 || docStride < 1) {
      throw new IllegalArgumentException("maxTokensForDoc " + maxTokensForDoc + ", docStride " + docStride);
    }
    List<Window> out = new ArrayList<>();
    if (numTokens == 0) {
      out.add(new Window(0, 0));
      return out;
    }
    int start = 0;
    while (start < numTokens) {
      int length = Math.min(numTokens - start, maxTokensForDoc);
      out.add(new Window(start, length));
      if (start + length == numTokens) break;
      start += Math.min(length, docStride);
    }
    return out;
  }

  /**
   * Google's {@code _check_is_max_context}: among the windows holding word piece {@code position}, the best is the one
   * with the highest {@code min(left context, right context) + 0.01 * window length} (left = pieces before it in the
   * window, right = pieces after it), the first one winning ties. True if that is window {@code current}.
   */
  public static boolean isMaxContext(List<Window> windows, int current, int position) {
    double bestScore = Double.NEGATIVE_INFINITY;
    int best = -1;
    for (int i = 0; i < windows.size(); i++) {
      Window w = windows.get(i);
      if (position < w.start() || position > w.last()) continue;
      int left = position - w.start();
      int right = w.last() - position;
      double score = Math.min(left, right) + 0.01 * w.length();
      if (best < 0 || score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best == current;
  }

  /** The model inputs of {@code features} as [B, T] arrays (B = number of features), sharing the feature arrays. */
  public static Features inputs(List<QaFeature> features) {
    int b = features.size();
    int[][] ids = new int[b][];
    int[][] mask = new int[b][];
    int[][] types = new int[b][];
    for (int i = 0; i < b; i++) {
      ids[i] = features.get(i).inputIds();
      mask[i] = features.get(i).inputMask();
      types[i] = features.get(i).typeIds();
    }
    return new Features(ids, mask, types);
  }

  /** The training start labels of {@code features}, [B]. */
  public static int[] startPositions(List<QaFeature> features) {
    return features.stream().mapToInt(QaFeature::startPosition).toArray();
  }

  /** The training end labels of {@code features}, [B]. */
  public static int[] endPositions(List<QaFeature> features) {
    return features.stream().mapToInt(QaFeature::endPosition).toArray();
  }
}
