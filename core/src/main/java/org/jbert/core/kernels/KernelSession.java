package org.jbert.core.kernels;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jbert.core.JbertException;
import org.jbert.core.graph.FusedOp;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.config.ExecutionResult;
import org.nd4j.autodiff.samediff.config.SDValue;
import org.nd4j.autodiff.samediff.internal.AbstractSession.VarId;
import org.nd4j.autodiff.samediff.internal.FrameIter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SameDiff's inference session with jbert's fused ops ({@link FusedOp}) run by a {@link Kernels}; every other op
 * goes to SameDiff as usual. By the time {@link #doExec} is called, SameDiff has set the op's inputs and allocated
 * its output (from {@link FusedOp#calculateOutputShape(OpContext)}) in its memory manager, so batch size and
 * sequence length stay dynamic.
 *
 * <p>When the kernels decline an op (a shape or data type they cannot take), {@link Nd4jKernels} runs it and one line
 * is logged per op kind, shapes and type; results are never approximated.
 */
public class KernelSession extends JbertSession {
  private static final Logger LOG = LoggerFactory.getLogger(KernelSession.class);
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
  private static final Map<String, LongAdder> RUNS = new ConcurrentHashMap<>();
  private final Kernels kernels;

  public KernelSession(SameDiff sd, Kernels kernels) {
    super(sd);
    this.kernels = kernels;
  }

  /** The kernels this session runs. */
  public Kernels kernels() {
    return kernels;
  }

  @Override
  public ExecutionResult doExec(DifferentialFunction op, OpContext ctx, FrameIter outputFrameIter,
      Set<VarId> opInputs, Set<VarId> allIterInputs, Set<String> constAndPhInputs,
      Map<String, SDValue> otherPlaceHolders) {
    if (!(op instanceof FusedOp fused)) {
      return super.doExec(op, ctx, outputFrameIter, opInputs, allIterInputs, constAndPhInputs, otherPlaceHolders);
    }
    run(fused, kernels, ctx.getInputArrays(), ctx.getOutputArrays());
    return ExecutionResult.createFrom(op, ctx);
  }

  /**
   * Runs {@code op} on {@code kernels}, or on {@link Nd4jKernels} when they decline it (one logged line per op kind,
   * shapes and type).
   */
  public static void run(FusedOp op, Kernels kernels, List<INDArray> in, List<INDArray> out) {
    if (op.run(kernels, in, out)) {
      RUNS.computeIfAbsent(kernels.name(), n -> new LongAdder()).increment();
      return;
    }
    String what = op.opName() + " " + FusedOp.describe(in);
    if (LOGGED.add(kernels.name() + " " + what)) {
      LOG.warn("{} kernels cannot run {}; using libnd4j's", kernels.name(), what);
    }
    RUNS.computeIfAbsent(Nd4jKernels.NAME + " (fallback)", n -> new LongAdder()).increment();
    if (!op.run(Nd4jKernels.INSTANCE, in, out)) {
      throw new JbertException(op.opName() + ": no kernel takes " + FusedOp.describe(in)
          + "; expected floating-point arrays");
    }
  }

  /**
   * How many fused ops each kernel path ran in this JVM ({@code onednn}, {@code libnd4j}, {@code libnd4j (fallback)}),
   * in name order: the eval report's and bench's record of the path that ran.
   */
  public static Map<String, Long> runs() {
    Map<String, Long> m = new TreeMap<>();
    RUNS.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** The number of distinct fallbacks logged in this JVM (for tests and reports). */
  public static int fallbacksLogged() {
    return LOGGED.size();
  }
}
