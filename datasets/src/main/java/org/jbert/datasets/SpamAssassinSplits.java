package org.jbert.datasets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jbert.core.JbertException;
import org.jbert.datasets.SpamAssassin;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.train.Rng;

/**
 * Deterministic train/dev/test splits of the SpamAssassin corpus for spam classification, with every cluster of
 * exact and near-duplicate emails on one side.
 *
 * <p><b>Text.</b> The headers are dropped: the corpus was collected from mailing lists (ham) and spam traps (spam), so
 * routing headers give the label away without reading the mail (measured on the 6,046 emails: {@code List-Id} is in
 * 68% of ham but 11% of spam, and the {@code Received}/{@code Delivered-To} chains name the collecting mailboxes).
 * The text is the {@code Subject} (unfolded, RFC 2047 encoded words decoded) and the body, {@code subject + "\n\n" +
 * body}, or the body alone when there is no subject. By default ({@link EmailText.Mode#RAW}) the body is kept as the
 * message has it (MIME parts, HTML, quoted-printable), as a filter would see it; {@link EmailText.Mode#PLAIN} gives
 * its readable text instead. The clusters and the splits are computed on the raw bodies, so both modes give the same
 * emails in each split.
 *
 * <p><b>Clusters.</b> {@link NearDuplicates} on the bodies: exact, normalized, and 5-shingle Jaccard &ge; 0.8.
 *
 * <p><b>Assignment.</b> Stratified by label (a cluster's label is its majority): within each label the clusters are
 * ordered by a seeded hash of their first email's id, then filled in that order into test until it holds
 * {@code testFraction} of that label's emails, then dev, then the rest is train. So the spam ratio is the same in
 * every split up to one cluster, and the same seed gives the same files.
 */
public final class SpamAssassinSplits {
  public static final String HAM = "ham";
  public static final String SPAM = "spam";
  public static final List<String> SPLITS = List.of("train", "dev", "test");

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param seed seeds the order in which clusters are assigned
   * @param devFraction fraction of each label's emails in dev, in [0, 1)
   * @param testFraction fraction of each label's emails in test, in [0, 1); dev + test &lt; 1
   * @param text what each row's text holds of the email ({@link EmailText.Mode}); the splits do not depend on it
   */
  public record Options(long seed, double devFraction, double testFraction, EmailText.Mode text) {
    /** Raw email text (subject and body as the message has it). */
    public Options(long seed, double devFraction, double testFraction) {
      this(seed, devFraction, testFraction, EmailText.Mode.RAW);
    }

    public Options {
      if (text == null) throw new JbertException("email text mode is null; expected raw or plain");
      if (!(devFraction >= 0 && devFraction < 1)) {
        throw new JbertException("--dev-fraction " + devFraction + " is out of range; expected a value in [0, 1)");
      }
      if (!(testFraction >= 0 && testFraction < 1)) {
        throw new JbertException("--test-fraction " + testFraction + " is out of range; expected a value in [0, 1)");
      }
      if (devFraction + testFraction >= 1) {
        throw new JbertException("--dev-fraction " + devFraction + " + --test-fraction " + testFraction
            + " leave no training data; expected a sum below 1");
      }
    }

    public static Options defaults() {
      return new Options(12345L, 0.1, 0.1);
    }

    /** These options with the email text in {@code mode}. */
    public Options withText(EmailText.Mode mode) {
      return new Options(seed, devFraction, testFraction, mode);
    }
  }

  /** One output line: {@code {"text", "label", "id"}} with id {@code group/id}. */
  public record Row(String text, String label, String id) {}

  /** Size and spam count of one split. */
  public record SplitStats(String name, int size, int spam) {
    public double spamRatio() {
      return size == 0 ? 0 : (double) spam / size;
    }
  }

  /**
   * The splits.
   *
   * @param splits rows of train, dev, test (in that order), each sorted by id
   * @param stats their sizes, same order
   * @param clusters the duplicate clusters over the corpus (indices into the email list)
   * @param emails the number of emails
   */
  public record Result(List<List<Row>> splits, List<SplitStats> stats, NearDuplicates.Clusters clusters, int emails) {
    public List<Row> train() {
      return splits.get(0);
    }

    public List<Row> dev() {
      return splits.get(1);
    }

    public List<Row> test() {
      return splits.get(2);
    }

