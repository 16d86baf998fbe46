package org.jbert.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.KernelGraphs;
import org.jbert.core.kernels.KernelCheck;
import org.jbert.core.kernels.KernelRuntime;
import org.jbert.core.kernels.KernelSession;
import org.jbert.core.kernels.Kernels;
import org.jbert.core.kernels.Nd4jKernels;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each fused kernel against today's ops on the same arrays, BERT shapes (B x T rows): the unfused SameDiff chain
 * {@link org.jbert.core.graph.BertGraph} builds ({@code graph}), the fused op on libnd4j's eager kernels
 * ({@code libnd4j}) and on the selected kernel path ({@code onednn} when it loads). A plain timed harness (JMH does
 * not fit ops that allocate natively and take 5-200 ms): per variant one warm-up, then runs until both 5 runs and
 * 1.5 s are reached; medians, and ratios graph/fused measured in the same run, interleaved so all see the same load.
 *
 * <p>Figures, per kernel (attention, dense_gelu [K,H]x[H,I] with the config's activation, dense [K,I]x[I,H],
 * layer_norm with residual): {@code kernel_<name>_<variant>_ms} and {@code kernel_<name>_speedup} (graph over the
 * selected path), and {@code kernel_<name>_max_abs_diff} (selected path vs graph).
 */
final class KernelBenchmark {
  private KernelBenchmark() {}

  /** Runs the four kernels at B x t rows and puts the figures into {@code res}. */
  static void run(BertConfig c, int b, int t, BenchResults res, PrintWriter log) {
    Kernels selected = KernelRuntime.selected();
    res.put("kernels_path_is_onednn", selected instanceof Nd4jKernels ? 0 : 1);
    if (selected instanceof Nd4jKernels) {
      res.note("kernels: the libnd4j path is selected (JBERT_KERNELS or no jbert-onednn); the fused figures are "
          + "libnd4j's eager kernels");
    }
    int h = c.hiddenSize();
    int i = c.intermediateSize();
    int rows = b * t;
    Nd4j.getRandom().setSeed(BenchRun.SEED);
    Map<String, INDArray> att = new LinkedHashMap<>();
    for (String n : List.of("q", "k", "v")) att.put(n, Nd4j.rand(DataType.FLOAT, rows, h).subi(0.5));
    INDArray mask = Nd4j.zeros(DataType.FLOAT, b, 1, 1, t);
    mask.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(t / 2, t)).assign(-10000);
    att.put("mask", mask);
    int n = c.numAttentionHeads();
    one("attention", fused -> KernelGraphs.attention(n, h, fused), att, selected, res, log);
    one("dense_gelu", fused -> KernelGraphs.dense(h, i, c.hiddenAct(), fused), denseInputs(rows, h, i), selected,
        res, log);
    one("dense", fused -> KernelGraphs.dense(i, h, null, fused), denseInputs(rows, i, h), selected, res, log);
    Map<String, INDArray> ln = new LinkedHashMap<>();
    ln.put("x", Nd4j.rand(DataType.FLOAT, rows, h));
    ln.put("r", Nd4j.rand(DataType.FLOAT, rows, h));
    ln.put("gamma", Nd4j.rand(DataType.FLOAT, h));
    ln.put("beta", Nd4j.rand(DataType.FLOAT, h));
    one("layer_norm", fused -> KernelGraphs.layerNorm(h, c.layerNormEps(), fused), ln, selected, res, log);
  }

  private static Map<String, INDArray> denseInputs(int rows, int in, int out) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put("x", Nd4j.rand(DataType.FLOAT, rows, in).subi(0.5));
    m.put("w", Nd4j.rand(DataType.FLOAT, in, out).subi(0.5).muli(0.1));
    m.put("b", Nd4j.rand(DataType.FLOAT, out));
    return m;
  }

  /** Times graph, libnd4j-fused and selected-fused interleaved on the same placeholders. */
  private static void one(String name, java.util.function.Function<Boolean, SameDiff> build,
      Map<String, INDArray> ph, Kernels selected, BenchResults res, PrintWriter log) {
    long tid = Thread.currentThread().getId();
    SameDiff graph = build.apply(false);
    SameDiff fusedNd4j = build.apply(true);
    SameDiff fusedSel = build.apply(true);
    fusedNd4j.getSessions().put(tid, new KernelSession(fusedNd4j, Nd4jKernels.INSTANCE));
    fusedSel.getSessions().put(tid, new KernelSession(fusedSel, selected));
    String[] labels = {"graph", Nd4jKernels.NAME, selected.name()};
    SameDiff[] graphs = {graph, fusedNd4j, fusedSel};
    if (selected instanceof Nd4jKernels) {
      labels = Arrays.copyOf(labels, 2);
      graphs = Arrays.copyOf(graphs, 2);
    }
    List<List<Double>> times = new ArrayList<>();
    INDArray ref = null;
    INDArray sel = null;
    for (int g = 0; g < graphs.length; g++) {
      times.add(new ArrayList<>());
      INDArray o = graphs[g].output(ph, KernelGraphs.OUT).get(KernelGraphs.OUT); // warm-up
      if (g == 0) ref = o.dup();
      if (g == graphs.length - 1) sel = o.dup();
    }
    long start = System.nanoTime();
    while (times.get(0).size() < 5 || System.nanoTime() - start < 1_500_000_000L) {
      for (int g = 0; g < graphs.length; g++) {
        long t0 = System.nanoTime();
        INDArray o = graphs[g].output(ph, KernelGraphs.OUT).get(KernelGraphs.OUT);
        times.get(g).add((System.nanoTime() - t0) / 1e6);
        if (o.closeable()) o.close();
      }
      if (times.get(0).size() >= 50) break;
    }
    StringBuilder line = new StringBuilder("kernel " + name + ":");
    double[] med = new double[graphs.length];
    for (int g = 0; g < graphs.length; g++) {
      med[g] = median(times.get(g));
      res.put("kernel_" + name + "_" + labels[g].replace("libnd4j", "libnd4j_fused") + "_ms", med[g]);
      line.append(String.format(Locale.ROOT, " %s %.2f ms,", labels[g], med[g]));
    }
    double speedup = med[0] / med[graphs.length - 1];
    double diff = KernelCheck.maxAbs(ref, sel);
    res.put("kernel_" + name + "_speedup", speedup);
    res.put("kernel_" + name + "_max_abs_diff", diff);
    log.printf(Locale.ROOT, "%s graph/%s %.2fx, max |diff| %.2e (medians of %d)%n", line, selected.name(), speedup,
        diff, times.get(0).size());
    log.flush();
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
