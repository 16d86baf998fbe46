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
 * <p>Outputs of the first input's data type ({@link #outputShapes}: one for the forward ops, one per differentiable
 * input for their gradient ops); integer and floating-point arguments are the only properties. A forward op's
 * gradient ({@link #doDiff}) is a fused gradient op of its own, so the backward pass runs through the kernels too.
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
   * @param out the allocated outputs, in the order of {@link #outputShapes}
   * @return false when these kernels decline the arrays (nothing written)
   */
  public abstract boolean run(Kernels kernels, List<INDArray> in, List<INDArray> out);

  /** The output shapes for these inputs (their number is {@link #getNumOutputs()}). */
  protected abstract List<long[]> outputShapes(List<INDArray> in);

  @Override
  public List<LongShapeDescriptor> calculateOutputShape(OpContext ctx) {
    return descriptors(ctx.getInputArrays());
  }

  private List<LongShapeDescriptor> descriptors(List<INDArray> in) {
    List<LongShapeDescriptor> d = new ArrayList<>();
    for (long[] shape : outputShapes(in)) d.add(LongShapeDescriptor.fromShape(shape, in.get(0).dataType()));
    return d;
  }

  @Override
  public List<LongShapeDescriptor> calculateOutputShape() {
    List<INDArray> in = new ArrayList<>(inputArguments());
    if (in.isEmpty() || in.contains(null)) {
      throw new JbertException(opName() + ": output shape asked for without input arrays");
    }
    return descriptors(in);
  }

  /** One for the forward ops; gradient ops override it. */
  @Override
  public int getNumOutputs() {
    return 1;
  }

  @Override
  public List<DataType> calculateOutputDataTypes(List<DataType> in) {
    return java.util.Collections.nCopies(getNumOutputs(), in.get(0));
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

  /** The gradient ops are not differentiated again (no second derivatives in jbert). */
  static List<SDVariable> noSecondDerivative(FusedOp op) {
    throw new JbertException(op.opName() + " has no gradient (second derivatives are not supported)");
  }

  /** Adds {@code op} to ND4J's name-to-op table so that SameDiff's clones (gradient graph) recreate its class. */
  static void register(FusedOp op) {
    synchronized (FusedOp.class) {
      ImportClassMapping.getOpNameMapping().putIfAbsent(op.opName(), op);
    }
  }
}
