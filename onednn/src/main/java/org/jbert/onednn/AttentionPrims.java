package org.jbert.onednn;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.softmax_forward;
import org.bytedeco.dnnl.global.dnnl;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention core for one (B,T,H,N): scores [B,N,T,T] = (Q·Kᵀ)·scale + mask, softmax in place, times the dropout
 * factor in place when there is one, context = P·V. Q, K, V and the context are [K,H] arrays read as [B,N,T,D] with
 * strides {T·H, D, H, 1} (Kᵀ as [B,N,D,T] with strides {T·H, D, 1, H}); the scores live in the kernels' shared
 * scratch buffer.
 */
final class AttentionPrims extends DnnlKernels.Primitives {
  private final DnnlKernels k;
  private final matmul scores;
  private final softmax_forward softmax;
  private final binary dropout;
  private final matmul context;
  private final memory qMem;
  private final memory kMem;
  private final memory vMem;
  private final memory maskMem;
  private final memory keepMem;
  private final memory scoresMem;
  private final long scoresBytes;
  private final memory outMem;
  private final IntMemoryMap scoresArgs = new IntMemoryMap();
  private final IntMemoryMap softmaxArgs = new IntMemoryMap();
  private final IntMemoryMap dropoutArgs = new IntMemoryMap();
  private final IntMemoryMap contextArgs = new IntMemoryMap();

  AttentionPrims(DnnlKernels k, long b, long t, long h, int heads, float scale, boolean keep) {
    this.k = k;
    Layout l = new Layout(b, t, h, heads);
    scores = scoresProduct(l, scale, k.eng);
    softmax = new softmax_forward(new softmax_forward.primitive_desc(
        new softmax_forward.desc(dnnl.prop_kind.forward_inference, l.scores, 3), k.eng));
    dropout = keep ? l.multiply(k.eng) : null;
    context = new matmul(new matmul.primitive_desc(new matmul.desc(l.scores, l.heads, l.heads), k.eng));

    qMem = new memory(l.heads, k.eng, null);
    kMem = new memory(l.headsT, k.eng, null);
    vMem = new memory(l.heads, k.eng, null);
    maskMem = new memory(l.mask, k.eng, null);
    keepMem = new memory(l.scores, k.eng, null);
    outMem = new memory(l.heads, k.eng, null);
    scoresMem = new memory(l.scores, k.eng, null);
    scoresBytes = l.scores.get_size();
    scoresArgs.put(DnnlKernels.SRC, qMem);
    scoresArgs.put(DnnlKernels.WEIGHTS, kMem);
    scoresArgs.put(DnnlKernels.DST, scoresMem);
    scoresArgs.put(DnnlKernels.postOpSrc1(0), maskMem);
    softmaxArgs.put(DnnlKernels.SRC, scoresMem);
    softmaxArgs.put(DnnlKernels.DST, scoresMem);
    dropoutArgs.put(dnnl.DNNL_ARG_SRC_0, scoresMem);
    dropoutArgs.put(dnnl.DNNL_ARG_SRC_1, keepMem);
    dropoutArgs.put(DnnlKernels.DST, scoresMem);
    contextArgs.put(DnnlKernels.SRC, scoresMem);
    contextArgs.put(DnnlKernels.WEIGHTS, vMem);
    contextArgs.put(DnnlKernels.DST, outMem);
  }

  /** The memory descriptions of one attention shape. */
  static final class Layout {
    /** Q, K, V or the context [B,N,T,D] over a [K,H] array. */
    final memory.desc heads;
    /** Kᵀ (or Vᵀ) [B,N,D,T] over a [K,H] array. */
    final memory.desc headsT;
    /** Scores or probabilities [B,N,T,T], dense. */
    final memory.desc scores;
    /** Their transpose [B,N,T(key),T(query)] over the same dense buffer. */
    final memory.desc scoresT;
    /** The additive mask [B,1,1,T]. */
    final memory.desc mask;

    Layout(long b, long t, long h, int n) {
      long d = h / n;
      memory.data_type f32 = memory.data_type.f32;
      heads = new memory.desc(new long[] {b, n, t, d}, f32, new long[] {t * h, d, h, 1});
      headsT = new memory.desc(new long[] {b, n, d, t}, f32, new long[] {t * h, d, 1, h});
      scores = new memory.desc(new long[] {b, n, t, t}, f32, memory.format_tag.abcd);
      scoresT = new memory.desc(new long[] {b, n, t, t}, f32, new long[] {n * t * t, t * t, 1, t});
      mask = new memory.desc(new long[] {b, 1, 1, t}, f32, memory.format_tag.abcd);
    }

    /** dst = src0 * src1 elementwise over [B,N,T,T] (in place when dst is src0). */
    binary multiply(engine eng) {
      return new binary(new binary.primitive_desc(new binary.desc(dnnl.algorithm.binary_mul, scores, scores,
          scores), eng));
    }
  }

  /** Q·Kᵀ with {@code scale} as output scale and the mask as a broadcast binary-add post-op. */
  static matmul scoresProduct(Layout l, float scale, engine eng) {
    primitive_attr attr = new primitive_attr();
    attr.set_output_scales(0, new float[] {scale});
    post_ops ops = new post_ops();
    ops.append_binary(dnnl.algorithm.binary_add, l.mask);
    attr.set_post_ops(ops);
    return new matmul(new matmul.primitive_desc(new matmul.desc(l.heads, l.headsT, l.scores), attr, eng));
  }

  void run(INDArray q, INDArray kk, INDArray v, INDArray mask, INDArray keep, INDArray out) {
    bind(qMem, q);
    bind(kMem, kk);
    bind(vMem, v);
    bind(maskMem, mask);
    bind(outMem, out);
    scoresMem.set_data_handle(k.scratch(DnnlKernels.SCORES, scoresBytes));
    scores.execute(k.strm, scoresArgs);
    softmax.execute(k.strm, softmaxArgs);
    if (dropout != null) {
      bind(keepMem, keep);
      dropout.execute(k.strm, dropoutArgs);
    }
    context.execute(k.strm, contextArgs);
    k.strm._wait();
  }

  @Override
  void close() {
    for (org.bytedeco.javacpp.Pointer p : new org.bytedeco.javacpp.Pointer[] {scores, softmax, dropout, context, qMem,
        kMem, vMem, maskMem, keepMem, scoresMem, outMem, scoresArgs, softmaxArgs, dropoutArgs, contextArgs}) {
      if (p != null) p.close();
    }
  }
}
