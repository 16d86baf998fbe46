package org.jbert.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jbert.core.JbertException;

/**
 * SQuAD exact match and F1 with the semantics of the official evaluate scripts (v1.1 and v2.0; no code taken from
 * them).
 *
 * <p>Answer normalization (both versions): lower-case; drop every character of Python's {@code string.punctuation}
 * (the 32 ASCII punctuation characters); replace the words {@code a}, {@code an}, {@code the} (between Unicode word
 * boundaries) by a space; split on whitespace (Python's {@code str.split()} set) and re-join with single spaces. EM
 * compares normalized strings; F1 is the harmonic mean of token precision and recall where common tokens are counted
 * with multiplicity (a bag intersection). A question's score is the maximum over its gold answers; results are
 * percentages (0..100) as the scripts print them.
 *
 * <p>v1.1: a question without a prediction scores 0 and counts in the total. v2.0: a question whose gold answers all
 * normalize to the empty string (in particular an unanswerable one) has the single gold answer "", an empty
 * prediction against an empty gold scores 1 in both EM and F1 (0 if only one side is empty), every question needs a
 * prediction (the script fails otherwise; here a JbertException), results are broken down into HasAns/NoAns, and
 * with no-answer probabilities a prediction whose probability exceeds the threshold counts as "no answer"; the best
 * threshold search follows {@code find_best_thresh} (questions in increasing probability, ties in dataset order).
 */
public final class SquadMetrics {
  private SquadMetrics() {}

  /**
   * One question: its id and gold answer texts (empty list = unanswerable, as v2.0's {@code is_impossible} questions
   * have).
   */
  public record Question(String id, List<String> answers) {
    public Question {
      answers = List.copyOf(answers);
    }

    /** True if the dataset lists at least one answer (v2.0's {@code qid_to_has_ans}). */
    public boolean hasAnswer() {
      return !answers.isEmpty();
    }
  }

  /** v1.1 result in percent; {@code missing} questions had no prediction and scored 0. */
  public record V1Result(double exactMatch, double f1, int total, int missing) {}

  /**
   * v2.0 result in percent, with the keys of the script's output. {@code hasAns*}/{@code noAns*} are NaN when that
   * subset is empty; {@code best} is null without no-answer probabilities.
   */
  public record V2Result(double exact, double f1, int total, double hasAnsExact, double hasAnsF1, int hasAnsTotal,
      double noAnsExact, double noAnsF1, int noAnsTotal, BestThresholds best) {}

