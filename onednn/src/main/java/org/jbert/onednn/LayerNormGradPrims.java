package org.jbert.onednn;

import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.layer_normalization_backward;
import org.bytedeco.dnnl.layer_normalization_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.global.dnnl;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of LayerNorm(x [+ residual]) for one (K,H,eps): with a residual, s = x + residual into scratch; a
 * forward-training pass recomputes the mean and variance (its normalized output goes to ds, which the backward pass
 * then overwrites); oneDNN's layer-normalization backward writes ds, dgamma and dbeta. Both primitives take a shift
 * argument whose value changes nothing here (oneDNN 2.7's backward asks for it with {@code use_shift}): gamma stands
 * in for it.
 */
final class LayerNormGradPrims extends Steps {
  private final long sBytes;
  private final memory x;
  private final memory r;
  private final memory s;
  private final memory gamma;
  private final memory dy;
  private final memory ds;
  private final memory dgamma;
  private final memory dbeta;

  LayerNormGradPrims(DnnlKernels k, long rows, long h, float eps, boolean residual) {
    super(k);
    memory.data_type f32 = memory.data_type.f32;
    memory.desc xd = new memory.desc(new long[] {rows, h}, f32, memory.format_tag.ab);
    memory.desc vd = new memory.desc(new long[] {h}, f32, memory.format_tag.a);
    sBytes = xd.get_size();
    x = mem(xd);
    r = mem(xd);
    s = residual ? mem(xd) : x;
    gamma = mem(vd);
    dy = mem(xd);
    ds = mem(xd);
    dgamma = mem(vd);
    dbeta = mem(vd);
    if (residual) {
      step(new binary(new binary.primitive_desc(new binary.desc(dnnl.algorithm.binary_add, xd, xd, xd), k.eng)),
          dnnl.DNNL_ARG_SRC_0, x, dnnl.DNNL_ARG_SRC_1, r, DnnlKernels.DST, s);
    }
    int flags = dnnl.normalization_flags.use_scale.value | dnnl.normalization_flags.use_shift.value;
    layer_normalization_forward.primitive_desc fwd = own(new layer_normalization_forward.primitive_desc(
        new layer_normalization_forward.desc(dnnl.prop_kind.forward_training.value, xd, eps, flags), k.eng));
    memory mean = allocated(fwd.mean_desc());
    memory variance = allocated(fwd.variance_desc());
    step(new layer_normalization_forward(fwd), DnnlKernels.SRC, s, DnnlKernels.DST, ds, dnnl.DNNL_ARG_MEAN, mean,
        dnnl.DNNL_ARG_VARIANCE, variance, DnnlKernels.SCALE, gamma, DnnlKernels.SHIFT, gamma);
    step(new layer_normalization_backward(new layer_normalization_backward.primitive_desc(
        new layer_normalization_backward.desc(dnnl.prop_kind.backward.value, xd, xd, eps, flags), k.eng, fwd)),
        DnnlKernels.SRC, s, dnnl.DNNL_ARG_MEAN, mean, dnnl.DNNL_ARG_VARIANCE, variance, dnnl.DNNL_ARG_DIFF_DST, dy,
        DnnlKernels.SCALE, gamma, DnnlKernels.SHIFT, gamma, dnnl.DNNL_ARG_DIFF_SRC, ds, dnnl.DNNL_ARG_DIFF_SCALE, dgamma,
        dnnl.DNNL_ARG_DIFF_SHIFT, dbeta);
  }

  void run(INDArray xa, INDArray ra, INDArray ga, INDArray dya, INDArray dsa, INDArray dga, INDArray dba) {
    bind(x, xa);
    if (ra != null) {
      bind(r, ra);
      s.set_data_handle(k.scratch(DnnlKernels.LN_SUM, sBytes));
    }
    bind(gamma, ga);
    bind(dy, dya);
    bind(ds, dsa);
    bind(dgamma, dga);
    bind(dbeta, dba);
    execute();
  }
}
