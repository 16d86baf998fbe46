package org.jbert.core.weights;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.jbert.core.config.BertConfig;

/**
 * Named float32 tensors from one place on disk (a TF SavedModel, a TF1 checkpoint, a safetensors file, a jbert
 * folder), exposed under canonical Google names and in Google layout (kernels [in,out]) whatever the format stores.
 * Implementations translate names only through {@link CheckpointNames}.
 */
public interface WeightSource extends AutoCloseable {

  /** Where the weights come from, for messages: usually the file or folder path. */
  String description();

  /** Canonical names of every tensor this source holds that jbert recognizes. */
  Set<String> names();

  /**
   * Names this source holds that map to nothing jbert knows (optimizer slots and global_step are not reported:
   * sources drop them).
   */
  Set<String> unrecognized();

  /** The Google-layout shape of {@code name}. */
  long[] shape(String name);

  /** The values of {@code name}, row-major in Google layout. */
  float[] read(String name);

  /** The model config stored beside the weights, when the format has one. */
  Optional<BertConfig> config();

  /** The {@code vocab.txt} stored beside the weights, when the format has one. */
  Optional<Path> vocab();

  @Override
  default void close() {}
}
