package org.jbert.tf;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.tokenize.Features;
import org.jbert.eval.tf.ReferenceEncoder;
import org.jbert.eval.tf.TfParity;

/** {@link ReferenceEncoder} on TensorFlow Java: {@link TfReference} running the SavedModel with every layer fetched. */
public final class TfReferenceEncoder implements ReferenceEncoder {
  private final TfReference ref;

  public TfReferenceEncoder(TfReference ref) {
    this.ref = ref;
  }

  @Override
  public int seqLen() {
    return ref.seqLen();
  }

  @Override
  public Map<String, float[]> outputs(Features f) {
    return named(ref.run(f.inputWordIds(), f.inputMask(), f.inputTypeIds(), true));
  }

  /** TF's outputs (from {@code run(..., allLayers = true)}) under the names of {@link TfParity#outputNames}. */
  public static Map<String, float[]> named(TfReference.Outputs tf) {
    if (tf.layers() == null) throw new IllegalArgumentException("TF outputs were fetched without the layers");
    Map<String, float[]> out = new LinkedHashMap<>();
    List<String> names = TfParity.outputNames(tf.layers().length);
    out.put(names.get(0), tf.embeddings());
    for (int k = 0; k < tf.layers().length; k++) out.put(names.get(k + 1), tf.layers()[k]);
    out.put(BertGraph.SEQUENCE_OUTPUT, tf.sequence());
    out.put(BertGraph.POOLED_OUTPUT, tf.pooled());
    return out;
  }

  @Override
  public void close() {
    ref.close();
  }

  /** The ServiceLoader entry. */
  public static final class Provider implements ReferenceEncoder.Provider {
    @Override
    public String name() {
      return "TensorFlow " + org.tensorflow.TensorFlow.version() + " (TF Java)";
    }

    @Override
    public ReferenceEncoder open(Path savedModelFolder) {
      return new TfReferenceEncoder(TfReference.load(savedModelFolder));
    }
  }
}
