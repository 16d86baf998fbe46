package org.jbert.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The tests' Spark: one session per test JVM, local[2] as bin/jbert spark starts by default, with one retry per task
 * ({@code local[2,2]}: plain local[N] never retries) for the fault-injection test.
 */
final class LocalSpark {
  private LocalSpark() {}

  static synchronized SparkSession session() {
    return SparkSession.builder().master("local[2,2]").appName("jbert-spark-tests")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }
}
