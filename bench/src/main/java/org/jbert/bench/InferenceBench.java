package org.jbert.bench;

import static org.jbert.bench.BenchRun.SEED;
import static org.jbert.bench.BenchRun.SEQ_LEN;


import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.graph.MatmulPrecision;
import org.jbert.core.io.JsonLines;
import org.jbert.core.model.Bert;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.RowBatches;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.core.weights.SavedModelSource;
import org.jbert.eval.data.EvalTexts;
import org.jbert.tf.TfReference;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The inference phases of {@link BenchRun}: dense batches (float32, and bf16 dense products where nd4j has a fast
 * path), an optional op profile, and real texts with length bucketing, each against TensorFlow running the same
 * SavedModel in this JVM.
 */
final class InferenceBench {
  private static final String[] FETCH = {BertGraph.SEQUENCE_OUTPUT, BertGraph.POOLED_OUTPUT};

  private InferenceBench() {}

  static void run(BenchRun.Options o, Path folder, BertConfig config, BenchResults res, PrintWriter log) {
    try (Bert bert = Bert.load(o.model()); TfReference tf = loadTf(o, folder, res, log)) {
      SameDiff sd = bert.model().sameDiff();
      BertGraph.setTraining(sd, false);
      if (o.phases().contains(BenchRun.Phase.INFERENCE)) {
        try (Bert bf16 = loadBf16(o, res)) {
          dense(o, config, sd, bf16 == null ? null : bf16.model().sameDiff(), tf, res, log);
        }
      }
      if (o.phases().contains(BenchRun.Phase.REALTEXT)) realTexts(o, bert, tf, res, log);
    }
  }

  /** TensorFlow on the model's SavedModel, or null (with a note) when TF is off or the folder holds none. */
  private static TfReference loadTf(BenchRun.Options o, Path folder, BenchResults res, PrintWriter log) {
    if (!o.tf()) return null;
    if (!Files.isRegularFile(folder.resolve(SavedModelSource.GRAPH_FILE))) {
      res.note("TensorFlow was not run: " + folder + " holds no " + SavedModelSource.GRAPH_FILE + " (TF Java runs "
          + "TF SavedModels, e.g. bert-base-uncased); the ratios to TF are nan");
      return null;
    }
    TfReference tf = TfReference.load(folder);
    if (tf.seqLen() > 0 && tf.seqLen() != SEQ_LEN) {
      tf.close();
      res.note("TensorFlow was not run: the SavedModel takes T=" + tf.seqLen() + ", the benchmark T=" + SEQ_LEN);
      return null;
    }
    log.println("TensorFlow: " + folder);
    return tf;
  }

  /**
   * The same model with bf16 dense products ({@link MatmulPrecision#BF16}), or null with a note where nd4j has no
   * fast bf16 matmul (a 256^3 probe under 5 GFLOP/s: the generic build) or {@code --no-bf16} says so.
   */
  private static Bert loadBf16(BenchRun.Options o, BenchResults res) {
    if (!o.bf16()) return null;
    double probe = Sgemm.matmulOp(256, 256, 256, org.nd4j.linalg.api.buffer.DataType.BFLOAT16).gflops();
    if (probe < 5) {
      res.note(String.format(Locale.ROOT, "bf16 inference not measured: bf16 matmul runs at %.1f GFLOP/s in this "
          + "nd4j-native build (no fast path)", probe));
      return null;
    }
    Bert b = Bert.load(o.model(), MatmulPrecision.BF16);
    BertGraph.setTraining(b.model().sameDiff(), false);
    return b;
  }

