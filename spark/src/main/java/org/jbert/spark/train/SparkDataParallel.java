package org.jbert.spark.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.jbert.core.JbertException;
import org.jbert.core.train.BatchSource;
import org.jbert.core.train.Trainable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Data-parallel training on Spark as a {@link Trainable}: hand it to the unchanged {@link org.jbert.core.train.Trainer}
 * in place of the model, and each micro-batch's forward and backward pass runs on {@code workers} Spark tasks. Per
 * call (one Spark job):
 *
 * <ol>
 *   <li>the driver broadcasts the current weights (the driver model's parameters, which the trainer updates);
 *   <li>the micro-batch is cut into {@code workers} shares by rows ({@link Sharding});
 *   <li>each task takes a replica of the model from its JVM's pool (built once by {@code replicas}), assigns the
 *       weights, and returns the summed gradient of its share (its mean gradient times its example count) and its
 *       summed loss;
 *   <li>the gradients are added up and divided by the micro-batch's example count: the mean loss and gradient of the
 *       whole micro-batch, for losses that are means over examples (classification, regression, QA; a tagger's loss is
 *       a mean over tokens, which this weights by examples). {@link Reduction#DRIVER} collects every worker's whole
 *       gradient and sums them on the driver; {@link Reduction#SHUFFLE} sums them in a reduce-scatter through a Spark
 *       shuffle, so the driver receives one gradient's bytes whatever the number of workers. Both add the workers'
 *       gradients in worker order in double precision: the same floats either way.
 * </ol>
 *
 * With {@link #cache}, the training examples are cached on the executors once ({@link CachedExamples}, one partition
 * per worker) and a step's job ships only the micro-batch's example indices: each partition runs its rows of the
 * batch (shares are then as uneven as the indices fall; the average by example count keeps the step the same), cut
 * to the width of the whole batch, so every worker computes on the arrays the single process would. Without it,
 * the driver cuts each micro-batch into {@code workers} near-equal shares and ships their rows in the tasks.
 *
 * <p>The trainer then clips, schedules and applies AdamW on the driver exactly as in a single process; checkpoints,
 * resume and metrics are the trainer's. {@code grad_accum_steps} > 1 accumulates several such jobs per optimizer
 * step (the micro-batches per averaging step). Dropout masks: each share's replica is seeded from the trainer's seed
 * and the share index, so a run with dropout is reproducible for a given worker count (not equal to one process).
 *
 * <p>Each job is timed where its parts happen ({@link StepTimings}: the broadcast on the driver and the first read in
 * the tasks, each worker's forward and backward passes, the transfer, the driver's reduction, the gradient bytes);
 * {@link #stepMetrics} hands the trainer the sums of one optimizer step for its {@code metrics.jsonl} line.
 *
 * @param <B> the micro-batch type
 * @param <S> a share
 */
public final class SparkDataParallel<B, S extends Serializable> implements Trainable<B>, AutoCloseable {

  /** Builds a model replica on a worker (e.g. loads the run's initial model folder); serializable. */
  @FunctionalInterface
  public interface ReplicaFactory<B> extends Serializable {
    Trainable<B> create();
  }

  /** How the workers' gradients are summed into the micro-batch's mean gradient. */
  public enum Reduction {
    /** The driver collects each worker's whole gradient and sums them: N gradients into the driver. */
    DRIVER,
    /**
     * A reduce-scatter through a Spark shuffle: each worker cuts its gradient into {@code workers} slices, as many
     * reduce tasks each sum one slice over all workers, and the driver collects the summed slices (one gradient's
     * bytes). Each node sends and receives about one gradient a step, so the transfer does not grow with N.
     */
    SHUFFLE;

    /** The reduction named {@code value} ({@code driver}, {@code shuffle}); {@code what} names the setting. */
    public static Reduction parse(String value, String what) {
      for (Reduction r : values()) {
        if (r.name().equalsIgnoreCase(value == null ? "" : value.strip())) return r;
      }
      throw new JbertException(what + " is " + value + "; expected driver or shuffle");
    }
  }

  /** One worker's summed loss and gradients, and what it measured. */
  record Part(int worker, int examples, double lossSum, Map<String, float[]> gradSums, StepTimings.Worker timing)
      implements Serializable {}

  /**
   * What a shuffle reduction moves: from a worker, slice {@code k} of its summed gradient (or, under key -1, only its
   * count, loss and timing); from a reduce task, the slice's mean over all workers (worker -1) and every worker's
   * count, loss and timing under key -1.
   */
  record Slice(int worker, int examples, int senders, double lossSum, List<StepTimings.Worker> timings,
      float[] values) implements Serializable {}

  /** Tests only: how many of the next worker tasks fail on purpose (Spark must retry them). */
  static final java.util.concurrent.atomic.AtomicInteger INJECTED_FAILURES =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Per JVM: idle replicas by run key, one per task running at once. */
  private static final Map<String, Queue<Trainable<?>>> POOL = new ConcurrentHashMap<>();

  private final JavaSparkContext sc;
  private final Trainable<B> driver;
  private final int workers;
  private final String key;
  private final ReplicaFactory<B> replicas;
  private final Sharding<B, S> sharding;
  private int microBatches = 1;
  private Reduction reduction = Reduction.DRIVER;
  private long seed;
  private CachedExamples<S> cached;
  /** The example indices of the batches the cached source handed out and the trainer has not run yet. */
  private final Map<B, int[]> pending = Collections.synchronizedMap(new IdentityHashMap<>());
  private final StepTimings timings = new StepTimings();

  /**
   * @param driver the model whose parameters the trainer updates (its own forward pass is never run)
   * @param workers shares per micro-batch (Spark tasks per job)
   * @param key names the replicas in the executors' pools (one per run: the initial model folder, say)
   */
  public SparkDataParallel(JavaSparkContext sc, Trainable<B> driver, int workers, String key,
      ReplicaFactory<B> replicas, Sharding<B, S> sharding) {
    if (workers < 1) throw new JbertException("distributed.workers " + workers + "; expected at least 1");
    this.sc = sc;
    this.driver = driver;
    this.workers = workers;
    this.key = key;
    this.replicas = replicas;
    this.sharding = sharding;
  }

  /**
   * Each worker cuts its share into {@code m} micro-batches, runs them one after another and returns their summed
   * gradient once (less memory per worker; the same mean gradient).
   */
  public SparkDataParallel<B, S> microBatches(int m) {
    if (m < 1) throw new JbertException("distributed.micro_batches " + m + "; expected at least 1");
    this.microBatches = m;
    return this;
  }

  /** How the workers' gradients are summed ({@link Reduction#DRIVER} unless set). */
  public SparkDataParallel<B, S> reduction(Reduction r) {
    this.reduction = java.util.Objects.requireNonNull(r, "reduction");
    return this;
  }

  /**
   * Caches {@code source}'s examples on the executors (dropping any earlier cache) and returns the source to hand the
   * trainer instead: its batches are empty stand-ins that carry their example indices to {@link #lossAndGradients},
   * whose job then reads the rows from the cache. {@link #close} drops the cache.
   */
  public BatchSource<B> cache(BatchSource<B> source) {
    close();
    cached = CachedExamples.of(sc, source, sharding, workers);
    return new BatchSource<>() {
      @Override
      public int size() {
        return source.size();
      }

      @Override
      public B batch(int[] indices) {
        B stub = sharding.batch(sharding.join(List.of(), 0));
        pending.put(stub, indices.clone());
        return stub;
      }
    };
  }

  /** Drops the cached examples from the executors (nothing to do without {@link #cache}). */
  @Override
  public void close() {
    if (cached != null) cached.close();
    cached = null;
    pending.clear();
  }

  @Override
  public Map<String, INDArray> parameters() {
    return driver.parameters();
  }

  @Override
  public void seedRandom(long seed) {
    this.seed = seed;
  }

  /** The step's timings ({@link StepTimings}' keys), summed over its jobs since the last call. */
  @Override
  public Map<String, Double> stepMetrics() {
    return timings.drain();
  }

  @Override
  public LossAndGradients lossAndGradients(B batch) {
    long t0 = System.nanoTime();
    Map<String, INDArray> params = driver.parameters();
    Map<String, float[]> weights = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      weights.put(e.getKey(), floats(e.getValue()));
      shapes.put(e.getKey(), e.getValue().shape());
    }
    Broadcast<Map<String, float[]>> w = sc.broadcast(weights);
    long t1 = System.nanoTime();
    int[] indices = pending.remove(batch);
    String k = key;
    long s = seed;
    int m = microBatches;
    ReplicaFactory<B> f = replicas;
    Sharding<B, S> sh = sharding;
    List<String> names = new ArrayList<>(shapes.keySet());
    long[] lengths = new long[names.size()];
    for (int i = 0; i < lengths.length; i++) lengths[i] = weights.get(names.get(i)).length;
    org.apache.spark.api.java.JavaRDD<Part> work;
    if (indices != null) {
      if (cached == null) throw new IllegalStateException("a cached batch after close()");
      int width = cached.width(indices);
      work = cached.rows().mapPartitionsWithIndex((p, it) -> List.of(work(p, k, f, sh,
          sh.join(rowsOf(it, indices), width), m, w, s * 31 + p)).iterator(), false);
    } else {
      List<S> shares = sharding.split(batch, workers);
      List<Integer> index = new ArrayList<>();
      for (int i = 0; i < shares.size(); i++) index.add(i);
      work = sc.parallelize(index, index.size()).map(i -> work(i, k, f, sh, shares.get(i), m, w, s * 31 + i));
    }
    int n = 0;
    long bytes = 0;
    List<StepTimings.Worker> measured = new ArrayList<>();
    double loss = 0;
    Map<String, INDArray> grads = new LinkedHashMap<>();
    long t2;
    if (reduction == Reduction.DRIVER) {
      List<Part> parts;
      try {
        parts = work.collect();
      } finally {
        w.destroy();
      }
      t2 = System.nanoTime();
      Map<String, double[]> sum = new LinkedHashMap<>();
      for (Part p : parts) {
        n += p.examples();
        loss += p.lossSum();
        measured.add(p.timing());
        for (Map.Entry<String, float[]> e : p.gradSums().entrySet()) {
          double[] acc = sum.computeIfAbsent(e.getKey(), x -> new double[e.getValue().length]);
          float[] g = e.getValue();
          bytes += 4L * g.length;
          for (int j = 0; j < g.length; j++) acc[j] += g[j];
        }
      }
      for (String name : names) { // the driver's parameter order, as the shuffle reduction hands them over
        double[] a = sum.get(name);
        if (a == null) continue;
        float[] mean = new float[a.length];
        for (int j = 0; j < a.length; j++) mean[j] = (float) (a[j] / n);
        grads.put(name, Nd4j.createFromArray(mean).reshape(shapes.get(name)));
      }
    } else {
      int slices = workers;
      List<scala.Tuple2<Integer, Slice>> reduced;
      try {
        reduced = work.flatMapToPair(p -> slicesOf(p, names, lengths, slices).iterator())
            .groupByKey(new org.apache.spark.HashPartitioner(slices + 1))
            .mapValues(SparkDataParallel::sumSlices).collect();
      } finally {
        w.destroy();
      }
      t2 = System.nanoTime();
      long total = 0;
      for (long len : lengths) total += len;
      float[] flat = new float[Math.toIntExact(total)];
      int senders = 0;
      for (scala.Tuple2<Integer, Slice> r : reduced) {
        Slice v = r._2();
        if (r._1() < 0) {
          n = v.examples();
          loss = v.lossSum();
          senders = v.senders();
          measured.addAll(v.timings());
        } else {
          System.arraycopy(v.values(), 0, flat, (int) sliceStart(total, slices, r._1()), v.values().length);
        }
      }
      bytes = 4L * total * senders; // what the workers sent; the driver received 4 * total
      int at = 0;
      for (int i = 0; i < names.size(); i++) {
        float[] g = java.util.Arrays.copyOfRange(flat, at, at + (int) lengths[i]);
        at += (int) lengths[i];
        grads.put(names.get(i), Nd4j.createFromArray(g).reshape(shapes.get(names.get(i))));
      }
    }
    timings.add((t1 - t0) / 1e9, (t2 - t1) / 1e9, measured, bytes, (System.nanoTime() - t2) / 1e9);
    return new LossAndGradients(loss / n, grads);
  }

  /** Where slice {@code k} of {@code slices} of a vector of {@code total} values starts. */
  static long sliceStart(long total, int slices, int k) {
    return total * k / slices;
  }

  /**
   * A worker's part as shuffle records: its count, loss and timing under key -1 and, when it ran rows, slice k of its
   * summed gradient (the parameters in the driver's order, flattened) under key k.
   */
  static List<scala.Tuple2<Integer, Slice>> slicesOf(Part p, List<String> names, long[] lengths, int slices) {
    List<scala.Tuple2<Integer, Slice>> out = new ArrayList<>(slices + 1);
    out.add(new scala.Tuple2<>(-1, new Slice(p.worker(), p.examples(),
        p.examples() > 0 ? 1 : 0, p.lossSum(), List.of(p.timing()), null)));
    if (p.examples() == 0) return out;
    long total = 0;
    for (long len : lengths) total += len;
    float[] flat = new float[Math.toIntExact(total)];
    int at = 0;
    for (int i = 0; i < names.size(); i++) {
      float[] g = p.gradSums().get(names.get(i));
      if (g == null || g.length != lengths[i]) {
        throw new JbertException("worker " + p.worker() + " sent " + (g == null ? "no" : g.length + " values of the")
            + " gradient of " + names.get(i) + "; expected " + lengths[i]);
      }
      System.arraycopy(g, 0, flat, at, g.length);
      at += g.length;
    }
    for (int k = 0; k < slices; k++) {
      int from = (int) sliceStart(total, slices, k);
      int to = (int) sliceStart(total, slices, k + 1);
      out.add(new scala.Tuple2<>(k, new Slice(p.worker(), p.examples(), 1, 0, null,
          java.util.Arrays.copyOfRange(flat, from, to))));
    }
    return out;
  }

  /**
   * On a reduce task: the workers' records of one key in worker order; for a slice, their sum in double divided by
   * the example count (as the driver reduction does it); for key -1, the total count and loss and every timing.
   */
  static Slice sumSlices(Iterable<Slice> records) {
    List<Slice> in = new ArrayList<>();
    records.forEach(in::add);
    in.sort(java.util.Comparator.comparingInt(Slice::worker));
    int n = 0;
    for (Slice r : in) n += r.examples();
    if (in.get(0).values() == null) { // key -1
      double loss = 0;
      int senders = 0;
      List<StepTimings.Worker> timings = new ArrayList<>();
      for (Slice r : in) {
        loss += r.lossSum();
        senders += r.senders();
        timings.addAll(r.timings());
      }
      return new Slice(-1, n, senders, loss, timings, null);
    }
    double[] acc = new double[in.get(0).values().length];
    for (Slice r : in) {
      float[] g = r.values();
      for (int j = 0; j < g.length; j++) acc[j] += g[j];
    }
    float[] mean = new float[acc.length];
    for (int j = 0; j < acc.length; j++) mean[j] = (float) (acc[j] / n);
    return new Slice(-1, n, in.size(), 0, null, mean);
  }

  /** A partition's rows of the batch {@code indices}, in the batch's order. */
  private static <S> List<S> rowsOf(Iterator<scala.Tuple2<Integer, S>> partition, int[] indices) {
    Map<Integer, S> mine = new HashMap<>();
    java.util.Set<Integer> wanted = new java.util.HashSet<>();
    for (int i : indices) wanted.add(i);
    while (partition.hasNext()) {
      scala.Tuple2<Integer, S> r = partition.next();
      if (wanted.contains(r._1())) mine.put(r._1(), r._2());
    }
    List<S> out = new ArrayList<>(mine.size());
    for (int i : indices) {
      S row = mine.get(i);
      if (row != null) out.add(row);
    }
    return out;
  }

  /**
   * On a worker: a pooled replica, the broadcast weights, then {@code micro} forward and backward passes over the
   * share's parts, their gradients and losses summed (each mean times its part's example count); the first read of
   * the weights and the forward and backward passes are timed.
   */
  @SuppressWarnings("unchecked")
  private static <B, S extends Serializable> Part work(int worker, String key, ReplicaFactory<B> factory,
      Sharding<B, S> sharding, S share, int micro, Broadcast<Map<String, float[]>> broadcast, long seed)
      throws Exception {
    if (INJECTED_FAILURES.getAndUpdate(x -> Math.max(0, x - 1)) > 0) {
      throw new IllegalStateException("a task failure injected by a test");
    }
    if (sharding.size(share) == 0) { // a partition with no row of this batch
      return new Part(worker, 0, 0, Map.of(), new StepTimings.Worker(0, 0));
    }
    long t0 = System.nanoTime();
    Map<String, float[]> weights = broadcast.value();
    double read = (System.nanoTime() - t0) / 1e9;
    long compute = 0;
    Queue<Trainable<?>> idle = POOL.computeIfAbsent(key, x -> new ConcurrentLinkedQueue<>());
    Trainable<B> replica = (Trainable<B>) idle.poll();
    if (replica == null) replica = factory.create();
    try {
      for (Map.Entry<String, INDArray> e : replica.parameters().entrySet()) {
        float[] v = weights.get(e.getKey());
        if (v == null) throw new JbertException("the driver sent no weights for " + e.getKey());
        try (INDArray src = Nd4j.createFromArray(v).reshape(e.getValue().shape())) {
          e.getValue().assign(src);
        }
      }
      List<S> parts;
      if (micro == 1) {
        parts = List.of(share);
      } else {
        B whole = sharding.batch(share);
        try {
          parts = sharding.split(whole, micro);
        } finally {
          if (whole instanceof AutoCloseable c) c.close();
        }
      }
      int total = 0;
      double lossSum = 0;
      Map<String, float[]> g = new LinkedHashMap<>();
      for (int p = 0; p < parts.size(); p++) {
        B batch = sharding.batch(parts.get(p));
        int n = sharding.size(parts.get(p));
        replica.seedRandom(seed * 131 + p);
        LossAndGradients r;
        try {
          long c0 = System.nanoTime();
          r = replica.lossAndGradients(batch);
          compute += System.nanoTime() - c0;
        } finally {
          if (batch instanceof AutoCloseable c) c.close();
        }
        total += n;
        lossSum += r.loss() * n;
        for (Map.Entry<String, INDArray> e : r.gradients().entrySet()) {
          float[] x = floats(e.getValue());
          float[] acc = g.get(e.getKey());
          if (acc == null) {
            for (int j = 0; j < x.length; j++) x[j] *= n;
            g.put(e.getKey(), x);
          } else {
            for (int j = 0; j < x.length; j++) acc[j] += x[j] * n;
          }
          e.getValue().close();
        }
      }
      return new Part(worker, total, lossSum, g, new StepTimings.Worker(read, compute / 1e9));
    } finally {
      idle.add(replica);
    }
  }

  private static float[] floats(INDArray a) {
    try (INDArray c = a.castTo(DataType.FLOAT).dup('c')) {
      return c.data().asFloat();
    }
  }
}
