package org.jbert.core.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.kernels.KernelRuntime;
import org.jbert.core.kernels.Kernels;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.ImportClassMapping;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * A jbert op that no libnd4j op implements: {@link org.jbert.core.kernels.KernelSession} runs it through a
 * {@link Kernels} (oneDNN, or eager libnd4j ops). Built only into graphs that ask for fused ops
 * ({@link BertGraph#build(SameDiff, org.jbert.core.config.BertConfig, DataType, boolean, MatmulPrecision, boolean)}),
 * and building one binds the session factory ({@link KernelRuntime#install()}). Executed outside that session (by
 * SameDiff's own), it fails with a JbertException naming the op.
 *
 * <p>One output, of the first input's data type; integer and floating-point arguments are the only properties. The
 * gradient ({@link #doDiff}) is built from standard SameDiff ops on the inputs.
 */
public abstract class FusedOp extends DynamicCustomOp {
  /** For SameDiff's reflection (subclasses' no-argument constructors). */
  protected FusedOp() {}

  protected FusedOp(SameDiff sd, SDVariable[] args) {
    super(null, sd, args);
    KernelRuntime.install();
  }

  /**
   * Computes the output on {@code kernels}.
   *
   * @param in the op's inputs in graph order
   * @param out the allocated output
   * @return false when these kernels decline the arrays (nothing written)
   */
  public abstract boolean run(Kernels kernels, List<INDArray> in, INDArray out);

  /** The output shape for these inputs. */
  protected abstract long[] outputShape(List<INDArray> in);

  @Override
  public List<LongShapeDescriptor> calculateOutputShape(OpContext ctx) {
    List<INDArray> in = ctx.getInputArrays();
    return List.of(LongShapeDescriptor.fromShape(outputShape(in), in.get(0).dataType()));
  }

  @Override
  public List<LongShapeDescriptor> calculateOutputShape() {
    List<INDArray> in = new ArrayList<>(inputArguments());
    if (in.isEmpty() || in.contains(null)) {
      throw new JbertException(opName() + ": output shape asked for without input arrays");
    }
    return List.of(LongShapeDescriptor.fromShape(outputShape(in), in.get(0).dataType()));
  }

  @Override
  public int getNumOutputs() {
    return 1;
  }

  @Override
  public List<DataType> calculateOutputDataTypes(List<DataType> in) {
    return List.of(in.get(0));
  }

  @Override
  public Map<String, Object> propertiesForFunction() {
    return Map.of();
  }

  @Override
  public void setPropertiesForFunction(Map<String, Object> properties) {}

  /** There is no native op behind this one: executing it outside a KernelSession fails here. */
  @Override
  public long opHash() {
    throw notInSession();
  }

  @Override
  public CustomOpDescriptor getDescriptor() {
    throw notInSession();
  }

  private JbertException notInSession() {
    return new JbertException(opName() + " is a jbert fused op: run its graph in a KernelSession "
        + "(KernelRuntime.install() before the first output) or build it with JBERT_KERNELS=libnd4j");
  }

  /** "[4096,768] FLOAT, [768,3072] FLOAT, ..." for log lines and errors. */
  public static String describe(List<INDArray> in) {
    StringBuilder s = new StringBuilder();
    for (INDArray a : in) {
      if (s.length() > 0) s.append(", ");
      s.append(a == null ? "null" : Arrays.toString(a.shape()).replace(" ", "") + " " + a.dataType());
    }
    return s.toString();
  }

  /** Adds {@code op} to ND4J's name-to-op table so that SameDiff's clones (gradient graph) recreate its class. */
  static void register(FusedOp op) {
    synchronized (FusedOp.class) {
      ImportClassMapping.getOpNameMapping().putIfAbsent(op.opName(), op);
    }
  }
}
