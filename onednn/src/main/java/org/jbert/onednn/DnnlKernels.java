package org.jbert.onednn;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.jbert.core.config.Activation;
import org.jbert.core.kernels.Kernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Kernels} on oneDNN 2.7 (javacpp preset {@code org.bytedeco:dnnl}), beside ND4J in the same process:
 * <ul>
 *   <li>attention: three primitives per (B,T,N,D): Q·Kᵀ matmul reading the heads of [K,H] through strides, with the
 *       scale as output scale and the mask as a broadcast binary-add post-op, into a [B,N,T,T] scratch buffer; softmax
 *       in place; P·V written through strides straight into the [K,H] output (no permute copies);
 *   <li>dense: one matmul with the bias and the activation (tanh or erf GELU, ReLU) as a post-op; the weights are
 *       reordered into the primitive's preferred (blocked) layout on every call, into a scratch buffer (about 2% of
 *       the product's time, and never stale when training changes them in place);
 *   <li>LayerNorm: a binary add for the residual, then the layer-normalization primitive in place;
 *   <li>the gradients of the three ({@link AttentionGradPrims}, {@link DenseGradPrims}, {@link LayerNormGradPrims}):
 *       the forward quantities recomputed, then matmuls reading transposes through strides, oneDNN's softmax, eltwise
 *       and layer-normalization backward primitives and sum reductions.
 * </ul>
 * With attention-probability dropout a binary multiply applies the factor to the probabilities in place.
 * Primitives are cached per shape (least recently used beyond {@value #CACHE_SIZE}); the two scratch buffers are shared
 * by all shapes and grow on demand.
 * Arrays are wrapped zero-copy at {@code data().addressPointer()}. Float32 only, c-ordered contiguous arrays only:
 * anything else is declined (false) and the session runs libnd4j's kernel. One stream; calls are serialized.
 */
public final class DnnlKernels implements Kernels {
  /** This path's name. */
  public static final String NAME = "onednn";
  static final int CACHE_SIZE = 256;
  private static final Logger LOG = LoggerFactory.getLogger(DnnlKernels.class);

  final engine eng;
  final stream strm;
  private final Map<Object, Primitives> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, Primitives> e) {
      if (size() <= CACHE_SIZE) return false;
      e.getValue().close();
      return true;
    }
  };

  /** Scratch slots shared by every cached shape (calls are serialized): the attention scores, packed weights. */
  static final int SCORES = 0;
  static final int PACKED = 1;
  /** Gradient scratch: the attention's second [B,N,T,T] buffer, the dense layer's z and dz, LayerNorm's x + r. */
  static final int GRAD_SCORES = 2;
  static final int DENSE_Z = 3;
  static final int DENSE_DZ = 4;
  static final int LN_SUM = 5;
  private final org.bytedeco.javacpp.BytePointer[] scratch = new org.bytedeco.javacpp.BytePointer[6];

  private DnnlKernels(engine eng, stream strm) {
    this.eng = eng;
    this.strm = strm;
  }

  /**
   * Loads oneDNN and opens a CPU engine and stream.
   *
   * @throws LinkageError when the natives do not load
   */
  public static DnnlKernels create() {
    engine e = new engine(engine.kind.cpu, 0);
    return new DnnlKernels(e, new stream(e));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized boolean attention(INDArray q, INDArray k, INDArray v, INDArray mask, INDArray keep, int heads,
      double scale, INDArray out) {
    if (!attentionShapes(q, k, v, mask, keep, heads) || !usable(out)) return false;
    long b = mask.shape()[0];
    long t = mask.shape()[3];
    long h = q.shape()[1];
    boolean dropout = keep != null;
    AttentionPrims p = prims(Arrays.asList("attention", b, t, h, (long) heads, scale, dropout),
        () -> new AttentionPrims(this, b, t, h, heads, (float) scale, dropout));
    if (p == null) return false;
    p.run(q, k, v, mask, keep, out);
    return true;
  }

  @Override
  public synchronized boolean attentionGrad(INDArray q, INDArray k, INDArray v, INDArray mask, INDArray keep,
      INDArray dctx, int heads, double scale, INDArray dq, INDArray dk, INDArray dv, INDArray dmask) {
    if (!attentionShapes(q, k, v, mask, keep, heads) || !usable(dctx, dq, dk, dv, dmask)
        || !Arrays.equals(q.shape(), dctx.shape())) {
      return false;
    }
    long b = mask.shape()[0];
    long t = mask.shape()[3];
    long h = q.shape()[1];
    boolean dropout = keep != null;
    AttentionGradPrims p = prims(Arrays.asList("attention_grad", b, t, h, (long) heads, scale, dropout),
        () -> new AttentionGradPrims(this, b, t, h, heads, (float) scale, dropout));
    if (p == null) return false;
    p.run(q, k, v, mask, keep, dctx, dq, dk, dv, dmask);
    return true;
  }

  /** q, k, v [K,H] with K = B*T and N dividing H, mask [B,1,1,T], keep null or [B,N,T,T]; float32, contiguous. */
  private static boolean attentionShapes(INDArray q, INDArray k, INDArray v, INDArray mask, INDArray keep,
      int heads) {
    if (!usable(q, k, v, mask) || mask.rank() != 4 || q.rank() != 2 || q.shape()[1] % heads != 0) return false;
    long b = mask.shape()[0];
    long t = mask.shape()[3];
    if (keep != null && (!usable(keep) || !Arrays.equals(keep.shape(), new long[] {b, heads, t, t}))) return false;
    return b * t == q.shape()[0] && Arrays.equals(q.shape(), k.shape()) && Arrays.equals(q.shape(), v.shape());
  }

  @Override
  public synchronized boolean dense(INDArray x, INDArray w, INDArray b, Activation act, INDArray out) {
    if (!usable(x, w, b, out) || x.rank() != 2 || w.rank() != 2 || x.shape()[1] != w.shape()[0]) return false;
    long rows = x.shape()[0];
    long in = w.shape()[0];
    long outCols = w.shape()[1];
    DensePrims p = prims(Arrays.asList("dense", rows, in, outCols, act),
        () -> new DensePrims(this, rows, in, outCols, act));
    if (p == null) return false;
    p.run(x, w, b, out);
    return true;
  }

  @Override
  public synchronized boolean denseGrad(INDArray x, INDArray w, INDArray b, Activation act, INDArray dy,
      INDArray dx, INDArray dw, INDArray db) {
    if (!usable(x, w, b, dy, dx, dw, db) || x.rank() != 2 || w.rank() != 2 || x.shape()[1] != w.shape()[0]) return false;
    long rows = x.shape()[0];
    long in = w.shape()[0];
    long outCols = w.shape()[1];
    DenseGradPrims p = prims(Arrays.asList("dense_grad", rows, in, outCols, act),
        () -> new DenseGradPrims(this, rows, in, outCols, act));
    if (p == null) return false;
    p.run(x, w, b, dy, dx, dw, db);
    return true;
  }

  @Override
  public synchronized boolean layerNorm(INDArray x, INDArray residual, INDArray gamma, INDArray beta, double eps,
      INDArray out) {
    if (!usable(x, gamma, beta, out) || (residual != null && !usable(residual)) || x.rank() != 2) return false;
    long rows = x.shape()[0];
    long h = x.shape()[1];
    LayerNormPrims p = prims(Arrays.asList("layer_norm", rows, h, (float) eps, residual != null),
        () -> new LayerNormPrims(this, rows, h, (float) eps, residual != null));
    if (p == null) return false;
    p.run(x, residual, gamma, beta, out);
    return true;
  }

  @Override
  public synchronized boolean layerNormGrad(INDArray x, INDArray residual, INDArray gamma, double eps, INDArray dy,
      INDArray ds, INDArray dgamma, INDArray dbeta) {
    if (!usable(x, gamma, dy, ds, dgamma, dbeta) || (residual != null && !usable(residual)) || x.rank() != 2) {
      return false;
    }
    long rows = x.shape()[0];
    long h = x.shape()[1];
    LayerNormGradPrims p = prims(Arrays.asList("layer_norm_grad", rows, h, (float) eps, residual != null),
        () -> new LayerNormGradPrims(this, rows, h, (float) eps, residual != null));
    if (p == null) return false;
    p.run(x, residual, gamma, dy, ds, dgamma, dbeta);
    return true;
  }

  /**
   * The cached primitives of {@code key}, created on first use; null when oneDNN cannot create them for this shape
   * (remembered, so the session's libnd4j fallback, which logs one line, is taken at once the next time).
   */
  @SuppressWarnings("unchecked")
  private <P extends Primitives> P prims(List<Object> key, Supplier<P> create) {
    Primitives p = cache.get(key);
    if (p == null) {
      try {
        p = create.get();
      } catch (RuntimeException e) {
        LOG.warn("oneDNN cannot create the primitives of {} ({}); libnd4j runs them", key, e.toString());
        p = DECLINED;
      }
      cache.put(key, p);
    }
    return p == DECLINED ? null : (P) p;
  }

  /** Marks a shape oneDNN declined. */
  private static final Primitives DECLINED = new Primitives() {
    @Override
    void close() {}
  };

  /**
   * Scratch {@code slot} of at least {@code bytes}, 64-byte aligned, grown (never shrunk) on demand: one buffer per slot
   * whatever the shapes, so bucketed batch and sequence lengths do not multiply the memory.
   */
  org.bytedeco.javacpp.Pointer scratch(int slot, long bytes) {
    org.bytedeco.javacpp.BytePointer p = scratch[slot];
    if (p == null || p.capacity() < bytes + 64) {
      if (p != null) p.close();
      p = new org.bytedeco.javacpp.BytePointer(bytes + 64);
      scratch[slot] = p;
    }
    long misalign = p.address() % 64;
    return new org.bytedeco.javacpp.BytePointer(p).position(misalign == 0 ? 0 : 64 - misalign);
  }

  /** The primitives cached now (for tests). */
  synchronized int cachedShapes() {
    return cache.size();
  }

  /** Float32, c-ordered and contiguous (the strides this class describes to oneDNN). */
  static boolean usable(INDArray... arrays) {
    for (INDArray a : arrays) {
      if (a == null || a.dataType() != DataType.FLOAT || a.isEmpty()) return false;
      long[] shape = a.shape();
      long[] strides = a.stride();
      long expect = 1;
      for (int i = shape.length - 1; i >= 0; i--) {
        if (shape[i] != 1 && strides[i] != expect) return false;
        expect *= shape[i];
      }
    }
    return true;
  }

  /** A primitive-attribute argument key of binary post-op {@code index}. */
  static int postOpSrc1(int index) {
    return (DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE * (index + 1)) | DNNL_ARG_SRC_1;
  }

  static final int SRC = DNNL_ARG_SRC;
  static final int WEIGHTS = DNNL_ARG_WEIGHTS;
  static final int BIAS = DNNL_ARG_BIAS;
  static final int DST = DNNL_ARG_DST;
  static final int SCALE = DNNL_ARG_SCALE;
  static final int SHIFT = DNNL_ARG_SHIFT;

  /** Cached primitives of one shape. */
  abstract static class Primitives {
    /** Frees what the primitives hold natively. */
    abstract void close();

    /** Points {@code m} at {@code a}'s first element. */
    static void bind(memory m, INDArray a) {
      m.set_data_handle(a.data().addressPointer());
    }
  }
}
