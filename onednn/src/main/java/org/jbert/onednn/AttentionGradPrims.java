package org.jbert.onednn;

import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.softmax_backward;
import org.bytedeco.dnnl.softmax_forward;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention core's gradient for one (B,T,H,N,scale, with or without dropout), on [K,H] arrays read through head
 * strides ({@link AttentionPrims.Layout}) and two [B,N,T,T] scratch buffers, P and G:
 * <ol>
 *   <li>P = softmax(Q·Kᵀ·scale + mask), recomputed as the forward pass computes it; with dropout G = P * keep;
 *   <li>dV = (dropout ? G : P)ᵀ·dC (the scores read transposed through strides);
 *   <li>G = dC·Vᵀ, then G *= keep with dropout;
 *   <li>G = the softmax backward of P and G, in place;
 *   <li>dQ = G·K·scale, dK = Gᵀ·Q·scale (output scales), dmask = the sum of G over heads and query rows (a matmul
 *       with a row of ones: oneDNN 2.7's reduction primitive is its reference loop on AVX2).
 * </ol>
 */
final class AttentionGradPrims extends Steps {
  private final long scoresBytes;
  // inputs, outputs and scratch, bound on every call
  private final memory q;
  private final memory kT;
  private final memory kHeads;
  private final memory vT;
  private final memory mask;
  private final memory keep;
  private final memory dc;
  private final memory dq;
  private final memory dk;
  private final memory dv;
  private final memory dmask;
  private final memory p;
  private final memory pT;
  private final memory g;
  private final memory gT;
  private final memory gFlat;

  AttentionGradPrims(DnnlKernels k, long b, long t, long h, int heads, float scale, boolean withKeep) {
    super(k);
    AttentionPrims.Layout l = new AttentionPrims.Layout(b, t, h, heads);
    scoresBytes = l.scores.get_size();
    q = mem(l.heads);
    kT = mem(l.headsT);
    kHeads = mem(l.heads);
    vT = mem(l.headsT);
    mask = mem(l.mask);
    keep = mem(l.scores);
    dc = mem(l.heads);
    dq = mem(l.heads);
    dk = mem(l.heads);
    dv = mem(l.heads);
    p = mem(l.scores);
    pT = mem(l.scoresT);
    g = mem(l.scores);
    gT = mem(l.scoresT);

    step(AttentionPrims.scoresProduct(l, scale, k.eng), DnnlKernels.SRC, q, DnnlKernels.WEIGHTS, kT, DnnlKernels.DST,
        p, DnnlKernels.postOpSrc1(0), mask);
    softmax_forward.primitive_desc softmaxPd = new softmax_forward.primitive_desc(
        new softmax_forward.desc(dnnl.prop_kind.forward_training, l.scores, 3), k.eng);
    own(softmaxPd);
    step(new softmax_forward(softmaxPd), DnnlKernels.SRC, p, DnnlKernels.DST, p);
    if (withKeep) step(l.multiply(k.eng), dnnl.DNNL_ARG_SRC_0, p, dnnl.DNNL_ARG_SRC_1, keep, DnnlKernels.DST, g);
    step(product(l.scoresT, l.heads, l.heads, 1f), DnnlKernels.SRC, withKeep ? gT : pT, DnnlKernels.WEIGHTS, dc,
        DnnlKernels.DST, dv);
    step(product(l.heads, l.headsT, l.scores, 1f), DnnlKernels.SRC, dc, DnnlKernels.WEIGHTS, vT, DnnlKernels.DST, g);
    if (withKeep) step(l.multiply(k.eng), dnnl.DNNL_ARG_SRC_0, g, dnnl.DNNL_ARG_SRC_1, keep, DnnlKernels.DST, g);
    step(new softmax_backward(new softmax_backward.primitive_desc(new softmax_backward.desc(l.scores, l.scores, 3),
        k.eng, softmaxPd)), DnnlKernels.DST, p, dnnl.DNNL_ARG_DIFF_DST, g, dnnl.DNNL_ARG_DIFF_SRC, g);
    step(product(l.scores, l.heads, l.heads, scale), DnnlKernels.SRC, g, DnnlKernels.WEIGHTS, kHeads,
        DnnlKernels.DST, dq);
    step(product(l.scoresT, l.heads, l.heads, scale), DnnlKernels.SRC, gT, DnnlKernels.WEIGHTS, q, DnnlKernels.DST,
        dk);
    // dmask [B,1,T] = ones [1,1,N*T] (broadcast over B) times G read as [B,N*T,T]
    memory.data_type f32 = memory.data_type.f32;
    memory.desc onesD = new memory.desc(new long[] {1, 1, heads * t}, f32, memory.format_tag.abc);
    memory.desc gRows = new memory.desc(new long[] {b, heads * t, t}, f32, memory.format_tag.abc);
    memory.desc maskRows = new memory.desc(new long[] {b, 1, t}, f32, memory.format_tag.abc);
    gFlat = mem(gRows);
    dmask = mem(maskRows);
    step(product(onesD, gRows, maskRows, 1f), DnnlKernels.SRC, ones(onesD, heads * t), DnnlKernels.WEIGHTS, gFlat,
        DnnlKernels.DST, dmask);
  }

  void run(INDArray qa, INDArray ka, INDArray va, INDArray maskA, INDArray keepA, INDArray dctx, INDArray dqA,
      INDArray dkA, INDArray dvA, INDArray dmaskA) {
    bind(q, qa);
    bind(kT, ka);
    bind(kHeads, ka);
    bind(vT, va);
    bind(mask, maskA);
    if (keepA != null) bind(keep, keepA);
    bind(dc, dctx);
    bind(dq, dqA);
    bind(dk, dkA);
    bind(dv, dvA);
    bind(dmask, dmaskA);
    Pointer scores = k.scratch(DnnlKernels.SCORES, scoresBytes);
    Pointer grad = k.scratch(DnnlKernels.GRAD_SCORES, scoresBytes);
    p.set_data_handle(scores);
    pT.set_data_handle(scores);
    g.set_data_handle(grad);
    gT.set_data_handle(grad);
    gFlat.set_data_handle(grad);
    execute();
  }
}
