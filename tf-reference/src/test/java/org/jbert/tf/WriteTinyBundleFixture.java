package org.jbert.tf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Writes the small tensor-bundle fixture that core's TensorBundleTest reads (core/src/test/resources/tfbundle/),
 * using TensorFlow's own SaveV2 kernel (TF Java 0.5.0). Run once by hand:
 * {@code java -cp <eval test classpath> org.jbert.eval.tf.WriteTinyBundleFixture core/src/test/resources/tfbundle}.
 *
 * <p>Content: 150 float tensors {@code scope_<i>/some/fairly/long/variable/name/kernel} of shape [2,3] with values
 * {@code i + j/8} (j = 0..5, row-major), so the index spans several data blocks and restart points; a float scalar
 * {@code scalar} = 2.5; an int64 scalar {@code global_step} = 7.
 */
public final class WriteTinyBundleFixture {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (int i = 0; i < 150; i++) {
      final int k = i;
      tensors.put(String.format("scope_%03d/some/fairly/long/variable/name/kernel", i),
          TFloat32.tensorOf(Shape.of(2, 3), t -> {
            for (int j = 0; j < 6; j++) t.setFloat(k + j / 8f, j / 3, j % 3);
          }));
    }
    tensors.put("scalar", TFloat32.scalarOf(2.5f));
    tensors.put("global_step", TInt64.scalarOf(7L));
    TfBundles.save(dir.resolve("tiny"), tensors);
    tensors.values().forEach(Tensor::close);
  }
}
