package org.jbert.datasets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Groups texts into clusters of exact and near duplicates, so that a train/dev/test split can keep each cluster on one
 * side. Deterministic: no randomness, the same texts give the same clusters.
 *
 * <p>Three links join two texts into one cluster (single linkage, via union-find):
 * <ol>
 *   <li>exact: identical texts (SHA-256 of the UTF-8 bytes);</li>
 *   <li>normalized: identical after {@link #normalize}: HTML tags dropped, lower-cased, URLs and e-mail addresses
 *       replaced by one placeholder each, digit runs by {@code 0}, everything but letters and digits treated as
 *       a separator (so re-sent mails that differ in a tracking number, date or line wrapping match);</li>
 *   <li>near: Jaccard similarity of the normalized word 5-shingle sets at least {@code threshold}. Candidates come
 *       from MinHash locality-sensitive hashing (64 hash functions in 16 bands of 4, so a pair at Jaccard 0.8 is a
 *       candidate with probability 1 - (1 - 0.8^4)^16 &gt; 0.9997), and every candidate's Jaccard is then computed
 *       exactly, so no pair below the threshold is joined. Texts of fewer than 5 words use their whole word
 *       sequence as one shingle.</li>
 * </ol>
 */
public final class NearDuplicates {
  /** Jaccard threshold on 5-shingle sets used by default: a common choice for near-duplicate web pages and mails. */
  public static final double DEFAULT_THRESHOLD = 0.8;

  static final int SHINGLE = 5;
  private static final int BANDS = 16;
  private static final int ROWS = 4;
  private static final int HASHES = BANDS * ROWS;


  /**
   * The clustering of some texts.
   *
   * @param cluster for text {@code i}, the index of the first text of its cluster (so {@code cluster[i] == i} marks a
   *     cluster's representative)
   * @param exactGroups number of groups of two or more byte-identical texts
   * @param exactDuplicates texts that are byte-identical to an earlier text
   * @param threshold the Jaccard threshold used
   */
  public record Clusters(int[] cluster, int exactGroups, int exactDuplicates, double threshold) {
    /** Number of clusters (singletons included). */
    public int count() {
      int n = 0;
      for (int i = 0; i < cluster.length; i++) if (cluster[i] == i) n++;
      return n;
    }

    /** Number of clusters of size two or more. */
    public int duplicateClusters() {
      return (int) Arrays.stream(sizes()).filter(s -> s > 1).count();
    }

    /** Texts in clusters of size two or more. */
    public int textsInDuplicateClusters() {
      return Arrays.stream(sizes()).filter(s -> s > 1).sum();
    }

    /** The size of the largest cluster. */
    public int largest() {
      return Arrays.stream(sizes()).max().orElse(0);
    }

    private int[] sizes() {
      int[] s = new int[cluster.length];
      for (int c : cluster) s[c]++;
      return s;
    }
  }

  private NearDuplicates() {}

  /** Clusters {@code texts} with {@link #DEFAULT_THRESHOLD}. */
  public static Clusters cluster(List<String> texts) {
    return cluster(texts, DEFAULT_THRESHOLD);
  }

  /** Clusters {@code texts}; {@code threshold} in (0, 1] is the least Jaccard similarity of near duplicates. */
  public static Clusters cluster(List<String> texts, double threshold) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("Jaccard threshold " + threshold + " must be in (0, 1]");
    }
    int n = texts.size();
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) parent[i] = i;

    Map<String, Integer> exact = new HashMap<>();
    Map<String, Integer> exactCount = new HashMap<>();
    int exactDuplicates = 0;
    Map<String, Integer> normalized = new HashMap<>();
    long[][] shingles = new long[n][];
    for (int i = 0; i < n; i++) {
      String key = sha256(texts.get(i));
      Integer prev = exact.putIfAbsent(key, i);
      exactCount.merge(key, 1, Integer::sum);
      if (prev != null) {
        exactDuplicates++;
        union(parent, prev, i);
      }
      String[] words = words(texts.get(i));
      Integer prevNorm = normalized.putIfAbsent(String.join(" ", words), i);
      if (prevNorm != null) union(parent, prevNorm, i);
      shingles[i] = shingles(words);
    }
    int exactGroups = (int) exactCount.values().stream().filter(c -> c > 1).count();

    Map<Long, List<Integer>> buckets = new HashMap<>();
    for (int i = 0; i < n; i++) {
      if (shingles[i].length == 0) continue;
      long[] sig = minHash(shingles[i]);
      for (int b = 0; b < BANDS; b++) {
        long h = mix(b + 0x51ED27L);
        for (int r = 0; r < ROWS; r++) h = mix(h ^ sig[b * ROWS + r]);
        buckets.computeIfAbsent(h, k -> new ArrayList<>(2)).add(i);
      }
    }
    // The clusters are the connected components of the verified pairs, so the bucket order does not matter;
    // a pair already in one cluster needs no Jaccard.
    for (List<Integer> bucket : buckets.values()) {
      for (int x = 0; x < bucket.size(); x++) {
        for (int y = x + 1; y < bucket.size(); y++) {
          int i = bucket.get(x);
          int j = bucket.get(y);
          if (find(parent, i) != find(parent, j) && jaccard(shingles[i], shingles[j]) >= threshold) {
            union(parent, i, j);
          }
        }
      }
    }
    // Label each text with the smallest index of its cluster: independent of union order.
    int[] min = new int[n];
    Arrays.fill(min, Integer.MAX_VALUE);
    for (int i = 0; i < n; i++) {
      int r = find(parent, i);
      min[r] = Math.min(min[r], i);
    }
    int[] cluster = new int[n];
    for (int i = 0; i < n; i++) cluster[i] = min[find(parent, i)];
    return new Clusters(cluster, exactGroups, exactDuplicates, threshold);
  }

  /** The normalized text as in link 2 above: its words joined by single spaces. */
  public static String normalize(String text) {
    return String.join(" ", words(text));
  }

  /**
   * The words of the normalized text, in one pass (regular expressions took seconds on the 21 MB corpus): HTML tags
   * (a {@code <} with a {@code >} at most 2,000 characters later) become spaces; each whitespace-separated chunk that
   * starts with {@code http://}, {@code https://}, {@code ftp://} or {@code www.} becomes {@code urlx}, one with an
   * {@code @} followed later by a {@code .} becomes {@code emailx}; the rest is lower-cased and split at every
   * character that is not a letter or digit, each digit run becoming {@code 0}.
   */
  static String[] words(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    int n = text.length();
    int i = 0;
    boolean chunkStart = true; // at the start, after whitespace or after a tag
    while (i < n) {
      char c = text.charAt(i);
      if (c == '<') {
        int close = -1;
        for (int j = i + 1, lim = Math.min(n, i + 2002); j < lim; j++) {
          if (text.charAt(j) == '>') {
            close = j;
            break;
          }
        }
        if (close > 0) {
          flush(word, out);
          i = close + 1;
          chunkStart = true;
          continue;
        }
      }
      if (Character.isWhitespace(c)) {
        flush(word, out);
        i++;
        chunkStart = true;
        continue;
      }
      // URLs and addresses are recognized at chunk starts only, so each chunk is scanned once.
      if (chunkStart) {
        chunkStart = false;
        int e = i;
        while (e < n && !Character.isWhitespace(text.charAt(e)) && text.charAt(e) != '<') e++;
        String chunk = text.substring(i, e).toLowerCase(Locale.ROOT);
        if (chunk.startsWith("http://") || chunk.startsWith("https://") || chunk.startsWith("ftp://")
            || chunk.startsWith("www.")) {
          out.add("urlx");
          i = e;
          continue;
        }
        int at = chunk.indexOf('@');
        if (at > 0 && chunk.indexOf('.', at) > at + 1) {
          out.add("emailx");
          i = e;
          continue;
        }
      }
      if (Character.isLetterOrDigit(c)) {
        if (Character.isDigit(c)) {
          boolean continuesRun = word.length() > 0 && Character.isDigit(text.charAt(i - 1));
          if (!continuesRun) word.append('0');
        } else {
          word.append(Character.toLowerCase(c));
        }
      } else {
        flush(word, out);
      }
      i++;
    }
    flush(word, out);
    return out.toArray(new String[0]);
  }

  private static void flush(StringBuilder word, List<String> out) {
    if (word.length() > 0) {
      out.add(word.toString());
      word.setLength(0);
    }
  }

  /** The word {@link #SHINGLE}-gram hashes, sorted and distinct. */
  static long[] shingles(String[] words) {
    if (words.length == 0) return new long[0];
    long[] h = new long[words.length];
    for (int i = 0; i < words.length; i++) h[i] = fnv64(words[i]);
    int k = Math.min(SHINGLE, words.length);
    long[] out = new long[words.length - k + 1];
    for (int i = 0; i < out.length; i++) {
      long s = 0x2545F4914F6CDD1DL;
      for (int j = 0; j < k; j++) s = mix(s ^ h[i + j]);
      out[i] = s;
    }
    Arrays.sort(out);
    int m = 0;
    for (int i = 0; i < out.length; i++) if (i == 0 || out[i] != out[m - 1]) out[m++] = out[i];
    return Arrays.copyOf(out, m);
  }

  static double jaccard(long[] a, long[] b) {
    int i = 0;
    int j = 0;
    int both = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        both++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    int union = a.length + b.length - both;
    return union == 0 ? 1.0 : (double) both / union;
  }

  private static long[] minHash(long[] shingles) {
    long[] sig = new long[HASHES];
    Arrays.fill(sig, Long.MAX_VALUE);
    for (long s : shingles) {
      for (int k = 0; k < HASHES; k++) {
        long v = mix(s ^ SALTS[k]);
        if (v < sig[k]) sig[k] = v;
      }
    }
    return sig;
  }

  private static final long[] SALTS = new long[HASHES];

  static {
    long x = 0x9E3779B97F4A7C15L;
    for (int k = 0; k < HASHES; k++) SALTS[k] = mix(x += 0x9E3779B97F4A7C15L);
  }

  private static long fnv64(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64's finalizer. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static String sha256(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}
