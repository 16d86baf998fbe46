package org.jbert.onednn;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.global.dnnl;
import org.jbert.core.config.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code act(x @ w + b)} for one (K,in,out,act): a matmul with the bias and an eltwise post-op, its weights in the
 * layout the primitive prefers (format {@code any}), reordered from the row-major [in,out] array on every call into the
 * kernels' shared scratch buffer.
 */
final class DensePrims extends DnnlKernels.Primitives {
  private final DnnlKernels k;
  private final matmul product;
  private final reorder pack;
  private final memory xMem;
  private final memory wMem;
  private final memory packedMem;
  private final long packedBytes;
  private final memory bMem;
  private final memory outMem;
  private final IntMemoryMap args = new IntMemoryMap();

  DensePrims(DnnlKernels k, long rows, long in, long out, Activation act) {
    this.k = k;
    memory.data_type f32 = memory.data_type.f32;
    memory.desc xd = new memory.desc(new long[] {rows, in}, f32, memory.format_tag.ab);
    memory.desc wd = new memory.desc(new long[] {in, out}, f32, memory.format_tag.ab);
    memory.desc wAny = new memory.desc(new long[] {in, out}, f32, memory.format_tag.any);
    memory.desc bd = new memory.desc(new long[] {1, out}, f32, memory.format_tag.ab);
    memory.desc od = new memory.desc(new long[] {rows, out}, f32, memory.format_tag.ab);
    primitive_attr attr = new primitive_attr();
    if (act != null) {
      post_ops ops = new post_ops();
      ops.append_eltwise(1f, switch (act) {
        case GELU_TANH -> dnnl.algorithm.eltwise_gelu_tanh;
        case GELU_ERF -> dnnl.algorithm.eltwise_gelu_erf;
        case RELU -> dnnl.algorithm.eltwise_relu;
      }, 0f, 0f);
      attr.set_post_ops(ops);
    }
    matmul.primitive_desc pd = new matmul.primitive_desc(new matmul.desc(xd, wAny, bd, od), attr, k.eng);
    product = new matmul(pd);
    xMem = new memory(xd, k.eng, null);
    wMem = new memory(wd, k.eng, null);
    bMem = new memory(bd, k.eng, null);
    outMem = new memory(od, k.eng, null);
    packedMem = new memory(pd.weights_desc(), k.eng, null);
    packedBytes = pd.weights_desc().get_size();
    pack = new reorder(wMem, packedMem);
    args.put(DnnlKernels.SRC, xMem);
    args.put(DnnlKernels.WEIGHTS, packedMem);
    args.put(DnnlKernels.BIAS, bMem);
    args.put(DnnlKernels.DST, outMem);
  }

  void run(INDArray x, INDArray w, INDArray b, INDArray out) {
    bind(xMem, x);
    bind(wMem, w);
    bind(bMem, b);
    bind(outMem, out);
    packedMem.set_data_handle(k.scratch(DnnlKernels.PACKED, packedBytes));
    pack.execute(k.strm, wMem, packedMem);
    product.execute(k.strm, args);
    k.strm._wait();
  }

  @Override
  void close() {
    for (org.bytedeco.javacpp.Pointer p : new org.bytedeco.javacpp.Pointer[] {product, pack, xMem, wMem, packedMem,
        bMem, outMem, args}) {
      p.close();
    }
  }
}
