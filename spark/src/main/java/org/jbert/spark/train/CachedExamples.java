package org.jbert.spark.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.jbert.core.train.BatchSource;
import scala.Tuple2;

/**
 * A run's training examples cached on the executors: one single-row share per example, keyed by its index, in
 * {@code partitions} partitions (contiguous index ranges, one Spark task each), persisted in executor memory. A step
 * then ships only its example indices; each partition takes its rows of the batch ({@link #rows}).
 *
 * <p>Rows are stored as the source pads them in a batch with the longest example (each chunk is built with that
 * example first, then dropped), so a worker cuts them to a batch's width ({@link Sharding#join}) and gets exactly the
 * arrays, padding values included, that the source's own batch of those rows holds. A row's width is that of its
 * single-row batch, and a batch's width is the largest of its rows': the source must pad a batch to its longest row
 * (finetune's TaskData does).
 *
 * @param <S> a share
 */
final class CachedExamples<S extends Serializable> implements AutoCloseable {
  /** Examples per batch the driver builds while caching. */
  private static final int CHUNK = 256;

  private final JavaPairRDD<Integer, S> rows;
  private final int[] widths;

  private CachedExamples(JavaPairRDD<Integer, S> rows, int[] widths) {
    this.rows = rows;
    this.widths = widths;
  }

  /** Builds every example of {@code source} once on the driver and caches the rows on the executors. */
  static <B, S extends Serializable> CachedExamples<S> of(JavaSparkContext sc, BatchSource<B> source,
      Sharding<B, S> sharding, int partitions) {
    int n = source.size();
    int[] widths = new int[n];
    int longest = 0;
    for (int i = 0; i < n; i++) {
      widths[i] = sharding.width(only(sharding, source, new int[] {i}));
      if (widths[i] > widths[longest]) longest = i;
    }
    List<Tuple2<Integer, S>> all = new ArrayList<>(n);
    for (int from = 0; from < n; from += CHUNK - 1) {
      int to = Math.min(n, from + CHUNK - 1);
      int[] idx = new int[to - from + 1];
      idx[0] = longest;
      for (int i = from; i < to; i++) idx[i - from + 1] = i;
      B b = source.batch(idx);
      List<S> split;
      try {
        split = sharding.split(b, idx.length);
      } finally {
        close(b);
      }
      for (int k = 1; k < idx.length; k++) all.add(new Tuple2<>(idx[k], split.get(k)));
    }
    JavaPairRDD<Integer, S> rdd = sc.parallelizePairs(all, Math.max(1, Math.min(partitions, n)))
        .persist(StorageLevel.MEMORY_ONLY());
    rdd.count();
    return new CachedExamples<>(rdd, widths);
  }

  private static <B, S extends Serializable> S only(Sharding<B, S> sharding, BatchSource<B> source, int[] idx) {
    B b = source.batch(idx);
    try {
      return sharding.split(b, 1).get(0);
    } finally {
      close(b);
    }
  }

  private static void close(Object batch) {
    if (batch instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing a batch failed", e);
      }
    }
  }

  /** The cached rows, keyed by example index. */
  JavaPairRDD<Integer, S> rows() {
    return rows;
  }

  /** Number of examples. */
  int size() {
    return widths.length;
  }

  /** The width of the source's batch of {@code indices}: the widest of their rows. */
  int width(int[] indices) {
    int w = 1;
    for (int i : indices) w = Math.max(w, widths[i]);
    return w;
  }

  /** Drops the cached rows from the executors. */
  @Override
  public void close() {
    rows.unpersist(false);
  }
}
