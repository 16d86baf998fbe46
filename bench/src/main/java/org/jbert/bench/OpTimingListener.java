package org.jbert.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Wall time of every op SameDiff executes during inference, summed per op type (the op's SameDiff opName, e.g.
 * {@code matmul}, {@code softmax}) and per op. nd4j on CPU runs each op synchronously, so the time between
 * {@code preOpExecution} and {@code opExecution} is the op's execution including its output allocation; whatever
 * the batch takes beyond the sum is SameDiff's own scheduling overhead.
 */
public final class OpTimingListener extends BaseListener {
  /** Totals for one op type or op. */
  public record Stat(String name, long calls, long nanos) {}

  private static final java.util.regex.Pattern LAYER = java.util.regex.Pattern.compile("layer_\\d+");
  private final Map<String, long[]> byType = new HashMap<>();
  private final Map<String, long[]> byOp = new HashMap<>();
  private long start;

  @Override
  public boolean isActive(Operation operation) {
    return true;
  }

  @Override
  public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
    start = System.nanoTime();
  }

  @Override
  public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
      INDArray[] outputs) {
    long dt = System.nanoTime() - start;
    String type = op.getOp().opName();
    long[] t = byType.computeIfAbsent(type, k -> new long[2]);
    t[0]++;
    t[1] += dt;
    long[] o = byOp.computeIfAbsent(LAYER.matcher(op.getName()).replaceAll("layer_*"), k -> new long[2]);
    o[0]++;
    o[1] += dt;
  }

  /** Per op type, most time first. */
  public List<Stat> byType() {
    return sorted(byType);
  }

  /** Per op (by its name in the graph, the layer index replaced by {@code *}: summed over layers), most time first. */
  public List<Stat> byOp() {
    return sorted(byOp);
  }

  /** The summed time of all ops, in nanoseconds. */
  public long totalNanos() {
    return byType.values().stream().mapToLong(v -> v[1]).sum();
  }

  public void reset() {
    byType.clear();
    byOp.clear();
  }

  /** A table of the first {@code n} entries with their share of the op total. */
  public String table(List<Stat> stats, int n) {
    long total = Math.max(1, totalNanos());
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-48s %6s %10s %7s%n", "op", "calls", "ms",
        "share"));
    for (Stat s : stats.subList(0, Math.min(n, stats.size()))) {
      sb.append(String.format(Locale.ROOT, "%-48s %6d %10.1f %6.1f%%%n", s.name(), s.calls(), s.nanos() / 1e6,
          100.0 * s.nanos() / total));
    }
    return sb.toString();
  }

  private static List<Stat> sorted(Map<String, long[]> m) {
    List<Stat> out = new ArrayList<>();
    m.forEach((k, v) -> out.add(new Stat(k, v[0], v[1])));
    out.sort((a, b) -> Long.compare(b.nanos(), a.nanos()));
    return out;
  }
}
