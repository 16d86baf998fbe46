package org.jbert.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jbert.core.JbertException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The machine's float32 matrix-multiply speed: square n x n times n x n products (2*n^3 FLOPs each) in nd4j
 * ({@code INDArray.mmuli} into a preallocated output, i.e. nd4j's BLAS sgemm) and in TensorFlow (TF Java MatMul of two
 * fed tensors, summed to a scalar so that copying the n x n result out is not timed). Per size: one warm-up product,
 * then timed products until at least {@value #MIN_SECONDS} s and {@value #MIN_REPS} products have run (at most
 * {@value #MAX_REPS}); the size's figure is the median GFLOP/s of those products. The peak is the best size.
 */
public final class Sgemm {
  static final double MIN_SECONDS = 1.0;
  static final int MIN_REPS = 3;
  static final int MAX_REPS = 20;

  private Sgemm() {}

  /** One size's measurement. */
  public record Point(String engine, int n, double gflops, int reps) {}

  /**
   * One product [m,k] x [k,n] through nd4j's {@code matmul} op.
   *
   * @param dtype the operands' type: FLOAT, or BFLOAT16 (then the output is bf16 too: the only bf16 combination
   *     the oneDNN matmul helper of nd4j-native M2.1 takes)
   * @param gflops median GFLOP/s
   * @param maxRelError for bf16, max |bf16 product - float32 product| over max |float32 product|; 0 for FLOAT
   */
  public record OpPoint(String dtype, int m, int k, int n, double gflops, int reps, double maxRelError) {
    /** Seconds per product at the measured rate. */
    public double seconds() {
      return 2.0 * m * k * n / 1e9 / gflops;
    }
  }

  /** The sizes measured up to {@code maxN}: maxN/4, maxN/2 and maxN, those of them at least 16. */
  public static List<Integer> sizes(int maxN) {
    if (maxN < 16) throw new JbertException("sgemm size " + maxN + "; expected >= 16");
    List<Integer> out = new ArrayList<>();
    for (int n : new int[] {maxN / 4, maxN / 2, maxN}) if (n >= 16) out.add(n);
    return out;
  }

  /** The point with the highest GFLOP/s. */
  public static Point peak(List<Point> points) {
    Point best = null;
    for (Point p : points) if (best == null || p.gflops() > best.gflops()) best = p;
    if (best == null) throw new IllegalArgumentException("no sgemm points");
    return best;
  }

  /** nd4j's GFLOP/s for n x n times n x n, float32. */
  public static Point nd4j(int n) {
    float[][] ab = operands(n);
    try (INDArray a = Nd4j.create(ab[0], new long[] {n, n}, 'c');
        INDArray b = Nd4j.create(ab[1], new long[] {n, n}, 'c');
        INDArray out = Nd4j.create(DataType.FLOAT, n, n)) {
      return time("nd4j", 2.0 * n * n * n / 1e9, n, () -> a.mmuli(b, out));
    }
  }

  /**
   * nd4j's {@code matmul} op (what the encoder graph runs: oneDNN's matmul in the {@code -onednn} builds of
   * nd4j-native, its BLAS otherwise) on [m,k] x [k,n] in {@code dtype} (FLOAT or BFLOAT16; see {@link OpPoint}).
   */
  public static OpPoint matmulOp(int m, int k, int n, DataType dtype) {
    if (dtype != DataType.FLOAT && dtype != DataType.BFLOAT16) {
      throw new JbertException("matmul benchmark dtype " + dtype + "; expected FLOAT or BFLOAT16");
    }
    float[] av = values(m * k, 31L * m + k), bv = values(k * n, 17L * k + n);
    try (INDArray a32 = Nd4j.create(av, new long[] {m, k}, 'c');
        INDArray b32 = Nd4j.create(bv, new long[] {k, n}, 'c');
        INDArray z32 = Nd4j.create(DataType.FLOAT, m, n);
        INDArray a = a32.castTo(dtype); INDArray b = b32.castTo(dtype);
        INDArray z = Nd4j.create(dtype, m, n)) {
      Point p = time("nd4j matmul " + dtype, 2.0 * m * k * n / 1e9, n,
          () -> Nd4j.exec(new Mmul(a, b, z, null)));
      double err = 0;
      if (dtype != DataType.FLOAT) {
        Nd4j.exec(new Mmul(a32, b32, z32, null));
        try (INDArray zf = z.castTo(DataType.FLOAT); INDArray diff = zf.sub(z32)) {
          err = diff.amaxNumber().doubleValue() / z32.amaxNumber().doubleValue();
        }
      }
      return new OpPoint(dtype.name(), m, k, n, p.gflops(), p.reps(), err);
    }
  }

  private static float[] values(int len, long seed) {
    Random rnd = new Random(seed);
    float[] v = new float[len];
    for (int i = 0; i < len; i++) v[i] = rnd.nextFloat() - 0.5f;
    return v;
  }

  /** TensorFlow's GFLOP/s for n x n times n x n, float32. */
  public static Point tensorflow(int n) {
    float[][] ab = operands(n);
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 ta = TFloat32.tensorOf(Shape.of(n, n), DataBuffers.of(ab[0], true, false));
        TFloat32 tb = TFloat32.tensorOf(Shape.of(n, n), DataBuffers.of(ab[1], true, false))) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> pa = tf.placeholder(TFloat32.class);
      Operand<TFloat32> pb = tf.placeholder(TFloat32.class);
      Operand<TFloat32> sum = tf.reduceSum(tf.linalg.matMul(pa, pb), tf.constant(new int[] {0, 1}));
      return time("tensorflow", 2.0 * n * n * n / 1e9, n, () -> {
        try (Result r = s.runner().feed(pa, ta).feed(pb, tb).fetch(sum).run()) {
          r.get(0);
        }
      });
    }
  }

  private static float[][] operands(int n) {
    Random rnd = new Random(n);
    float[] a = new float[n * n];
    float[] b = new float[n * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = rnd.nextFloat() - 0.5f;
      b[i] = rnd.nextFloat() - 0.5f;
    }
    return new float[][] {a, b};
  }

  private static Point time(String engine, double gflop, int n, Runnable product) {
    product.run(); // warm-up: thread pools, first-touch of the output
    List<Double> rates = new ArrayList<>();
    double elapsed = 0;
    while (rates.size() < MAX_REPS && (rates.size() < MIN_REPS || elapsed < MIN_SECONDS)) {
      long t0 = System.nanoTime();
      product.run();
      double s = (System.nanoTime() - t0) / 1e9;
      elapsed += s;
      rates.add(gflop / s);
    }
    double[] r = rates.stream().mapToDouble(Double::doubleValue).toArray();
    return new Point(engine, n, TrainStepBenchmark.median(r), r.length);
  }
}
