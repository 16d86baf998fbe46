package org.jbert.eval.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.jbert.core.JbertException;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.core.tokenize.Token;
import org.jbert.core.tokenize.Vocab;
import org.jbert.core.weights.SavedModelSource;
import org.jbert.eval.data.EvalTexts;
import org.jbert.eval.tf.TfReference;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT-base inference throughput of jbert (SameDiff) against TensorFlow (TF Java 0.5.0 running the same SavedModel),
 * in one JVM. A measurement, not a test; it prints {@code name=value} lines at the end.
 *
 * <ol>
 *   <li>import_seconds: SavedModel folder to a ready {@link BertModel} (graph build + reading and assigning every
 *       weight), after nd4j is initialized and the model unpacked into the cache (the one-time unpack is excluded);
 *   <li>jbert_seq_per_s and tf_seq_per_s: B x T batches (default 32 x 128) of random ids, every token real (mask all
 *       1, no padding), fetching sequence_output and pooled_output only on both sides; warm-up batches first, then
 *       timed rounds that alternate one jbert and one TF batch so both see the same machine load; inference_vs_tf is
 *       their ratio (means over the rounds). On a shared machine two more views help: the best round of each
 *       ({@code *_best}) and process CPU seconds (user+sys from /proc/self/stat, {@code *_cpu}), which other
 *       processes disturb less than wall time (though nd4j's OpenMP threads also burn CPU while spin-waiting);
 *   <li>real texts: SpamAssassin sentences ({@link EvalTexts#emailSentences}) run TF-Hub style (padded to 128, corpus
 *       order, TF) and jbert style (sorted by length into buckets of B, each padded to its longest row, jbert);
 *       realtext_vs_tf_fixed128 is the ratio of their throughputs. The pooled outputs of both are compared
 *       (realtext_pooled_max_diff) to show bucketing changes nothing;
 *   <li>peak_rss_gb: VmHWM of /proc/self/status after the steps above (one jbert model, TF's session and runtime,
 *       their activations); peak_rss_end_gb at the very end, after the diagnosis below loaded a second model;
 *   <li>with {@code nodropout=N} (N > 0): the cost of the dropout ops that jbert's graph runs even in inference (its
 *       switch multiplies by 1 but still draws the random masks): a second model from a config with both dropout
 *       probabilities 0 (so no dropout ops are built), N rounds alternating it with the regular one;
 *   <li>with {@code profile=true}: one more batch of each jbert model under {@link OpTimingListener}, top ops by time.
 * </ol>
 *
 * <p>Usage: {@code InferenceBenchmark [model=bert-base-uncased] [batch=32] [seq=128] [warmup=2] [batches=5]
 * [sentences=256] [realtext=true] [nodropout=3] [profile=true]}.
 */
public final class InferenceBenchmark {
  private static final String[] FETCH = {BertGraph.SEQUENCE_OUTPUT, BertGraph.POOLED_OUTPUT};

  private InferenceBenchmark() {}

  public static void main(String[] args) {
    Map<String, String> opt = new HashMap<>(Map.of("model", PretrainedModels.DEFAULT, "batch", "32", "seq", "128",
        "warmup", "2", "batches", "5", "sentences", "256", "realtext", "true", "profile", "true", "nodropout", "3"));
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq < 0 || !opt.containsKey(a.substring(0, eq))) {
        throw new JbertException("argument '" + a + "': expected key=value with key one of " + opt.keySet());
      }
      opt.put(a.substring(0, eq), a.substring(eq + 1));
    }
    int b = Integer.parseInt(opt.get("batch"));
    int t = Integer.parseInt(opt.get("seq"));
    int warmup = Integer.parseInt(opt.get("warmup"));
    int batches = Integer.parseInt(opt.get("batches"));
    Map<String, String> results = new LinkedHashMap<>();
    results.put("load_avg_start", loadAverage());
    results.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));

    Path folder = PretrainedModels.resolve(opt.get("model")); // unpacks once into the cache; not timed
    Nd4j.zeros(1).close(); // backend initialization, not part of the import

    long t0 = System.nanoTime();
    BertModel model;
    try (SavedModelSource source = SavedModelSource.open(folder)) {
      model = BertModel.fromWeights(source.config().orElseThrow(), source, true);
    }
    double importSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "import: %s -> BertModel in %.2f s%n", folder, importSeconds);
    results.put("import_seconds", fmt(importSeconds));

    try (model; TfReference tf = TfReference.load(folder)) {
      if (tf.seqLen() > 0 && tf.seqLen() != t) {
        throw new JbertException("seq=" + t + " but the SavedModel takes T=" + tf.seqLen());
      }
      int[][][] in = randomBatch(b, t, model.config().vocabSize(), 12345);
      SameDiff sd = model.sameDiff();
      BertGraph.setTraining(sd, false);
      for (int i = 0; i < warmup; i++) {
        double j = jbert(sd, in);
        double f = tf(tf, in);
        System.out.printf(Locale.ROOT, "warm-up %d: jbert %.2f s, TF %.2f s%n", i + 1, j, f);
      }
      double jbertSeconds = 0;
      double tfSeconds = 0;
      double jbertCpu = 0;
      double tfCpu = 0;
      double jbertBest = Double.MAX_VALUE;
      double tfBest = Double.MAX_VALUE;
      for (int i = 0; i < batches; i++) {
        double c0 = cpuSeconds();
        double j = jbert(sd, in);
        double c1 = cpuSeconds();
        double f = tf(tf, in);
        double c2 = cpuSeconds();
        jbertSeconds += j;
        tfSeconds += f;
        jbertBest = Math.min(jbertBest, j);
        tfBest = Math.min(tfBest, f);
        jbertCpu += c1 - c0;
        tfCpu += c2 - c1;
        System.out.printf(Locale.ROOT, "round %d: jbert %.2f s (cpu %.2f s), TF %.2f s (cpu %.2f s)%n", i + 1, j,
            c1 - c0, f, c2 - c1);
      }
      double jps = batches * b / jbertSeconds;
      double tps = batches * b / tfSeconds;
      results.put("batch", String.valueOf(b));
      results.put("seq_len", String.valueOf(t));
      results.put("timed_batches", String.valueOf(batches));
      results.put("jbert_seq_per_s", fmt(jps));
      results.put("tf_seq_per_s", fmt(tps));
      results.put("inference_vs_tf", fmt(jps / tps));
      results.put("jbert_best_seq_per_s", fmt(b / jbertBest));
      results.put("tf_best_seq_per_s", fmt(b / tfBest));
      results.put("inference_vs_tf_best", fmt(tfBest / jbertBest));
      results.put("jbert_cpu_s_per_batch", fmt(jbertCpu / batches));
      results.put("tf_cpu_s_per_batch", fmt(tfCpu / batches));
      results.put("inference_vs_tf_cpu", fmt(tfCpu / jbertCpu));

      if (Boolean.parseBoolean(opt.get("realtext"))) {
        realTexts(model, tf, folder, b, t, Integer.parseInt(opt.get("sentences")), results);
      }
      // The peak so far: one jbert model, TF and their activations. The extra model below is a diagnosis only.
      results.put("peak_rss_gb", fmt(peakRssKb() / 1024.0 / 1024.0));
      int nodrop = Integer.parseInt(opt.get("nodropout"));
      boolean prof = Boolean.parseBoolean(opt.get("profile"));
      if (nodrop > 0) noDropout(model, folder, in, nodrop, tps, prof, results);
      if (prof) profile(sd, in, "jbert", results);
    }
    results.put("load_avg_end", loadAverage());
    results.put("peak_rss_end_gb", fmt(peakRssKb() / 1024.0 / 1024.0));
    System.out.println();
    results.forEach((k, v) -> System.out.println(k + "=" + v));
  }

  /**
   * [ids, mask, types], each [B][T]: [CLS] random ids from [999, V) [SEP], mask all 1, segment 0 (seeded).
   * Ids below 999 are [PAD], [unusedN] and specials in Google's vocabularies.
   */
  static int[][][] randomBatch(int b, int t, int vocabSize, long seed) {
    Random rnd = new Random(seed);
    int[][][] in = new int[3][b][t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        in[0][i][j] = j == 0 ? 101 : j == t - 1 ? 102 : 999 + rnd.nextInt(vocabSize - 999);
        in[1][i][j] = 1;
      }
    }
    return in;
  }

  /** One jbert batch (sequence + pooled output); seconds. */
  static double jbert(SameDiff sd, int[][][] in) {
    long t0 = System.nanoTime();
    Map<String, INDArray> ph = placeholders(in);
    Map<String, INDArray> out = sd.output(ph, FETCH);
    double s = (System.nanoTime() - t0) / 1e9;
    close(out, ph);
    return s;
  }

  /** One TF batch (sequence + pooled output, copied into Java arrays as jbert's are in off-heap arrays); seconds. */
  static double tf(TfReference tf, int[][][] in) {
    long t0 = System.nanoTime();
    tf.run(in[0], in[1], in[2], false);
    return (System.nanoTime() - t0) / 1e9;
  }

  static Map<String, INDArray> placeholders(int[][][] in) {
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(BertGraph.INPUT_WORD_IDS, Nd4j.createFromArray(in[0]));
    ph.put(BertGraph.INPUT_MASK, Nd4j.createFromArray(in[1]));
    ph.put(BertGraph.INPUT_TYPE_IDS, Nd4j.createFromArray(in[2]));
    return ph;
  }

  static void close(Map<String, INDArray> out, Map<String, INDArray> ph) {
    for (INDArray a : out.values()) if (!a.wasClosed()) a.close();
    ph.values().forEach(INDArray::close);
  }

  /** Real sentences: TF-Hub style fixed 128 in TF vs jbert length-bucketed dynamic padding. */
  static void realTexts(BertModel model, TfReference tf, Path folder, int b, int t, int count,
      Map<String, String> results) {
    List<String> sentences = EvalTexts.emailSentences(count, 7);
    BertTokenizer tok = new BertTokenizer(Vocab.load(folder.resolve(SavedModelSource.VOCAB_FILE)), true);
    List<List<Token>> tokens = new ArrayList<>();
    for (String s : sentences) tokens.add(tok.tokenize(s));
    int n = sentences.size();
    long realTokens = 0;
    for (List<Token> x : tokens) realTokens += Math.min(x.size(), t - 2) + 2;
    int h = model.config().hiddenSize();
    float[] tfPooled = new float[n * h];
    float[] jPooled = new float[n * h];

    Preprocessor fixed = new Preprocessor(tok, t, false);
    double tfSeconds = 0;
    double c0 = cpuSeconds();
    for (int from = 0; from < n; from += b) {
      List<List<Token>> chunk = tokens.subList(from, Math.min(n, from + b));
      Features f = fixed.encodeTokens(chunk, null);
      long t0 = System.nanoTime();
      TfReference.Outputs o = tf.run(f.inputWordIds(), f.inputMask(), f.inputTypeIds(), false);
      tfSeconds += (System.nanoTime() - t0) / 1e9;
      System.arraycopy(o.pooled(), 0, tfPooled, from * h, chunk.size() * h);
    }

    double tfCpu = cpuSeconds() - c0;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, (x, y) -> Integer.compare(tokens.get(x).size(), tokens.get(y).size()));
    Preprocessor dynamic = new Preprocessor(tok, t, true);
    double jSeconds = 0;
    long paddedCells = 0;
    SameDiff sd = model.sameDiff();
    double c1 = cpuSeconds();
    for (int from = 0; from < n; from += b) {
      int to = Math.min(n, from + b);
      List<List<Token>> chunk = new ArrayList<>();
      for (int i = from; i < to; i++) chunk.add(tokens.get(order[i]));
      Features f = dynamic.encodeTokens(chunk, null);
      paddedCells += (long) f.batchSize() * f.seqLength();
      long t0 = System.nanoTime();
      Map<String, INDArray> ph = placeholders(new int[][][] {f.inputWordIds(), f.inputMask(), f.inputTypeIds()});
      Map<String, INDArray> out = sd.output(ph, FETCH);
      float[] pooled = out.get(BertGraph.POOLED_OUTPUT).dup('c').data().asFloat();
      jSeconds += (System.nanoTime() - t0) / 1e9;
      close(out, ph);
      for (int i = from; i < to; i++) System.arraycopy(pooled, (i - from) * h, jPooled, order[i] * h, h);
    }
    double jCpu = cpuSeconds() - c1;
    double maxDiff = 0;
    for (int i = 0; i < jPooled.length; i++) maxDiff = Math.max(maxDiff, Math.abs(jPooled[i] - tfPooled[i]));
    double tps = n / tfSeconds;
    double jps = n / jSeconds;
    System.out.printf(Locale.ROOT, "real texts: %d sentences, %.1f tokens on average; TF fixed %d: %.2f s; jbert "
        + "bucketed (%d cells vs %d fixed): %.2f s%n", n, (double) realTokens / n, t, tfSeconds, paddedCells,
        (long) n * t, jSeconds);
    results.put("realtext_sentences", String.valueOf(n));
    results.put("realtext_mean_tokens", fmt((double) realTokens / n));
    results.put("realtext_tf_fixed128_seq_per_s", fmt(tps));
    results.put("realtext_jbert_bucketed_seq_per_s", fmt(jps));
    results.put("realtext_vs_tf_fixed128", fmt(jps / tps));
    results.put("realtext_vs_tf_fixed128_cpu", fmt(tfCpu / jCpu));
    results.put("realtext_pooled_max_diff", String.format(Locale.ROOT, "%.3e", maxDiff));
  }

  /** N rounds alternating the regular model with one built without dropout ops (then a profile of the latter). */
  static void noDropout(BertModel model, Path folder, int[][][] in, int rounds, double tfSeqPerS, boolean profile,
      Map<String, String> results) {
    try (SavedModelSource source = SavedModelSource.open(folder);
        BertModel plain = BertModel.fromWeights(source.config().orElseThrow().withDropout(0, 0), source, true)) {
      SameDiff with = model.sameDiff();
      SameDiff without = plain.sameDiff();
      jbert(without, in); // warm-up of the new graph
      double a = 0;
      double n = 0;
      double ca = 0;
      double cn = 0;
      double bestA = Double.MAX_VALUE;
      double bestN = Double.MAX_VALUE;
      for (int i = 0; i < rounds; i++) {
        double c0 = cpuSeconds();
        double x = jbert(with, in);
        double c1 = cpuSeconds();
        double y = jbert(without, in);
        double c2 = cpuSeconds();
        a += x;
        n += y;
        ca += c1 - c0;
        cn += c2 - c1;
        bestA = Math.min(bestA, x);
        bestN = Math.min(bestN, y);
        System.out.printf(Locale.ROOT, "dropout round %d: with dropout ops %.2f s (cpu %.2f s), without %.2f s (cpu "
            + "%.2f s)%n", i + 1, x, c1 - c0, y, c2 - c1);
      }
      int b = in[0].length;
      results.put("nodropout_rounds", String.valueOf(rounds));
      results.put("jbert_with_dropout_ops_seq_per_s", fmt(rounds * b / a));
      results.put("jbert_without_dropout_ops_seq_per_s", fmt(rounds * b / n));
      results.put("dropout_ops_share_of_time", fmt(1 - n / a));
      results.put("dropout_ops_share_of_time_best", fmt(1 - bestN / bestA));
      results.put("dropout_ops_share_of_cpu", fmt(1 - cn / ca));
      results.put("jbert_without_dropout_ops_vs_tf", fmt(rounds * b / n / tfSeqPerS));
      if (profile) profile(without, in, "jbert_nodropout", results);
    }
  }

  /** One more batch under the op-timing listener; prints the top op types and ops. */
  static void profile(SameDiff sd, int[][][] in, String label, Map<String, String> results) {
    OpTimingListener l = new OpTimingListener();
    sd.setListeners(l);
    try {
      double s = jbert(sd, in);
      System.out.printf(Locale.ROOT, "%nprofile of one %s batch: %.2f s wall, %.2f s inside ops (%.1f%%)%n", label,
          s, l.totalNanos() / 1e9, 100 * l.totalNanos() / 1e9 / s);
      System.out.print("by op type:\n" + l.table(l.byType(), 15));
      System.out.print("by op (summed over layers):\n" + l.table(l.byOp(), 20));
      results.put("profile_" + label + "_batch_seconds", fmt(s));
      results.put("profile_" + label + "_op_seconds", fmt(l.totalNanos() / 1e9));
      List<OpTimingListener.Stat> top = l.byType();
      for (int i = 0; i < Math.min(3, top.size()); i++) {
        results.put("profile_" + label + "_top" + (i + 1), top.get(i).name() + ":" + fmt(top.get(i).nanos() / 1e9) + "s");
      }
    } finally {
      sd.setListeners();
    }
  }

  /** User + system CPU seconds of this process so far (/proc/self/stat, clock ticks of 1/100 s). */
  static double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // fields 14 and 15 of proc(5)
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** VmHWM (peak resident set) of this process in kB, or -1 when /proc is not there. */
  static long peakRssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + "/" + f[1] + "/" + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
