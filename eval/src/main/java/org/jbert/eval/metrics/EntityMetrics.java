package org.jbert.eval.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jbert.core.JbertException;

/**
 * Entity-level precision, recall and F1 for token tagging (NER, chunking), with seqeval's default (non-strict)
 * semantics, which read IOB1, IOB2 and IOBES tags with one set of chunking rules.
 *
 * <p>A tag is split into a prefix letter (its first character: B, I, E, S, O, ...) and a type (what follows the first
 * '-' after the letter; "_" if nothing, so a bare "O" has type "_"). Scanning left to right with a virtual "O" before
 * and after, a chunk ends before the current tag when the previous tag was E or S; or was B or I and the current is
 * B, S or O; or the previous was not O and the type changes. A chunk starts at the current tag when it is B or S; or
 * it is I or E after O, E or S (E after O/S, I after O/E/S); or it is not O and the type changes. Hence, for example,
 * an I-X after O starts an entity, and I-X after B-Y ends one entity and starts another. Sentences are concatenated
 * with an "O" after each, as seqeval does with nested lists.
 *
 * <p>An entity is (type, first token, last token); a predicted entity is correct only if the same triple is in the
 * gold set. Per type and micro-averaged precision = correct / predicted and recall = correct / gold, each 0 when its
 * denominator is 0, F1 = 2PR/(P+R) or 0; macro and weighted averages over the types present in gold or predictions
 * (sorted by name), as seqeval's classification_report.
 */
public final class EntityMetrics {
  /** One entity: type and inclusive token span in the concatenated sequence. */
  public record Entity(String type, int start, int end) {}

  /** Scores of one entity type (or an average, with the total support). */
  public record Scores(String name, double precision, double recall, double f1, long support) {}

  private final Map<String, long[]> counts;  // type -> {correct, predicted, gold}
  private final long tokens, correctTokens;

  private EntityMetrics(Map<String, long[]> counts, long tokens, long correctTokens) {
    this.counts = counts;
    this.tokens = tokens;
    this.correctTokens = correctTokens;
  }

  /** Entities of one tag sequence (seqeval's {@code get_entities}, prefix mode). */
  public static List<Entity> entities(List<String> tags) {
    List<Entity> out = new ArrayList<>();
    char prevTag = 'O';
    String prevType = "";
    int begin = 0;
    for (int i = 0; i <= tags.size(); i++) {
      String chunk = i < tags.size() ? tags.get(i) : "O";
      if (chunk == null || chunk.isEmpty()) throw new JbertException("tag " + i + " is empty: expected e.g. B-PER or O");
      char tag = chunk.charAt(0);
      String rest = chunk.substring(1);
      int dash = rest.indexOf('-');
      String type = dash >= 0 ? rest.substring(dash + 1) : rest;
      if (type.isEmpty()) type = "_";
      if (endOfChunk(prevTag, tag, prevType, type)) out.add(new Entity(prevType, begin, i - 1));
      if (startOfChunk(prevTag, tag, prevType, type)) begin = i;
      prevTag = tag;
      prevType = type;
    }
    return out;
  }

  /** Entities of sentences concatenated with an "O" after each (offsets into that concatenation). */
  public static List<Entity> entitiesOfSentences(List<List<String>> sentences) {
    List<String> flat = new ArrayList<>();
    for (List<String> s : sentences) {
      flat.addAll(s);
      flat.add("O");
    }
    return entities(flat);
  }

  private static boolean endOfChunk(char prev, char tag, String prevType, String type) {
    if (prev == 'E' || prev == 'S') return true;
    if ((prev == 'B' || prev == 'I') && (tag == 'B' || tag == 'S' || tag == 'O')) return true;
    return prev != 'O' && prev != '.' && !prevType.equals(type);
  }

  private static boolean startOfChunk(char prev, char tag, String prevType, String type) {
    if (tag == 'B' || tag == 'S') return true;
    if ((prev == 'E' || prev == 'S' || prev == 'O') && (tag == 'E' || tag == 'I')) return true;
    return tag != 'O' && tag != '.' && !prevType.equals(type);
  }

