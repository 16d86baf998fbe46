package org.jbert.onednn;

import org.jbert.core.kernels.Kernels;
import org.jbert.core.kernels.KernelsProvider;

/** Provides {@link DnnlKernels} under the name {@value DnnlKernels#NAME} (ServiceLoader entry of this module). */
public final class DnnlKernelsProvider implements KernelsProvider {
  @Override
  public String name() {
    return DnnlKernels.NAME;
  }

  @Override
  public Kernels create() {
    return DnnlKernels.create();
  }
}
