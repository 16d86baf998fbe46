package org.jbert.onednn;

import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.global.dnnl;
import org.jbert.core.config.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of {@code act(x @ w + b)} for one (K,in,out,act): with an activation, z = x·w + b is recomputed (a
 * matmul with bias into scratch) and dz = the eltwise backward of z and dy (into a second scratch buffer); without,
 * dz is dy. Then dx = dz·wᵀ and dw = xᵀ·dz (matmuls reading the transposes through strides) and db = the column sums
 * of dz (a reduction).
 */
final class DenseGradPrims extends Steps {
  private final long zBytes;
  private final memory x;
  private final memory xT;
  private final memory w;
  private final memory wT;
  private final memory b;
  private final memory dy;
  private final memory z;
  private final memory dz;
  private final memory dx;
  private final memory dw;
  private final memory db;

  DenseGradPrims(DnnlKernels k, long rows, long in, long out, Activation act) {
    super(k);
    memory.data_type f32 = memory.data_type.f32;
    memory.desc xd = new memory.desc(new long[] {rows, in}, f32, memory.format_tag.ab);
    memory.desc xTd = new memory.desc(new long[] {in, rows}, f32, memory.format_tag.ba);
    memory.desc wd = new memory.desc(new long[] {in, out}, f32, memory.format_tag.ab);
    memory.desc wTd = new memory.desc(new long[] {out, in}, f32, memory.format_tag.ba);
    memory.desc bd = new memory.desc(new long[] {1, out}, f32, memory.format_tag.ab);
    memory.desc zd = new memory.desc(new long[] {rows, out}, f32, memory.format_tag.ab);
    zBytes = zd.get_size();
    x = mem(xd);
    xT = mem(xTd);
    w = mem(wd);
    wT = mem(wTd);
    b = mem(bd);
    dy = mem(zd);
    z = mem(zd);
    dx = mem(xd);
    dw = mem(wd);
    db = mem(bd);
    if (act != null) {
      dz = mem(zd);
      step(new org.bytedeco.dnnl.matmul(new org.bytedeco.dnnl.matmul.primitive_desc(
          new org.bytedeco.dnnl.matmul.desc(xd, wd, bd, zd), k.eng)), DnnlKernels.SRC, x, DnnlKernels.WEIGHTS, w,
          DnnlKernels.BIAS, b, DnnlKernels.DST, z);
      dnnl.algorithm alg = switch (act) {
        case GELU_TANH -> dnnl.algorithm.eltwise_gelu_tanh;
        case GELU_ERF -> dnnl.algorithm.eltwise_gelu_erf;
        case RELU -> dnnl.algorithm.eltwise_relu;
      };
      eltwise_forward.primitive_desc hint = own(new eltwise_forward.primitive_desc(
          new eltwise_forward.desc(dnnl.prop_kind.forward_training, alg, zd, 0f, 0f), k.eng));
      step(new eltwise_backward(new eltwise_backward.primitive_desc(new eltwise_backward.desc(alg, zd, zd, 0f, 0f),
          k.eng, hint)), DnnlKernels.SRC, z, dnnl.DNNL_ARG_DIFF_DST, dy, dnnl.DNNL_ARG_DIFF_SRC, dz);
    } else {
      dz = dy;
    }
    step(product(zd, wTd, xd, 1f), DnnlKernels.SRC, dz, DnnlKernels.WEIGHTS, wT, DnnlKernels.DST, dx);
    step(product(xTd, zd, wd, 1f), DnnlKernels.SRC, xT, DnnlKernels.WEIGHTS, dz, DnnlKernels.DST, dw);
    memory.desc onesD = new memory.desc(new long[] {1, rows}, f32, memory.format_tag.ab);
    step(product(onesD, zd, bd, 1f), DnnlKernels.SRC, ones(onesD, rows), DnnlKernels.WEIGHTS, dz, DnnlKernels.DST,
        db);
  }

  void run(INDArray xa, INDArray wa, INDArray ba, INDArray dya, INDArray dxa, INDArray dwa, INDArray dba) {
    bind(x, xa);
    bind(xT, xa);
    bind(w, wa);
    bind(wT, wa);
    bind(b, ba);
    bind(dy, dya);
    bind(dx, dxa);
    bind(dw, dwa);
    bind(db, dba);
    if (dz != dy) {
      z.set_data_handle(k.scratch(DnnlKernels.DENSE_Z, zBytes));
      dz.set_data_handle(k.scratch(DnnlKernels.DENSE_DZ, zBytes));
    }
    execute();
  }
}