  /** The script's {@code best_exact}, {@code best_exact_thresh}, {@code best_f1}, {@code best_f1_thresh}. */
  public record BestThresholds(double bestExact, double bestExactThresh, double bestF1, double bestF1Thresh) {}

  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);

  /** Python's str.isspace() characters, the separators of str.split(). */
  private static boolean isPythonSpace(int c) {
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
  }

  /** The official normalization, e.g. {@code "The  Denver-Broncos!"} gives {@code "denverbroncos"}. */
  public static String normalizeAnswer(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    StringBuilder noPunct = new StringBuilder(lower.length());
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if (PUNCTUATION.indexOf(c) < 0) noPunct.append(c);
    }
    String noArticles = ARTICLES.matcher(noPunct).replaceAll(" ");
    return String.join(" ", split(noArticles));
  }

  /** Normalized tokens: {@code normalizeAnswer(s).split()}. */
  public static List<String> tokens(String s) {
    return split(normalizeAnswer(s));
  }

  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      if (isPythonSpace(c)) {
        if (start >= 0) out.add(s.substring(start, i));
        start = -1;
      } else if (start < 0) {
        start = i;
      }
      i += Character.charCount(c);
    }
    if (start >= 0) out.add(s.substring(start));
    return out;
  }

  /** 1 if the normalized strings are equal, else 0. */
  public static double exactMatch(String prediction, String gold) {
    return normalizeAnswer(prediction).equals(normalizeAnswer(gold)) ? 1.0 : 0.0;
  }

  /** v1.1 token F1: 0 when no token is shared (also when either side has no tokens). */
  public static double f1V1(String prediction, String gold) {
    return f1(tokens(prediction), tokens(gold), false);
  }

  /** v2.0 token F1: as v1.1, except that when either side has no tokens the score is 1 if both have none, else 0. */
  public static double f1V2(String prediction, String gold) {
    return f1(tokens(prediction), tokens(gold), true);
  }

  private static double f1(List<String> pred, List<String> gold, boolean emptyRule) {
    if (emptyRule && (pred.isEmpty() || gold.isEmpty())) return pred.isEmpty() && gold.isEmpty() ? 1.0 : 0.0;
    Map<String, Integer> goldCounts = new HashMap<>();
    for (String t : gold) goldCounts.merge(t, 1, Integer::sum);
    int same = 0;
    for (String t : pred) {
      Integer c = goldCounts.get(t);
      if (c != null && c > 0) {
        same++;
        goldCounts.put(t, c - 1);
      }
    }
    if (same == 0) return 0.0;
    double p = (double) same / pred.size(), r = (double) same / gold.size();
    return 2 * p * r / (p + r);
  }

  /** SQuAD v1.1 {@code evaluate}: mean over questions of the max EM/F1 over gold answers, in percent. */
  public static V1Result evaluateV1(List<Question> questions, Map<String, String> predictions) {
    if (questions.isEmpty()) throw new JbertException("questions is empty: expected at least one SQuAD question");
    double em = 0, f1 = 0;
    int missing = 0;
    for (Question q : questions) {
      String pred = predictions.get(q.id());
      if (pred == null) {
        missing++;
        continue;
      }
      double bestEm = 0, bestF1 = 0;
      for (String g : q.answers()) {
        bestEm = Math.max(bestEm, exactMatch(pred, g));
        bestF1 = Math.max(bestF1, f1V1(pred, g));
      }
      em += bestEm;
      f1 += bestF1;
    }
    int n = questions.size();
    return new V1Result(100.0 * em / n, 100.0 * f1 / n, n, missing);
  }

  /** SQuAD v2.0 without no-answer probabilities (the script's defaults). */
  public static V2Result evaluateV2(List<Question> questions, Map<String, String> predictions) {
    return evaluateV2(questions, predictions, null, 1.0);
  }

  /**
   * SQuAD v2.0 {@code evaluate-v2.0.py}.
   *
   * @param naProbs probability that each question has no answer, or null (then all 0 and no best-threshold search)
   * @param naProbThresh a prediction counts as "no answer" when its probability is above this (script default 1.0)
   */
  public static V2Result evaluateV2(List<Question> questions, Map<String, String> predictions,
      Map<String, Double> naProbs, double naProbThresh) {
    if (questions.isEmpty()) throw new JbertException("questions is empty: expected at least one SQuAD question");
    int n = questions.size();
    double[] exactRaw = new double[n], f1Raw = new double[n], exact = new double[n], f1 = new double[n];
    double[] na = new double[n];
    for (int i = 0; i < n; i++) {
      Question q = questions.get(i);
      String pred = predictions.get(q.id());
      if (pred == null) throw new JbertException("predictions: no answer for question id " + q.id());
      List<String> golds = new ArrayList<>();
      for (String g : q.answers()) if (!normalizeAnswer(g).isEmpty()) golds.add(g);
      if (golds.isEmpty()) golds.add("");
      for (String g : golds) {
        exactRaw[i] = Math.max(exactRaw[i], exactMatch(pred, g));
        f1Raw[i] = Math.max(f1Raw[i], f1V2(pred, g));
      }
      if (naProbs != null) {
        Double p = naProbs.get(q.id());
        if (p == null) throw new JbertException("naProbs: no probability for question id " + q.id());
        na[i] = p;
      }
      boolean predNa = na[i] > naProbThresh;
      exact[i] = predNa ? (q.hasAnswer() ? 0 : 1) : exactRaw[i];
      f1[i] = predNa ? (q.hasAnswer() ? 0 : 1) : f1Raw[i];
    }
    double e = 0, f = 0, he = 0, hf = 0, ne = 0, nf = 0;
    int hn = 0, nn = 0;
    for (int i = 0; i < n; i++) {
      e += exact[i];
      f += f1[i];
      if (questions.get(i).hasAnswer()) {
        he += exact[i];
        hf += f1[i];
        hn++;
      } else {
        ne += exact[i];
        nf += f1[i];
        nn++;
      }
    }
    BestThresholds best = null;
    if (naProbs != null) {
      double[] be = bestThreshold(questions, predictions, exactRaw, na);
      double[] bf = bestThreshold(questions, predictions, f1Raw, na);
      best = new BestThresholds(be[0], be[1], bf[0], bf[1]);
    }
    return new V2Result(100 * e / n, 100 * f / n, n, pct(he, hn), pct(hf, hn), hn, pct(ne, nn), pct(nf, nn), nn,
        best);
  }

  private static double pct(double sum, int count) {
    return count == 0 ? Double.NaN : 100 * sum / count;
  }

  /**
   * {@code find_best_thresh}: start with every question answered "no answer" (score = number of unanswerable ones),
   * then lower the bar one question at a time in increasing no-answer probability; returns {best %, threshold}.
   */
  private static double[] bestThreshold(List<Question> qs, Map<String, String> preds, double[] raw, double[] na) {
    int n = qs.size();
    double cur = 0;
    for (Question q : qs) if (!q.hasAnswer()) cur++;
    double bestScore = cur, bestThresh = 0.0;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    java.util.Arrays.sort(order, Comparator.comparingDouble(i -> na[i]));  // stable: ties keep dataset order
    for (int i : order) {
      Question q = qs.get(i);
      double diff;
      if (q.hasAnswer()) diff = raw[i];
      else diff = preds.get(q.id()).isEmpty() ? 0 : -1;
      cur += diff;
      if (cur > bestScore) {
        bestScore = cur;
        bestThresh = na[i];
      }
    }
    return new double[] {100.0 * bestScore / n, bestThresh};
  }

  /** Reads the questions of a SQuAD v1.1 or v2.0 dataset file ({@code data[].paragraphs[].qas[]}), in file order. */
  public static List<Question> readDataset(Path json) {
    JsonNode root = readJson(json);
    JsonNode data = root.get("data");
    if (data == null || !data.isArray()) throw new JbertException(json + ": key 'data' missing: expected a SQuAD file");
    List<Question> out = new ArrayList<>();
    for (JsonNode article : data) {
      for (JsonNode p : article.path("paragraphs")) {
        for (JsonNode qa : p.path("qas")) {
          JsonNode id = qa.get("id");
          if (id == null) throw new JbertException(json + ": a question without 'id': expected every qas entry to have one");
          List<String> answers = new ArrayList<>();
          for (JsonNode a : qa.path("answers")) answers.add(a.path("text").asText());
          out.add(new Question(id.asText(), answers));
        }
      }
    }
    return out;
  }

  /** Reads a predictions file: a JSON object mapping question id to answer text. */
  public static Map<String, String> readPredictions(Path json) {
    Map<String, String> out = new LinkedHashMap<>();
    readObject(json).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** Reads a no-answer probability file: a JSON object mapping question id to a number. */
  public static Map<String, Double> readNaProbs(Path json) {
    Map<String, Double> out = new LinkedHashMap<>();
    readObject(json).fields().forEachRemaining(e -> {
      if (!e.getValue().isNumber()) {
        throw new JbertException(json + ": key '" + e.getKey() + "' = " + e.getValue() + ": expected a number");
      }
      out.put(e.getKey(), e.getValue().asDouble());
    });
    return out;
  }

  private static JsonNode readObject(Path json) {
    JsonNode root = readJson(json);
    if (!root.isObject()) throw new JbertException(json + ": expected a JSON object {id: value}");
    return root;
  }

  private static JsonNode readJson(Path json) {
    try {
      return new ObjectMapper().readTree(json.toFile());
    } catch (IOException e) {
      throw new JbertException(json + ": cannot read JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
  }
}
