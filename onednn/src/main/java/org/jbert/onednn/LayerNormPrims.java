package org.jbert.onednn;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.layer_normalization_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.global.dnnl;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm over the last axis of [K,H] for one (K,H,eps): with a residual, a binary add writes x + residual into the
 * output first and the normalization runs in place there; gamma and beta are the primitive's scale and shift.
 */
final class LayerNormPrims extends DnnlKernels.Primitives {
  private final DnnlKernels k;
  private final binary add;
  private final layer_normalization_forward norm;
  private final memory xMem;
  private final memory rMem;
  private final memory gMem;
  private final memory bMem;
  private final memory outMem;
  private final IntMemoryMap addArgs = new IntMemoryMap();
  private final IntMemoryMap normArgs = new IntMemoryMap();

  LayerNormPrims(DnnlKernels k, long rows, long h, float eps, boolean residual) {
    this.k = k;
    memory.data_type f32 = memory.data_type.f32;
    memory.desc xd = new memory.desc(new long[] {rows, h}, f32, memory.format_tag.ab);
    memory.desc vd = new memory.desc(new long[] {h}, f32, memory.format_tag.a);
    xMem = new memory(xd, k.eng, null);
    rMem = new memory(xd, k.eng, null);
    gMem = new memory(vd, k.eng, null);
    bMem = new memory(vd, k.eng, null);
    outMem = new memory(xd, k.eng, null);
    if (residual) {
      add = new binary(new binary.primitive_desc(new binary.desc(dnnl.algorithm.binary_add, xd, xd, xd), k.eng));
      addArgs.put(dnnl.DNNL_ARG_SRC_0, xMem);
      addArgs.put(dnnl.DNNL_ARG_SRC_1, rMem);
      addArgs.put(DnnlKernels.DST, outMem);
    } else {
      add = null;
    }
    norm = new layer_normalization_forward(new layer_normalization_forward.primitive_desc(
        new layer_normalization_forward.desc(dnnl.prop_kind.forward_inference.value, xd, eps,
            dnnl.normalization_flags.use_scale.value | dnnl.normalization_flags.use_shift.value), k.eng));
    normArgs.put(DnnlKernels.SRC, residual ? outMem : xMem);
    normArgs.put(DnnlKernels.DST, outMem);
    normArgs.put(DnnlKernels.SCALE, gMem);
    normArgs.put(DnnlKernels.SHIFT, bMem);
  }

  void run(INDArray x, INDArray residual, INDArray gamma, INDArray beta, INDArray out) {
    bind(xMem, x);
    if (residual != null) bind(rMem, residual);
    bind(gMem, gamma);
    bind(bMem, beta);
    bind(outMem, out);
    if (add != null) add.execute(k.strm, addArgs);
    norm.execute(k.strm, normArgs);
    k.strm._wait();
  }

  @Override
  void close() {
    for (org.bytedeco.javacpp.Pointer p : new org.bytedeco.javacpp.Pointer[] {add, norm, xMem, rMem, gMem, bMem,
        outMem, addArgs, normArgs}) {
      if (p != null) p.close();
    }
  }
}
