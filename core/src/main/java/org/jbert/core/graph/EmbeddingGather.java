package org.jbert.core.graph;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.ImportClassMapping;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row lookup {@code table[ids]} along axis 0 whose backward pass is an unsorted segment sum of the incoming gradient
 * into the table's rows. Forward it runs the native {@code gather} op.
 *
 * <p>Why not {@link Gather}: its backward in SameDiff 1.0.0-M2.1 builds a while loop whose sub-graph name collides as
 * soon as the graph holds more than one gather, failing with "Unable to replace samediff namespace" (the failure seen
 * in {@code fit}). SameDiff builds the gradient graph from serialized clones of every op and finds each op's Java
 * class by the native op hash, which would turn this class back into a plain Gather; so this op has its own
 * {@link #opName()} and is registered once, under that name, beside Gather in ND4J's class table.
 *
 * <p>Shapes: table [R,H], ids [K] int, output [K,H]; gradient for the table [R,H], zeros for the ids.
 */
public class EmbeddingGather extends DynamicCustomOp {
  /** The Java-side op name (the native op executed is {@code gather}). */
  public static final String OP_NAME = "jbert_embedding_gather";
  private static final String NATIVE = "gather";

  static {
    register();
  }

  /** For SameDiff's reflection only. */
  public EmbeddingGather() {}

  EmbeddingGather(SameDiff sd, SDVariable table, SDVariable ids) {
    super(null, sd, new SDVariable[] {table, ids});
    addIArgument(0);
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public long opHash() {
    return Nd4j.getExecutioner().getCustomOperations().get(NATIVE).getHash();
  }

  @Override
  public CustomOpDescriptor getDescriptor() {
    return Nd4j.getExecutioner().getCustomOperations().get(NATIVE);
  }

  /** The axis (0) travels as an integer argument; there are no other properties to serialize. */
  @Override
  public Map<String, Object> propertiesForFunction() {
    return Map.of();
  }

  @Override
  public void setPropertiesForFunction(Map<String, Object> properties) {}

  @Override
  public int getNumOutputs() {
    return 1;
  }

  @Override
  public List<DataType> calculateOutputDataTypes(List<DataType> in) {
    return List.of(in.get(0));
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    SDVariable rows = sameDiff.castTo(sameDiff.sizeAt(arg(0), 0), DataType.INT);
    SDVariable g = sameDiff.unsortedSegmentSum(grads.get(0), arg(1), rows);
    return List.of(g, sameDiff.zerosLike(arg(1)));
  }

  /**
   * Adds this op to ND4J's name-to-op table (public API, {@link ImportClassMapping#getOpNameMapping()}), so that
   * SameDiff's serialize-and-clone of the graph (done when building gradients) recreates this class by its name.
   */
  private static synchronized void register() {
    ImportClassMapping.getOpNameMapping().putIfAbsent(OP_NAME, new EmbeddingGather());
  }
}