    /** A one-paragraph summary for the console. */
    public String summary() {
      StringBuilder b = new StringBuilder();
      b.append(String.format("%d emails, %d clusters: %d duplicate clusters holding %d emails (largest %d;"
              + " %d exact-duplicate groups, %d exact duplicates; Jaccard threshold %.2f)%n",
          emails, clusters.count(), clusters.duplicateClusters(), clusters.textsInDuplicateClusters(),
          clusters.largest(), clusters.exactGroups(), clusters.exactDuplicates(), clusters.threshold()));
      for (SplitStats s : stats) {
        b.append(String.format("%-5s %5d emails (%4.1f%%), %4d spam, spam ratio %.3f%n", s.name(), s.size(),
            100.0 * s.size() / emails, s.spam(), s.spamRatio()));
      }
      return b.toString().stripTrailing();
    }
  }

  private SpamAssassinSplits() {}

  /** Fetches the corpus if needed ({@link SpamAssassin#ensure()}), splits it and writes the files into {@code dir}. */
  public static Result write(Path dir, Options options) {
    return write(dir, SpamAssassin.read(SpamAssassin.ensure()), options);
  }

  /**
   * Splits {@code emails} and writes {@code train.jsonl}, {@code dev.jsonl}, {@code test.jsonl} and
   * {@code stats.json} into {@code dir}, all of them or none ({@link AtomicFiles#writeAll}).
   */
  public static Result write(Path dir, List<SpamAssassin.Email> emails, Options options) {
    Result r = split(emails, options);
    Map<Path, AtomicFiles.FileBody> files = new LinkedHashMap<>();
    for (int s = 0; s < SPLITS.size(); s++) {
      List<Row> rows = r.splits().get(s);
      files.put(dir.resolve(SPLITS.get(s) + ".jsonl"), AtomicFiles.stream(out -> {
        for (Row row : rows) {
          ObjectNode n = JSON.createObjectNode();
          n.put("text", row.text());
          n.put("label", row.label());
          n.put("id", row.id());
          out.write(JSON.writeValueAsBytes(n));
          out.write('\n');
        }
      }));
    }
    ObjectNode st = JSON.createObjectNode();
    st.put("source", SpamAssassin.PACKAGE);
    st.put("seed", options.seed());
    st.put("dev_fraction", options.devFraction());
    st.put("test_fraction", options.testFraction());
    st.put("text", options.text() == EmailText.Mode.RAW
        ? "raw: Subject + blank line + body as the message has it; headers dropped (they identify the collecting"
            + " mailboxes)"
        : "plain: Subject + blank line + the body's readable text (MIME parts walked, base64 and quoted-printable"
            + " decoded, HTML to text; org.jbert.datasets.EmailText); headers dropped (they identify the collecting"
            + " mailboxes)");
    st.put("email_text", options.text().name().toLowerCase(java.util.Locale.ROOT));
    st.put("emails", r.emails());
    ObjectNode c = st.putObject("clusters");
    c.put("method", "union of exact body, normalized body, and word 5-shingle Jaccard >= threshold (MinHash LSH,"
        + " verified exactly)");
    c.put("jaccard_threshold", r.clusters().threshold());
    c.put("clusters", r.clusters().count());
    c.put("duplicate_clusters", r.clusters().duplicateClusters());
    c.put("emails_in_duplicate_clusters", r.clusters().textsInDuplicateClusters());
    c.put("largest_cluster", r.clusters().largest());
    c.put("exact_duplicate_groups", r.clusters().exactGroups());
    c.put("exact_duplicates", r.clusters().exactDuplicates());
    ObjectNode sp = st.putObject("splits");
    for (SplitStats s : r.stats()) {
      ObjectNode n = sp.putObject(s.name());
      n.put("emails", s.size());
      n.put("spam", s.spam());
      n.put("ham", s.size() - s.spam());
      n.put("spam_ratio", s.spamRatio());
    }
    files.put(dir.resolve("stats.json"),
        AtomicFiles.stream(out -> out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(st))));
    AtomicFiles.writeAll(files);
    return r;
  }

  /** The splits of {@code emails}, without writing anything. */
  public static Result split(List<SpamAssassin.Email> emails, Options options) {
    if (emails.isEmpty()) throw new JbertException("SpamAssassin corpus: no emails to split");
    List<String> bodies = emails.stream().map(SpamAssassin.Email::body).toList();
    NearDuplicates.Clusters clusters = NearDuplicates.cluster(bodies);
    int[] cl = clusters.cluster();
    Map<Integer, List<Integer>> members = new LinkedHashMap<>();
    for (int i = 0; i < cl.length; i++) members.computeIfAbsent(cl[i], k -> new ArrayList<>()).add(i);

    // Strata: clusters by majority label; each stratum ordered by the seeded hash of its first email's id.
    Map<Boolean, List<List<Integer>>> strata = new HashMap<>();
    for (List<Integer> m : members.values()) {
      long spam = m.stream().filter(i -> emails.get(i).spam()).count();
      strata.computeIfAbsent(2 * spam >= m.size(), k -> new ArrayList<>()).add(m);
    }
    int[] splitOf = new int[emails.size()];
    for (boolean label : new boolean[] {false, true}) {
      List<List<Integer>> cs = strata.getOrDefault(label, List.of());
      List<long[]> keyed = new ArrayList<>();
      for (int k = 0; k < cs.size(); k++) {
        keyed.add(new long[] {Rng.seed(options.seed(), stableHash(id(emails.get(cs.get(k).get(0))))), k});
      }
      keyed.sort(Comparator.<long[]>comparingLong(a -> a[0])
          .thenComparing(a -> id(emails.get(cs.get((int) a[1]).get(0)))));
      int total = cs.stream().mapToInt(List::size).sum();
      long testTarget = Math.round(options.testFraction() * total);
      long devTarget = Math.round(options.devFraction() * total);
      int test = 0;
      int dev = 0;
      for (long[] kv : keyed) {
        List<Integer> m = cs.get((int) kv[1]);
        int split;
        if (test < testTarget) {
          split = 2;
          test += m.size();
        } else if (dev < devTarget) {
          split = 1;
          dev += m.size();
        } else {
          split = 0;
        }
        for (int i : m) splitOf[i] = split;
      }
    }
    List<List<Row>> splits = new ArrayList<>();
    for (int s = 0; s < 3; s++) splits.add(new ArrayList<>());
    for (int i = 0; i < emails.size(); i++) {
      SpamAssassin.Email e = emails.get(i);
      splits.get(splitOf[i]).add(new Row(EmailText.of(options.text(), e.raw()), e.spam() ? SPAM : HAM, id(e)));
    }
    List<SplitStats> stats = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      List<Row> rows = splits.get(s);
      rows.sort(Comparator.comparing(Row::id));
      splits.set(s, List.copyOf(rows));
      stats.add(new SplitStats(SPLITS.get(s), rows.size(),
          (int) rows.stream().filter(r -> r.label().equals(SPAM)).count()));
    }
    return new Result(List.copyOf(splits), List.copyOf(stats), clusters, emails.size());
  }

  /** {@code group/id}, unique in the corpus (ids repeat across groups). */
  public static String id(SpamAssassin.Email e) {
    return e.group() + "/" + e.id();
  }

  /**
   * The raw text a classifier sees: subject, blank line, body; the body alone when there is no subject
   * ({@link EmailText#of} in {@link EmailText.Mode#RAW}).
   */
  public static String text(SpamAssassin.Email e) {
    return EmailText.of(EmailText.Mode.RAW, e.raw());
  }

  /** The first {@code Subject} header of a raw message, unfolded and decoded; empty when there is none. */
  static String subject(String raw) {
    int end = raw.indexOf("\n\n");
    return decodeWords(EmailText.header(end < 0 ? raw : raw.substring(0, end), "Subject")).strip();
  }

  private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");
  private static final Pattern BETWEEN_WORDS = Pattern.compile("(\\?=)\\s+(=\\?)");

  /** RFC 2047 encoded words ({@code =?charset?B|Q?...?=}) decoded; a word in an unknown charset stays as it is. */
  static String decodeWords(String s) {
    if (!s.contains("=?")) return s;
    String joined = BETWEEN_WORDS.matcher(s).replaceAll("$1$2"); // whitespace between encoded words is dropped
    Matcher m = ENCODED_WORD.matcher(joined);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String decoded;
      try {
        Charset cs = Charset.forName(m.group(1).split("\\*")[0]);
        byte[] bytes = m.group(2).equalsIgnoreCase("B") ? Base64.getMimeDecoder().decode(m.group(3))
            : qDecode(m.group(3));
        decoded = new String(bytes, cs);
      } catch (IllegalArgumentException e) { // unknown charset, bad base64
        decoded = m.group();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(decoded));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static byte[] qDecode(String s) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '_') {
        b.write(' ');
      } else if (c == '=' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
        b.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        byte[] raw = String.valueOf(c).getBytes(StandardCharsets.ISO_8859_1);
        b.write(raw, 0, raw.length);
      }
    }
    return b.toByteArray();
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0;
  }

  private static long stableHash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
