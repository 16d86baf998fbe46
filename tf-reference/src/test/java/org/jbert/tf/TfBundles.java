package org.jbert.tf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Save;
import org.tensorflow.types.family.TType;

/** Test helper: writes a TensorFlow V2 checkpoint (tensor bundle) with TF's own SaveV2 kernel. */
final class TfBundles {
  private TfBundles() {}

  /**
   * Writes {@code tensors} (name -> tensor, in any order; the caller keeps ownership) to the bundle {@code prefix}
   * ({@code prefix.index}, {@code prefix.data-00000-of-00001}) by running a SaveV2 op in a fresh graph.
   */
  static void save(Path prefix, Map<String, ? extends Tensor> tensors) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      List<String> names = new ArrayList<>(tensors.keySet());
      List<Placeholder<?>> phs = new ArrayList<>();
      for (String n : names) phs.add(tf.placeholder(((TType) tensors.get(n)).type()));
      String[] slices = new String[names.size()];
      java.util.Arrays.fill(slices, "");
      List<Operand<?>> data = new ArrayList<>(phs);
      Save save = tf.train.save(tf.constant(prefix.toString()), tf.constant(NdArrays.vectorOfObjects(
          names.toArray(new String[0]))), tf.constant(NdArrays.vectorOfObjects(slices)), data);
      Session.Runner r = s.runner();
      for (int i = 0; i < names.size(); i++) r.feed(phs.get(i), tensors.get(names.get(i)));
      r.addTarget(save).run().close();
    }
  }
}
