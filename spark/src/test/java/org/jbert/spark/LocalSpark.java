package org.jbert.spark;

import org.apache.spark.sql.SparkSession;

/** The tests' Spark: one local[2] session per test JVM, as bin/jbert spark starts by default. */
final class LocalSpark {
  private LocalSpark() {}

  static synchronized SparkSession session() {
    return SparkSession.builder().master("local[2]").appName("jbert-spark-tests")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }
}