  /**
   * Dense B x T batches, every token real: jbert, jbert with bf16 products (when {@code bf16} is not null) and TF
   * alternating. The warm-up outputs give the bf16 model's error against float32 jbert and against TF.
   */
  private static void dense(BenchRun.Options o, BertConfig config, SameDiff sd, SameDiff bf16, TfReference tf,
      BenchResults res, PrintWriter log) {
    int b = o.batch();
    Random rnd = new Random(SEED);
    int[][] ids = RandomInputs.randomIds(b, SEQ_LEN, config.vocabSize(), rnd);
    int[][] mask = RandomInputs.ones(b, SEQ_LEN);
    int[][] types = new int[b][SEQ_LEN];
    Run jw = jbert(sd, ids, mask, types);
    Run bw = bf16 == null ? null : jbert(bf16, ids, mask, types);
    Run tw = tf == null ? null : tfRun(tf, ids, mask, types);
    log.printf(Locale.ROOT, "dense inference B=%d T=%d warm-up: jbert %.3f s, jbert bf16 %s, TF %s%n", b, SEQ_LEN,
        jw.seconds(), secs(bw == null ? Double.NaN : bw.seconds()), secs(tw == null ? Double.NaN : tw.seconds()));
    if (tw != null) {
      res.put("inference_sequence_max_abs_diff_vs_tf", maxAbsDiff(jw.sequence(), tw.sequence()));
    }
    if (bw != null) {
      res.put("inference_bf16_sequence_max_abs_diff_vs_fp32", maxAbsDiff(bw.sequence(), jw.sequence()));
      res.put("inference_bf16_pooled_max_abs_diff_vs_fp32", maxAbsDiff(bw.pooled(), jw.pooled()));
      if (tw != null) res.put("inference_bf16_sequence_max_abs_diff_vs_tf", maxAbsDiff(bw.sequence(), tw.sequence()));
    }
    double js = 0;
    double bs = 0;
    double ts = 0;
    for (int r = 1; r <= o.inferenceBatches(); r++) {
      double j = jbert(sd, ids, mask, types).seconds();
      double jb = bf16 == null ? Double.NaN : jbert(bf16, ids, mask, types).seconds();
      double t = tf == null ? Double.NaN : tfRun(tf, ids, mask, types).seconds();
      js += j;
      bs += jb;
      ts += t;
      log.printf(Locale.ROOT, "dense inference round %d/%d: jbert %.3f s, jbert bf16 %s, TF %s%n", r,
          o.inferenceBatches(), j, secs(jb), secs(t));
      log.flush();
    }
    double n = (double) o.inferenceBatches() * b;
    double jps = n / js;
    double bps = n / bs;
    double tps = n / ts;
    double gflopPerSeq = Flops.inferenceForward(config, 1, SEQ_LEN) / 1e9;
    res.put("inference_vs_tf", jps / tps);
    res.put("inference_jbert_seq_per_s", jps);
    res.put("inference_tf_seq_per_s", tps);
    res.put("inference_jbert_gflops", jps * gflopPerSeq);
    res.put("inference_tf_gflops", tps * gflopPerSeq);
    res.put("inference_bf16_vs_tf", bps / tps);
    res.put("inference_bf16_jbert_seq_per_s", bps);
    if (o.profile()) {
      profile("", sd, ids, mask, types, res, log);
      if (bf16 != null) profile("bf16_", bf16, ids, mask, types, res, log);
    }
  }

  /** One more jbert batch under {@link OpTimingListener}: where the time goes, by op type and by op. */
  private static void profile(String prefix, SameDiff sd, int[][] ids, int[][] mask, int[][] types,
      BenchResults res, PrintWriter log) {
    OpTimingListener l = new OpTimingListener();
    sd.setListeners(l);
    try {
      double s = jbert(sd, ids, mask, types).seconds();
      double inside = l.totalNanos() / 1e9;
      log.printf(Locale.ROOT, "profile of one dense batch%s: %.3f s, %.3f s inside ops (%.1f%%)%n",
          prefix.isEmpty() ? "" : " (bf16 products)", s, inside, 100 * inside / s);
      log.print("by op type:\n" + l.table(l.byType(), 25));
      log.print("by op (summed over layers):\n" + l.table(l.byOp(), 60));
      log.flush();
      res.put("inference_" + prefix + "profile_inside_ops_fraction", inside / s);
    } finally {
      sd.setListeners();
    }
  }

  private static String secs(double s) {
    return Double.isNaN(s) ? "not run" : String.format(Locale.ROOT, "%.3f s", s);
  }

  /** One timed run, its pooled output [b,H] and sequence output [b,T,H], row-major. */
  private record Run(double seconds, float[] pooled, float[] sequence) {}

  /** One jbert batch: placeholders in, sequence_output and pooled_output out as Java arrays; timed whole. */
  private static Run jbert(SameDiff sd, int[][] ids, int[][] mask, int[][] types) {
    long t0 = System.nanoTime();
    Map<String, INDArray> ph = BertModel.placeholders(ids, mask, types);
    Map<String, INDArray> out = sd.output(ph, FETCH);
    float[] seq = floats(out.get(BertGraph.SEQUENCE_OUTPUT));
    float[] pooled = floats(out.get(BertGraph.POOLED_OUTPUT));
    double s = (System.nanoTime() - t0) / 1e9;
    for (INDArray a : out.values()) if (!a.wasClosed()) a.close();
    ph.values().forEach(INDArray::close);
    if (seq.length == 0) throw new IllegalStateException("empty sequence output");
    return new Run(s, pooled, seq);
  }

  private static float[] floats(INDArray a) {
    try (INDArray c = a.dup('c')) {
      return c.data().asFloat();
    }
  }

  /** One TF batch: tensors in, sequence_output and pooled_output out as Java arrays; timed whole. */
  private static Run tfRun(TfReference tf, int[][] ids, int[][] mask, int[][] types) {
    long t0 = System.nanoTime();
    TfReference.Outputs o = tf.run(ids, mask, types, false);
    return new Run((System.nanoTime() - t0) / 1e9, o.pooled(), o.sequence());
  }

  /** The real texts: --texts-file's "text" fields, else SpamAssassin sentences (every 7th email); at most N. */
  static List<String> texts(BenchRun.Options o) {
    if (o.textsFile() == null) return EvalTexts.emailSentences(o.texts(), 7);
    List<String> out = new ArrayList<>();
    try (JsonLines in = JsonLines.open(o.textsFile())) {
      in.forEach(line -> {
        if (out.size() < o.texts()) out.add(line.requireText("text"));
      });
    }
    if (out.isEmpty()) throw new JbertException(o.textsFile() + ": no texts; expected JSON Lines with \"text\"");
    return out;
  }