  /**
   * Scores predicted tag sequences against gold ones; sentence {@code i} of both must have the same length.
   */
  public static EntityMetrics of(List<List<String>> yTrue, List<List<String>> yPred) {
    if (yTrue.size() != yPred.size()) {
      throw new JbertException("yPred has " + yPred.size() + " sentences: expected " + yTrue.size() + " as yTrue");
    }
    long tokens = 0, correct = 0;
    for (int s = 0; s < yTrue.size(); s++) {
      List<String> t = yTrue.get(s), p = yPred.get(s);
      if (t.size() != p.size()) {
        throw new JbertException("yPred sentence " + s + " has " + p.size() + " tags: expected " + t.size());
      }
      for (int i = 0; i < t.size(); i++) if (t.get(i).equals(p.get(i))) correct++;
      tokens += t.size();
    }
    Map<String, Set<Entity>> gold = byType(entitiesOfSentences(yTrue));
    Map<String, Set<Entity>> pred = byType(entitiesOfSentences(yPred));
    Set<String> types = new TreeSet<>(gold.keySet());
    types.addAll(pred.keySet());
    Map<String, long[]> counts = new java.util.LinkedHashMap<>();
    for (String type : types) {
      Set<Entity> g = gold.getOrDefault(type, Set.of()), pr = pred.getOrDefault(type, Set.of());
      Set<Entity> both = new HashSet<>(g);
      both.retainAll(pr);
      counts.put(type, new long[] {both.size(), pr.size(), g.size()});
    }
    return new EntityMetrics(counts, tokens, correct);
  }

  /**
   * Scores tag-id sequences (e.g. argmax of a token-classification head, one int[] per sentence) with tag names
   * {@code tagNames} (id k = {@code tagNames.get(k)}). Positions whose gold id is negative (Hugging Face's -100 for
   * padding and word-piece continuations) are dropped from both sides before chunking.
   */
  public static EntityMetrics ofIds(List<int[]> yTrue, List<int[]> yPred, List<String> tagNames) {
    if (yTrue.size() != yPred.size()) {
      throw new JbertException("yPred has " + yPred.size() + " sentences: expected " + yTrue.size() + " as yTrue");
    }
    List<List<String>> t = new ArrayList<>(), p = new ArrayList<>();
    for (int s = 0; s < yTrue.size(); s++) {
      int[] ti = yTrue.get(s), pi = yPred.get(s);
      if (ti.length != pi.length) {
        throw new JbertException("yPred sentence " + s + " has " + pi.length + " tags: expected " + ti.length);
      }
      List<String> ts = new ArrayList<>(), ps = new ArrayList<>();
      for (int i = 0; i < ti.length; i++) {
        if (ti[i] < 0) continue;
        ts.add(name(tagNames, ti[i], "yTrue", s, i));
        ps.add(name(tagNames, pi[i], "yPred", s, i));
      }
      t.add(ts);
      p.add(ps);
    }
    return of(t, p);
  }

  private static String name(List<String> names, int id, String what, int s, int i) {
    if (id < 0 || id >= names.size()) {
      throw new JbertException(what + " sentence " + s + " position " + i + ": tag id " + id
          + ": expected an id in [0, " + names.size() + ")");
    }
    return names.get(id);
  }

  private static Map<String, Set<Entity>> byType(List<Entity> es) {
    Map<String, Set<Entity>> m = new HashMap<>();
    for (Entity e : es) m.computeIfAbsent(e.type(), k -> new HashSet<>()).add(e);
    return m;
  }

  private static Scores scores(String name, long correct, long predicted, long gold) {
    double p = predicted == 0 ? 0 : (double) correct / predicted;
    double r = gold == 0 ? 0 : (double) correct / gold;
    double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
    return new Scores(name, p, r, f, gold);
  }

  /** Types present in gold or predictions, sorted. */
  public List<String> types() {
    return List.copyOf(counts.keySet());
  }

  /** Scores per entity type, sorted by type. */
  public List<Scores> perType() {
    List<Scores> out = new ArrayList<>();
    counts.forEach((t, c) -> out.add(scores(t, c[0], c[1], c[2])));
    return out;
  }

  /** Micro average over all entities (seqeval's default {@code f1_score}). */
  public Scores micro() {
    long c = 0, p = 0, g = 0;
    for (long[] v : counts.values()) {
      c += v[0];
      p += v[1];
      g += v[2];
    }
    return scores("micro avg", c, p, g);
  }

  /** Unweighted mean of the per-type scores (0 if there are no types). */
  public Scores macro() {
    return average("macro avg", false);
  }

  /** Mean of the per-type scores weighted by gold support. */
  public Scores weighted() {
    return average("weighted avg", true);
  }

  private Scores average(String name, boolean weighted) {
    double p = 0, r = 0, f = 0, w = 0;
    long support = 0;
    for (Scores s : perType()) {
      double k = weighted ? s.support() : 1;
      p += k * s.precision();
      r += k * s.recall();
      f += k * s.f1();
      w += k;
      support += s.support();
    }
    return w == 0 ? new Scores(name, 0, 0, 0, support) : new Scores(name, p / w, r / w, f / w, support);
  }

  /** Token-level accuracy: fraction of tags equal to the gold tag (seqeval's {@code accuracy_score}). */
  public double tokenAccuracy() {
    return tokens == 0 ? Double.NaN : (double) correctTokens / tokens;
  }
}
