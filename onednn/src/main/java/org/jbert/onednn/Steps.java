package org.jbert.onednn;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Cached primitives that run as a fixed sequence of steps, each a primitive with its (argument key, memory) map; the
 * memories are created here without data and bound to arrays or scratch buffers before each {@link #execute}.
 */
abstract class Steps extends DnnlKernels.Primitives {
  final DnnlKernels k;
  private final List<Pointer> owned = new ArrayList<>();
  private final List<primitive> steps = new ArrayList<>();
  private final List<IntMemoryMap> stepArgs = new ArrayList<>();

  Steps(DnnlKernels k) {
    this.k = k;
  }

  /** A memory of {@code d} with no data yet (bind before use). */
  memory mem(memory.desc d) {
    memory m = new memory(d, k.eng, null);
    owned.add(m);
    return m;
  }

  /** A memory of {@code d} with its own buffer (small per-shape state such as LayerNorm statistics). */
  memory allocated(memory.desc d) {
    memory m = new memory(d, k.eng);
    owned.add(m);
    return m;
  }

  /**
   * A memory of {@code d} over {@code n} floats of 1 (a buffer of its own): summing rows or columns as a matmul with
   * it runs oneDNN's gemm, where its reduction primitive falls back to the reference loop on AVX2.
   */
  memory ones(memory.desc d, long n) {
    float[] one = new float[Math.toIntExact(n)];
    java.util.Arrays.fill(one, 1f);
    FloatPointer buffer = own(new FloatPointer(one));
    memory m = mem(d);
    m.set_data_handle(buffer);
    return m;
  }

  /** Keeps {@code p} (a primitive descriptor a later primitive refers to) until {@link #close}. */
  <P extends Pointer> P own(P p) {
    owned.add(p);
    return p;
  }

  /** A matmul dst = src·weights·scale (plain or strided descriptions). */
  matmul product(memory.desc src, memory.desc weights, memory.desc dst, float scale) {
    primitive_attr attr = new primitive_attr();
    if (scale != 1f) attr.set_output_scales(0, new float[] {scale});
    return new matmul(new matmul.primitive_desc(new matmul.desc(src, weights, dst), attr, k.eng));
  }

  /** Appends a step: {@code prim} run with these (argument key, memory) pairs. */
  void step(primitive prim, Object... keysAndMemories) {
    IntMemoryMap m = new IntMemoryMap();
    for (int i = 0; i < keysAndMemories.length; i += 2) {
      m.put((Integer) keysAndMemories[i], (memory) keysAndMemories[i + 1]);
    }
    steps.add(prim);
    stepArgs.add(m);
  }

  /** Runs every step in order on the kernels' stream and waits. */
  void execute() {
    for (int i = 0; i < steps.size(); i++) {
      try {
        steps.get(i).execute(k.strm, stepArgs.get(i));
      } catch (RuntimeException e) {
        throw new IllegalStateException(getClass().getSimpleName() + " step " + i + " ("
            + steps.get(i).getClass().getSimpleName() + "): " + e.getMessage(), e);
      }
    }
    k.strm._wait();
  }

  @Override
  void close() {
    steps.forEach(Pointer::close);
    stepArgs.forEach(Pointer::close);
    owned.forEach(Pointer::close);
  }
}
