package org.jbert.finetune.qa;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbert.core.JbertException;

/**
 * Turns the start/end logits of {@link QaFeature}s into answers, with the semantics of Google's {@code run_squad.py}
 * ({@code write_predictions}):
 *
 * <ol>
 *   <li>per feature, the {@code n_best_size} highest start and end logits (ties: lower position first) are paired;
 *       a pair is kept if both positions are in the context window, the start is a max-context position
 *       ({@link QaFeature#maxContext()}), end &gt;= start and it spans at most {@code max_answer_length} word pieces;
 *   <li>SQuAD v2.0: the null score is the minimum over the example's features of {@code start[0] + end[0]}, and the
 *       null answer joins the candidates with that score;
 *   <li>candidates of all the example's features are ranked by {@code start + end} logit (stable: ties keep feature,
 *       start, end order), spans with an already seen text are dropped, the first {@code n_best_size} kept (v2.0: the
 *       null answer is appended if it did not make it), and probabilities are the softmax of their scores;
 *   <li>the answer is the best entry's text (v1.1), or for v2.0 "" when {@code null score - best non-null score >
 *       null_score_diff_threshold}, else the best non-null text.
 * </ol>
 *
 * <p>A span's text is the context's exact substring from its first word piece's first code point to its last word
 * piece's end (extended over combining marks that follow it, which uncased tokenization drops from the word piece),
 * so case, accents, inner spaces and punctuation come out as written; run_squad.py's {@code get_final_text}
 * whitespace re-joining heuristics are not needed. Where run_squad.py fills an empty n-best list with the text
 * "empty" (zero logits), this uses "" (zero logits); an example whose n-best list holds no non-null answer gets
 * answer "" and null odds {@code null score - 0}, as if that placeholder were the best non-null answer.
 *
 * <p>Works on plain arrays; immutable and thread-safe.
 */
public final class QaPostProcessor {
  private final QaPostConfig config;

  public QaPostProcessor(QaPostConfig config) {
    this.config = config;
  }

  public QaPostConfig config() {
    return config;
  }

  private record Candidate(int feature, int start, int end, float startLogit, float endLogit, double score) {}

