package org.jbert.core.kernels;

/**
 * A {@link Kernels} implementation that a module contributes through {@link java.util.ServiceLoader} (file
 * {@code META-INF/services/org.jbert.core.kernels.KernelsProvider}); {@code jbert-onednn} provides {@code onednn}.
 */
public interface KernelsProvider {
  /** The name that selects it ({@code JBERT_KERNELS} / {@code -Djbert.kernels}). */
  String name();

  /**
   * Loads the natives and returns the kernels.
   *
   * @throws RuntimeException or {@link LinkageError} when the natives cannot be loaded on this machine
   */
  Kernels create();
}
