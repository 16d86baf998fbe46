package org.jbert.core.train;

/**
 * A small random generator (SplitMix64) whose whole state is one {@code long}, so a checkpoint stores it exactly and
 * a resumed run draws the same numbers. Used for the data order and to derive per-step seeds.
 */
public final class Rng {
  private long state;

  public Rng(long seed) {
    this.state = seed;
  }

  /** The state to save; {@code new Rng(state())} continues the same sequence. */
  public long state() {
    return state;
  }

  public long nextLong() {
    state += 0x9E3779B97F4A7C15L;
    return mix(state);
  }

  /** Uniform in [0, bound), without modulo bias. */
  public int nextInt(int bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound " + bound + " must be > 0");
    long u = nextLong() >>> 1;  // 63 uniform bits
    long r = u % bound;
    while (u - r + (bound - 1) < 0) {  // u fell in the top partial block: draw again
      u = nextLong() >>> 1;
      r = u % bound;
    }
    return (int) r;
  }

  /** A permutation of 0..n-1 (Fisher-Yates). */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** A well-mixed seed from several numbers, e.g. (run seed, step, micro-batch) for the ops' random generator. */
  public static long seed(long... parts) {
    long h = 0x632BE59BD9B4E019L;
    for (long p : parts) h = mix(h ^ mix(p + 0x9E3779B97F4A7C15L));
    return h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