  /**
   * @param examples the examples the features were built from
   * @param features the features, in any order; {@link QaFeature#exampleIndex()} indexes {@code examples}
   * @param startLogits [F, T] start logits, row f for {@code features.get(f)} (F features, T their sequence length)
   * @param endLogits [F, T] end logits
   * @throws JbertException if the shapes disagree, a feature names an example not in the list, an example has no
   *     feature or two examples share an id
   */
  public QaPredictions process(List<QaExample> examples, List<QaFeature> features, float[][] startLogits,
      float[][] endLogits) {
    checkShapes(features, startLogits, "start_logits");
    checkShapes(features, endLogits, "end_logits");
    List<List<Integer>> byExample = new ArrayList<>(examples.size());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < examples.size(); i++) {
      byExample.add(new ArrayList<>());
      if (!ids.add(examples.get(i).id())) {
        throw new JbertException("QA example id '" + examples.get(i).id() + "' occurs twice (index " + i + ");"
            + " expected unique question ids");
      }
    }
    for (int f = 0; f < features.size(); f++) {
      QaFeature feature = features.get(f);
      int e = feature.exampleIndex();
      if (e < 0 || e >= examples.size() || !examples.get(e).id().equals(feature.exampleId())) {
        throw new JbertException("QA feature " + f + " belongs to example " + e + " ('" + feature.exampleId()
            + "'), which is not at that index of the " + examples.size() + " examples given; expected the examples"
            + " the features were built from");
      }
      byExample.get(e).add(f);
    }
    Map<String, String> answers = new LinkedHashMap<>();
    Map<String, List<NBestEntry>> nBest = new LinkedHashMap<>();
    Map<String, Double> nullOdds = new LinkedHashMap<>();
    for (int e = 0; e < examples.size(); e++) {
      QaExample example = examples.get(e);
      if (byExample.get(e).isEmpty()) {
        throw new JbertException("QA example '" + example.id() + "' has no feature; expected the features built from"
            + " the examples given");
      }
      List<NBestEntry> entries = nBest(example, byExample.get(e), features, startLogits, endLogits);
      nBest.put(example.id(), Collections.unmodifiableList(entries));
      NBestEntry bestNonNull = null;
      for (NBestEntry n : entries) {
        if (!n.isNull()) {
          bestNonNull = n;
          break;
        }
      }
      if (!config.versionTwoWithNegative()) {
        answers.put(example.id(), entries.get(0).text());
      } else {
        double nullScore = nullScore(byExample.get(e), startLogits, endLogits);
        double diff = bestNonNull == null ? nullScore : nullScore - bestNonNull.startLogit() - bestNonNull.endLogit();
        nullOdds.put(example.id(), diff);
        boolean noAnswer = bestNonNull == null || diff > config.nullScoreDiffThreshold();
        answers.put(example.id(), noAnswer ? "" : bestNonNull.text());
      }
    }
    return new QaPredictions(Collections.unmodifiableMap(answers), Collections.unmodifiableMap(nBest),
        Collections.unmodifiableMap(nullOdds));
  }

  private static void checkShapes(List<QaFeature> features, float[][] logits, String name) {
    if (logits.length != features.size()) {
      throw new JbertException(name + " has " + logits.length + " rows; expected one per feature, "
          + features.size());
    }
    for (int f = 0; f < logits.length; f++) {
      int t = features.get(f).seqLength();
      if (logits[f] == null || logits[f].length != t) {
        throw new JbertException(name + " row " + f + " has length " + (logits[f] == null ? "null" : logits[f].length)
            + "; expected the feature's sequence length " + t);
      }
    }
  }

  /** The feature (index into the global list) with the lowest {@code start[0] + end[0]}, the first one on ties. */
  private static int nullFeature(List<Integer> featureIds, float[][] startLogits, float[][] endLogits) {
    int best = featureIds.get(0);
    double bestScore = Double.POSITIVE_INFINITY;
    for (int f : featureIds) {
      double s = (double) startLogits[f][0] + (double) endLogits[f][0];
      if (s < bestScore) {
        bestScore = s;
        best = f;
      }
    }
    return best;
  }

  private static double nullScore(List<Integer> featureIds, float[][] startLogits, float[][] endLogits) {
    int f = nullFeature(featureIds, startLogits, endLogits);
    return (double) startLogits[f][0] + (double) endLogits[f][0];
  }

  private List<NBestEntry> nBest(QaExample example, List<Integer> featureIds, List<QaFeature> features,
      float[][] startLogits, float[][] endLogits) {
    int n = config.nBestSize();
    List<Candidate> prelim = new ArrayList<>();
    for (int f : featureIds) {
      QaFeature feature = features.get(f);
      float[] s = startLogits[f];
      float[] e = endLogits[f];
      int[] ends = bestIndexes(e, n);
      for (int a : bestIndexes(s, n)) {
        for (int b : ends) {
          if (!feature.isContext(a) || !feature.isContext(b)) continue;
          if (!feature.maxContext()[a]) continue;
          if (b < a) continue;
          if (b - a + 1 > config.maxAnswerLength()) continue;
          prelim.add(new Candidate(f, a, b, s[a], e[b], (double) s[a] + (double) e[b]));
        }
      }
    }
    if (config.versionTwoWithNegative()) {
      int f = nullFeature(featureIds, startLogits, endLogits);
      float s0 = startLogits[f][0];
      float e0 = endLogits[f][0];
      prelim.add(new Candidate(f, 0, 0, s0, e0, (double) s0 + (double) e0));
    }
    prelim.sort(Comparator.comparingDouble(Candidate::score).reversed()); // List.sort is stable

    String context = example.context();
    int[] charIndex = charIndexOfCodePoint(context);
    Set<String> seen = new HashSet<>();
    List<NBestEntry> raw = new ArrayList<>();
    for (Candidate c : prelim) {
      if (raw.size() >= n) break;
      if (c.start() > 0) {
        QaFeature feature = features.get(c.feature());
        int from = feature.tokenStart()[c.start()];
        int to = extendOverMarks(context, charIndex, feature.tokenEnd()[c.end()]);
        String text = context.substring(charIndex[from], charIndex[to]);
        if (!seen.add(text)) continue;
        raw.add(new NBestEntry(text, 0, c.startLogit(), c.endLogit(), c.feature(), c.start(), c.end(), from, to));
      } else {
        seen.add("");
        raw.add(new NBestEntry("", 0, c.startLogit(), c.endLogit(), c.feature(), 0, 0, -1, -1));
      }
    }
    if (config.versionTwoWithNegative() && !seen.contains("")) {
      int f = nullFeature(featureIds, startLogits, endLogits);
      raw.add(new NBestEntry("", 0, startLogits[f][0], endLogits[f][0], f, 0, 0, -1, -1));
    }
    if (raw.isEmpty()) raw.add(new NBestEntry("", 0, 0f, 0f, -1, 0, 0, -1, -1));

    double[] probs = softmax(raw.stream().mapToDouble(NBestEntry::score).toArray());
    List<NBestEntry> out = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      NBestEntry r = raw.get(i);
      out.add(new NBestEntry(r.text(), probs[i], r.startLogit(), r.endLogit(), r.featureIndex(), r.startPosition(),
          r.endPosition(), r.start(), r.end()));
    }
    return out;
  }

  /**
   * run_squad.py's {@code _get_best_indexes}: the positions of the {@code n} largest values, largest first, lower
   * position first among equal values.
   */
  static int[] bestIndexes(float[] logits, int n) {
    Integer[] order = new Integer[logits.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, (x, y) -> Float.compare(logits[y], logits[x])); // stable merge sort
    int k = Math.min(n, order.length);
    int[] out = new int[k];
    for (int i = 0; i < k; i++) out[i] = order[i];
    return out;
  }

  /** run_squad.py's {@code _compute_softmax}: exp(x - max) / sum. */
  static double[] softmax(double[] scores) {
    double max = Double.NEGATIVE_INFINITY;
    for (double s : scores) max = Math.max(max, s);
    double[] out = new double[scores.length];
    double sum = 0;
    for (int i = 0; i < scores.length; i++) {
      out[i] = Math.exp(scores[i] - max);
      sum += out[i];
    }
    for (int i = 0; i < out.length; i++) out[i] /= sum;
    return out;
  }

  /** [number of code points + 1]: the UTF-16 index of each code point of {@code s}, then {@code s.length()}. */
  static int[] charIndexOfCodePoint(String s) {
    int[] out = new int[s.codePointCount(0, s.length()) + 1];
    int c = 0;
    for (int i = 0; i < out.length - 1; i++) {
      out[i] = c;
      c += Character.charCount(s.codePointAt(c));
    }
    out[out.length - 1] = s.length();
    return out;
  }

  /** {@code end} moved past the combining marks (Mn) that directly follow it: they belong to the last character. */
  private static int extendOverMarks(String context, int[] charIndex, int end) {
    int last = charIndex.length - 1;
    while (end < last && Character.getType(context.codePointAt(charIndex[end])) == Character.NON_SPACING_MARK) end++;
    return end;
  }
}