  /**
   * Real texts three ways: TF fixed 128 in input order (TF Hub style), jbert the same way, jbert with dynamic
   * padding and length bucketing. Pooled outputs are compared (bucketing must not change them).
   */
  private static void realTexts(BenchRun.Options o, Bert bert, TfReference tf, BenchResults res, PrintWriter log) {
    List<String> texts = texts(o);
    int n = texts.size();
    int b = o.batch();
    int h = bert.config().hiddenSize();
    Features fixed = new Preprocessor(bert.tokenizer(), SEQ_LEN, false).encode(texts);
    Features dynamic = new Preprocessor(bert.tokenizer(), SEQ_LEN, true).encode(texts);
    List<RowBatches.Batch> fixedBatches = RowBatches.of(fixed, b, false);
    List<RowBatches.Batch> buckets = RowBatches.of(dynamic, b, true);
    long realTokens = 0;
    for (int[] m : fixed.inputMask()) realTokens += RowBatches.realLength(m);
    long bucketCells = 0;
    for (RowBatches.Batch x : buckets) bucketCells += (long) x.size() * x.length();
    log.printf(Locale.ROOT, "real texts: %d, %.1f tokens on average; fixed %d: %d cells, bucketed: %d cells%n", n,
        (double) realTokens / n, SEQ_LEN, (long) n * SEQ_LEN, bucketCells);
    log.flush();
    SameDiff sd = bert.model().sameDiff();
    // Warm-up at every shape about to run. SameDiff's first run at a new shape costs extra, so the bucketed pass runs
    // once first, timed apart as the cold figure; a long-running service pays that once per length, then runs warm.
    double coldSeconds = 0;
    for (RowBatches.Batch x : buckets) coldSeconds += jbert(sd, x.inputWordIds(), x.inputMask(), x.inputTypeIds())
        .seconds();
    RowBatches.Batch f0 = fixedBatches.get(0);
    jbert(sd, f0.inputWordIds(), f0.inputMask(), f0.inputTypeIds());
    if (tf != null) tfRun(tf, f0.inputWordIds(), f0.inputMask(), f0.inputTypeIds());

    float[] tfPooled = new float[n * h];
    float[] fixedPooled = new float[n * h];
    float[] bucketPooled = new float[n * h];
    // TF and jbert at fixed 128 batch by batch, alternating, so both see the same machine load.
    double tfSeconds = 0;
    double fixedSeconds = 0;
    for (RowBatches.Batch x : fixedBatches) {
      if (tf != null) {
        Run t = tfRun(tf, x.inputWordIds(), x.inputMask(), x.inputTypeIds());
        tfSeconds += t.seconds();
        scatter(t.pooled(), x.rows(), h, tfPooled);
      }
      Run r = jbert(sd, x.inputWordIds(), x.inputMask(), x.inputTypeIds());
      fixedSeconds += r.seconds();
      scatter(r.pooled(), x.rows(), h, fixedPooled);
    }
    log.printf(Locale.ROOT, "real texts fixed %d: TF %s, jbert %.3f s%n", SEQ_LEN, tf == null ? "not run"
        : String.format(Locale.ROOT, "%.3f s", tfSeconds), fixedSeconds);
    double bucketSeconds = 0;
    for (RowBatches.Batch x : buckets) {
      Run r = jbert(sd, x.inputWordIds(), x.inputMask(), x.inputTypeIds());
      bucketSeconds += r.seconds();
      scatter(r.pooled(), x.rows(), h, bucketPooled);
    }
    log.printf(Locale.ROOT, "real texts jbert bucketed: %.3f s%n", bucketSeconds);
    log.flush();
    double tfRate = tf == null ? Double.NaN : n / tfSeconds;
    double bucketRate = n / bucketSeconds;
    res.put("realtext_vs_tf_fixed128", bucketRate / tfRate);
    res.put("realtext_texts", n);
    res.put("realtext_mean_tokens", (double) realTokens / n);
    res.put("realtext_bucketed_cells_fraction", (double) bucketCells / ((double) n * SEQ_LEN));
    res.put("realtext_tf_fixed128_seq_per_s", tfRate);
    res.put("realtext_jbert_fixed128_seq_per_s", n / fixedSeconds);
    res.put("realtext_jbert_bucketed_seq_per_s", bucketRate);
    res.put("realtext_jbert_bucketed_cold_seq_per_s", n / coldSeconds);
    res.put("realtext_bucketing_speedup", fixedSeconds / bucketSeconds);
    res.put("realtext_pooled_max_abs_diff_bucketed_vs_fixed", maxAbsDiff(bucketPooled, fixedPooled));
    res.put("realtext_pooled_max_abs_diff_vs_tf", tf == null ? Double.NaN : maxAbsDiff(bucketPooled, tfPooled));
  }

  private static void scatter(float[] pooled, int[] rows, int h, float[] dst) {
    for (int k = 0; k < rows.length; k++) System.arraycopy(pooled, k * h, dst, rows[k] * h, h);
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }
}
