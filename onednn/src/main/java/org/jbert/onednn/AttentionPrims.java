package org.jbert.onednn;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.softmax_forward;
import org.bytedeco.dnnl.global.dnnl;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention core for one (B,T,H,N): scores [B,N,T,T] = (Q·Kᵀ)·scale + mask, softmax in place, context = P·V.
 * Q, K, V and the context are [K,H] arrays read as [B,N,T,D] with strides {T·H, D, H, 1} (Kᵀ as [B,N,D,T] with
 * strides {T·H, D, 1, H}); the scores live in the kernels' shared scratch buffer.
 */
final class AttentionPrims extends DnnlKernels.Primitives {
  private final DnnlKernels k;
  private final matmul scores;
  private final softmax_forward softmax;
  private final matmul context;
  private final memory qMem;
  private final memory kMem;
  private final memory vMem;
  private final memory maskMem;
  private final memory scoresMem;
  private final long scoresBytes;
  private final memory outMem;
  private final IntMemoryMap scoresArgs = new IntMemoryMap();
  private final IntMemoryMap softmaxArgs = new IntMemoryMap();
  private final IntMemoryMap contextArgs = new IntMemoryMap();

  AttentionPrims(DnnlKernels k, long b, long t, long h, int heads, float scale) {
    this.k = k;
    long d = h / heads;
    memory.data_type f32 = memory.data_type.f32;
    long[] bntd = {b, heads, t, d};
    long[] headStrides = {t * h, d, h, 1};
    memory.desc qd = new memory.desc(bntd, f32, headStrides);
    memory.desc ktd = new memory.desc(new long[] {b, heads, d, t}, f32, new long[] {t * h, d, 1, h});
    memory.desc sd = new memory.desc(new long[] {b, heads, t, t}, f32, memory.format_tag.abcd);
    memory.desc md = new memory.desc(new long[] {b, 1, 1, t}, f32, memory.format_tag.abcd);

    primitive_attr attr = new primitive_attr();
    attr.set_output_scales(0, new float[] {scale});
    post_ops ops = new post_ops();
    ops.append_binary(dnnl.algorithm.binary_add, md);
    attr.set_post_ops(ops);
    scores = new matmul(new matmul.primitive_desc(new matmul.desc(qd, ktd, sd), attr, k.eng));
    softmax = new softmax_forward(new softmax_forward.primitive_desc(
        new softmax_forward.desc(dnnl.prop_kind.forward_inference, sd, 3), k.eng));
    context = new matmul(new matmul.primitive_desc(new matmul.desc(sd, qd, qd), k.eng));

    qMem = new memory(qd, k.eng, null);
    kMem = new memory(ktd, k.eng, null);
    vMem = new memory(qd, k.eng, null);
    maskMem = new memory(md, k.eng, null);
    outMem = new memory(qd, k.eng, null);
    scoresMem = new memory(sd, k.eng, null);
    scoresBytes = sd.get_size();
    scoresArgs.put(DnnlKernels.SRC, qMem);
    scoresArgs.put(DnnlKernels.WEIGHTS, kMem);
    scoresArgs.put(DnnlKernels.DST, scoresMem);
    scoresArgs.put(DnnlKernels.postOpSrc1(0), maskMem);
    softmaxArgs.put(DnnlKernels.SRC, scoresMem);
    softmaxArgs.put(DnnlKernels.DST, scoresMem);
    contextArgs.put(DnnlKernels.SRC, scoresMem);
    contextArgs.put(DnnlKernels.WEIGHTS, vMem);
    contextArgs.put(DnnlKernels.DST, outMem);
  }

  void run(INDArray q, INDArray kk, INDArray v, INDArray mask, INDArray out) {
    bind(qMem, q);
    bind(kMem, kk);
    bind(vMem, v);
    bind(maskMem, mask);
    bind(outMem, out);
    scoresMem.set_data_handle(k.scratch(DnnlKernels.SCORES, scoresBytes));
    scores.execute(k.strm, scoresArgs);
    softmax.execute(k.strm, softmaxArgs);
    context.execute(k.strm, contextArgs);
    k.strm._wait();
  }

  @Override
  void close() {
    for (org.bytedeco.javacpp.Pointer p : new org.bytedeco.javacpp.Pointer[] {scores, softmax, context, qMem, kMem,
        vMem, maskMem, scoresMem, outMem, scoresArgs, softmaxArgs, contextArgs}) {
      p.close();
    }
  }
}
