package org.jbert.eval.tf;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.jbert.core.tokenize.Features;

/**
 * A reference run of the same SavedModel (TensorFlow), for the parity checks. The eval module compiles without
 * TensorFlow; the implementation ({@code org.jbert.tf.TfReferenceEncoder}, module {@code tf-reference}) is found
 * through {@link ServiceLoader} when that module is on the class path, as it is for {@code bin/jbert}.
 */
public interface ReferenceEncoder extends AutoCloseable {
  /** The SavedModel's fixed input length T, or 0 when it takes any. */
  int seqLen();

  /**
   * The reference outputs on {@code f} under the names of {@link TfParity#outputNames}: the embedding output, each
   * layer's output, {@code sequence_output} (each [B*T*H] row-major) and {@code pooled_output} [B*H].
   */
  Map<String, float[]> outputs(Features f);

  @Override
  void close();

  /** Opens a {@link ReferenceEncoder} on a SavedModel folder. */
  interface Provider {
    /** What runs the reference, for reports ({@code TensorFlow Java 0.5.0}). */
    String name();

    ReferenceEncoder open(Path savedModelFolder);
  }

  /** The provider on the class path, if any. */
  static Optional<Provider> provider() {
    return ServiceLoader.load(Provider.class).findFirst();
  }
}
