package org.jbert.core.graph;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.ImportClassMapping;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A one-output custom op that runs an existing libnd4j declarable op under its own Java-side name, so that it can
 * bring its own {@link #doDiff} (SameDiff builds the gradient graph from serialized clones of every op and recreates
 * each op's Java class from its op name: a subclass that kept the native name would come back as the stock class).
 * Subclasses give the two names, register themselves once in ND4J's op-name table ({@link #register}) and define
 * the gradient. The output has the first input's data type; the op has no properties beyond its integer arguments.
 */
abstract class NativeAliasOp extends DynamicCustomOp {
  private final String nativeName;

  /** For SameDiff's reflection (subclasses' no-argument constructors). */
  NativeAliasOp(String nativeName) {
    this.nativeName = nativeName;
  }

  NativeAliasOp(String nativeName, SameDiff sd, SDVariable[] args) {
    super(null, sd, args);
    this.nativeName = nativeName;
  }

  @Override
  public long opHash() {
    return Nd4j.getExecutioner().getCustomOperations().get(nativeName).getHash();
  }

  @Override
  public CustomOpDescriptor getDescriptor() {
    return Nd4j.getExecutioner().getCustomOperations().get(nativeName);
  }

  /** Integer arguments travel as such; there are no other properties to serialize. */
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

  /**
   * Adds {@code op} to ND4J's name-to-op table under its {@link #opName()} (public API,
   * {@link ImportClassMapping#getOpNameMapping()}), so that SameDiff's serialize-and-clone recreates its class.
   */
  static void register(NativeAliasOp op) {
    synchronized (NativeAliasOp.class) {
      ImportClassMapping.getOpNameMapping().putIfAbsent(op.opName(), op);
    }
  }
}
