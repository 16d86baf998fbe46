package org.jbert.eval.bench;

import java.util.Locale;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * The GEMM at the heart of BERT-base inference, alone: [M,K] x [K,N] float32 with M = B*T = 4096, K = 768,
 * N = 3072 (the intermediate dense layer at B=32, T=128), in nd4j (OpenBLAS via {@code INDArray.mmul}) and in
 * TensorFlow (TF Java 0.5.0 MatMul, both operands constants in the graph). Prints GFLOP/s per wall second and per
 * process CPU second. A measurement, not a test.
 *
 * <p>Usage: {@code MatmulBenchmark [reps=10]}.
 */
public final class MatmulBenchmark {
  private MatmulBenchmark() {}

  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0].replace("reps=", "")) : 10;
    int m = 4096;
    int k = 768;
    int n = 3072;
    Random rnd = new Random(1);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() - 0.5f;
    for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() - 0.5f;
    double gflop = 2.0 * m * k * n / 1e9;

    try (INDArray x = Nd4j.create(a, new long[] {m, k}, 'c'); INDArray w = Nd4j.create(b, new long[] {k, n}, 'c');
        INDArray out = Nd4j.create(DataType.FLOAT, m, n)) {
      x.mmuli(w, out); // warm-up
      double c0 = InferenceBenchmark.cpuSeconds();
      long t0 = System.nanoTime();
      for (int r = 0; r < reps; r++) x.mmuli(w, out);
      report("nd4j", reps * gflop, (System.nanoTime() - t0) / 1e9, InferenceBenchmark.cpuSeconds() - c0);
    }

    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 ta = TFloat32.tensorOf(Shape.of(m, k), DataBuffers.of(a, true, false));
        TFloat32 tb = TFloat32.tensorOf(Shape.of(k, n), DataBuffers.of(b, true, false))) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> pa = tf.placeholder(TFloat32.class);
      Operand<TFloat32> pb = tf.placeholder(TFloat32.class);
      // Sum of the product so only a scalar comes back: the copy-out of [M,N] is not part of the GEMM.
      Operand<TFloat32> prod = tf.reduceSum(tf.linalg.matMul(pa, pb), tf.constant(new int[] {0, 1}));
      s.runner().feed(pa, ta).feed(pb, tb).fetch(prod).run().close(); // warm-up
      double c0 = InferenceBenchmark.cpuSeconds();
      long t0 = System.nanoTime();
      for (int r = 0; r < reps; r++) {
        try (Result res = s.runner().feed(pa, ta).feed(pb, tb).fetch(prod).run()) {
          res.get(0);
        }
      }
      report("tensorflow", reps * gflop, (System.nanoTime() - t0) / 1e9, InferenceBenchmark.cpuSeconds() - c0);
    }
  }

  private static void report(String what, double gflop, double wall, double cpu) {
    System.out.printf(Locale.ROOT, "%s: %.1f GFLOP in %.2f s wall, %.2f s cpu -> %.1f GFLOP/s, %.1f GFLOP per cpu-s%n",
        what, gflop, wall, cpu, gflop / wall, gflop / cpu);
    System.out.printf(Locale.ROOT, "%s_gemm_gflops=%.1f%n%s_gemm_gflop_per_cpu_s=%.1f%n", what, gflop / wall, what,
        gflop / cpu);
  }
}
