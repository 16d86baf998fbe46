package org.jbert.core.graph;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterAdd;
import org.nd4j.linalg.api.ops.impl.shape.Gather;

/**
 * Row lookup {@code table[ids]} along axis 0 whose backward pass adds the incoming gradient rows into the table's rows
 * ({@code scatter_add} into zeros, one thread). Forward it runs the native {@code gather} op.
 *
 * <p>Why not {@code unsorted_segment_sum} (SameDiff's choice, and jbert's until this was found): libnd4j M2.1's
 * {@code unsortedSegmentSumFunctor} leaks native memory on every call, ~2.5 times the size of the incoming gradient
 * (a loop of 500 calls with [2048,256] rows: resident set +5 MB a call after {@code malloc_trim}; jemalloc's heap
 * profile points at {@code NDArray::allTensorsAlongDimension} inside it), which was the resident-set growth of every
 * training step. {@code scatter_add} does not (flat over the same loop). Its boolean argument {@code lock} must be
 * true: without it the rows are added by several threads at once and repeated ids lose updates (measured: sums off
 * by up to 450 of 1,037 with 2 threads); with it they are added in order, one thread.
 *
 * <p>Why not {@link Gather}: its backward in SameDiff 1.0.0-M2.1 builds the scatter with a while loop
 * ({@code SDVariable.put}) that fails with "Unable to replace samediff namespace" (seen here with BERT's three
 * embedding lookups, in both {@code calculateGradients} and {@code fit}). Why not a Gather subclass: SameDiff builds
 * the gradient graph from serialized clones of every op and recreates each op's Java class from its op name, so a
 * subclass named "gather" comes back as a plain Gather. Hence this op has its own {@link #opName()}, registered once
 * in ND4J's op-name table ({@link #register()}), and only borrows gather's native hash and descriptor
 * ({@link NativeAliasOp}). Call
 * {@link #register()} before {@code SameDiff.load} of a serialized graph that holds this op (building a graph
 * registers it already).
 *
 * <p>Shapes: table [R,H], ids [K] int, output [K,H]; gradient for the table [R,H], zeros for the ids.
 */
public class EmbeddingGather extends NativeAliasOp {
  /** The Java-side op name (the native op executed is {@code gather}). */
  public static final String OP_NAME = "jbert_embedding_gather";
  private static final String NATIVE = "gather";

  static {
    register();
  }

  /** For SameDiff's reflection only. */
  public EmbeddingGather() {
    super(NATIVE);
  }

  EmbeddingGather(SameDiff sd, SDVariable table, SDVariable ids) {
    super(NATIVE, sd, new SDVariable[] {table, ids});
    addIArgument(0); // axis
  }

  @Override
  public String opName() {
    return OP_NAME;
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    ScatterAdd add = new ScatterAdd(sameDiff, sameDiff.zerosLike(arg(0)), arg(1), grads.get(0));
    add.addBArgument(true); // lock: rows added in order by one thread, so repeated ids add up exactly
    return List.of(add.outputVariable(), sameDiff.zerosLike(arg(1)));
  }

  /**
   * Adds this op to ND4J's name-to-op table, so that SameDiff's serialize-and-clone of the graph (done when building
   * gradients) recreates this class by its name.
   */
  public static void register() {
    NativeAliasOp.register(new EmbeddingGather());
  }
}
