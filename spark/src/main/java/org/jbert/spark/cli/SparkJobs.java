package org.jbert.spark.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;

/**
 * What {@code jbert spark} commands share: the session (an embedded {@code local[N]} master by default), reading
 * JSON Lines or Parquet with an {@code id} column, writing Parquet with nothing partial left behind, and turning a
 * failed Spark job whose cause is a {@link JbertException} (bad input, on the driver or in a task) back into that
 * one-line error.
 */
final class SparkJobs implements AutoCloseable {
  /** Seconds to wait for a {@code spark://} master to accept a connection before calling it unreachable. */
  static final int MASTER_PROBE_SECONDS = 5;

  private final SparkSession spark;
  private final boolean owned;

  private SparkJobs(SparkSession spark, boolean owned) {
    this.spark = spark;
    this.owned = owned;
  }

  /**
   * A session on {@code master}: the running one when this JVM already has one (a JVM holds one SparkContext; tests,
   * a notebook), else a new one, stopped by {@link #close}. A {@code spark://} master that accepts no connection is an error at
   * once (Spark itself would retry for a minute).
   */
  static SparkJobs open(String master) {
    if (master.startsWith("spark://")) probe(master);
    // A JVM holds one SparkContext: a running session (tests, a notebook) is used as it is and left running.
    SparkSession active = SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get()
        : null;
    if (active != null) return new SparkJobs(active, false);
    try {
      SparkSession s = SparkSession.builder().master(master).appName("jbert").config("spark.ui.enabled", "false")
          .getOrCreate();
      return new SparkJobs(s, true);
    } catch (Exception e) {
      throw new JbertException("--master " + master + ": Spark did not start: " + firstLine(e), e);
    }
  }

  private static void probe(String master) {
    String hosts = master.substring("spark://".length());
    String last = "";
    for (String hp : hosts.split(",")) {
      URI u = URI.create("spark://" + hp);
      if (u.getHost() == null) throw new JbertException("--master " + master + ": '" + hp + "' is not host:port");
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 7077 : u.getPort()),
            MASTER_PROBE_SECONDS * 1000);
        return;
      } catch (IOException e) {
        last = hp + " (" + e.getMessage() + ")";
      }
    }
    throw new JbertException("--master " + master + ": unreachable, no Spark master answers at " + last
        + "; expected a running master, or local[N]");
  }

  /** The 1, 5 and 15 minute load averages from {@code /proc/loadavg} (as {@code jbert bench} records them), or "n/a". */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** This process's peak resident set ({@code VmHWM} of /proc/self/status) in MB (10^6 bytes), -1 when unknown. */
  static double peakRssMb() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024 / 1e6;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  SparkSession spark() {
    return spark;
  }

  /**
   * Reads {@code input}: {@code .jsonl}/{@code .json} as JSON Lines (split into about two partitions per core, in
   * file order), {@code .parquet} (a file or a folder) as Parquet. Rows get an {@code id} (0, 1, ... in input order)
   * unless they have one.
   */
  Dataset<Row> read(String input) {
    String lower = input.toLowerCase(java.util.Locale.ROOT);
    boolean local = !input.contains("://");
    if (local && !Files.exists(Path.of(input))) throw new JbertException(input + ": input not found");
    Dataset<Row> df;
    try {
      if (lower.endsWith(".jsonl") || lower.endsWith(".json")) {
        // Small files are one split by default (openCostInBytes 4 MB); this spreads them over the cores.
        spark.conf().set("spark.sql.files.openCostInBytes", "8192");
        spark.conf().set("spark.sql.files.minPartitionNum",
            Integer.toString(2 * spark.sparkContext().defaultParallelism()));
        df = spark.read().option("mode", "FAILFAST").json(input);
      } else if (lower.endsWith(".parquet")) {
        df = spark.read().parquet(input);
      } else {
        throw new JbertException(input + ": unknown input format; expected a .jsonl (JSON Lines) or .parquet input");
      }
      if (df.columns().length == 0) throw new JbertException(input + ": no rows");
    } catch (Exception e) {
      throw rethrow(input, e);
    }
    if (Arrays.asList(df.columns()).contains("id")) return df;
    StructType schema = new StructType().add("id", DataTypes.LongType, false);
    for (StructField f : df.schema().fields()) schema = schema.add(f);
    JavaRDD<Row> rows = df.javaRDD().zipWithIndex().map(t -> {
      Object[] v = new Object[t._1().length() + 1];
      v[0] = t._2();
      for (int i = 0; i < t._1().length(); i++) v[i + 1] = t._1().get(i);
      return RowFactory.create(v);
    });
    return spark.createDataFrame(rows, schema);
  }

  /**
   * Writes {@code df} as Parquet to {@code output}, which must not exist. A local path is written to a hidden sibling
   * folder first and renamed into place when the job succeeded, so a failed job leaves nothing at {@code output}.
   */
  static void writeParquet(Dataset<Row> df, String output) {
    if (output.contains("://")) {
      try {
        df.write().mode("errorifexists").parquet(output);
      } catch (Exception e) {
        throw rethrow(output, e);
      }
      return;
    }
    Path target = Path.of(output).toAbsolutePath();
    if (Files.exists(target)) throw new JbertException(output + ": output already exists; expected a new path");
    Path parent = target.getParent();
    if (!Files.isDirectory(parent)) throw new JbertException(output + ": folder " + parent + " does not exist");
    Path tmp = parent.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      df.write().parquet(tmp.toString());
      Files.move(tmp, target);
    } catch (Exception e) {
      deleteAfterFailedJob(df.sparkSession(), tmp);
      throw rethrow(output, e);
    }
  }

  /**
   * Deletes a failed job's temp folder. Tasks of the other partitions may still be finishing (Spark kills them
   * asynchronously) and write into it after a first delete, so this waits (at most 10 s) until no stage runs.
   */
  private static void deleteAfterFailedJob(SparkSession spark, Path tmp) {
    long until = System.nanoTime() + 10_000_000_000L;
    while (spark.sparkContext().statusTracker().getActiveStageIds().length > 0 && System.nanoTime() < until) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    AtomicFiles.deleteTree(tmp);
  }

  /** The {@link JbertException} behind {@code e} (a task's, wrapped by Spark), or {@code e} itself. */
  static RuntimeException rethrow(String what, Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JbertException j) return new JbertException(j.getMessage(), e);
    }
    if (e instanceof org.apache.spark.sql.AnalysisException || e.getClass().getName().contains("SparkException")) {
      return new JbertException(what + ": " + firstLine(e), e);
    }
    return e instanceof RuntimeException r ? r : new JbertException(what + ": " + e.getMessage(), e);
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  @Override
  public void close() {
    if (owned) spark.stop();
  }
}
