package org.jbert.spark.train;

import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.jbert.core.JbertException;
import org.jbert.core.train.BatchSource;
import org.jbert.core.train.Trainable;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.run.DistributedTraining;
import org.jbert.finetune.run.FinetuneRunConfig;

/**
 * {@code distributed: {engine: spark, ...}} in a fine-tuning run file: {@link SparkDataParallel} on a Spark session
 * (the running one when this JVM has one, else a new one on {@code master}, stopped at the end of the run). Workers load
 * their replicas from the run's {@code distributed-replica/} folder, which must be on a path they see. The training
 * examples are cached on the executors for the run ({@link SparkDataParallel#cache}) and dropped at its end.
 */
public final class SparkFinetuneTraining implements DistributedTraining {
  @Override
  public String engine() {
    return "spark";
  }

  @Override
  public Session start(FinetuneRunConfig.Distributed config, TaskModel model, Path replica) {
    SparkSession active = SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get()
        : null;
    boolean owned = active == null; // a JVM holds one SparkContext: a running one is used and left running
    SparkSession spark;
    try {
      spark = owned ? SparkSession.builder().master(config.master()).appName("jbert run")
          .config("spark.ui.enabled", "false").getOrCreate() : active;
    } catch (Exception e) {
      throw new JbertException("distributed.master " + config.master() + ": Spark did not start: " + e.getMessage(), e);
    }
    String folder = replica.toAbsolutePath().toString();
    SparkDataParallel<Batch, TaskBatchSharding.Share> dp = new SparkDataParallel<>(
        JavaSparkContext.fromSparkContext(spark.sparkContext()), model, config.workers(), folder,
        () -> TaskModelFiles.load(Path.of(folder)), new TaskBatchSharding()).microBatches(config.microBatches())
        .reduction(SparkDataParallel.Reduction.parse(config.reduction(), "distributed.reduction"));
    return new Session() {
      @Override
      public Trainable<Batch> trainable() {
        return dp;
      }

      @Override
      public BatchSource<Batch> source(BatchSource<Batch> train) {
        return dp.cache(train);
      }

      @Override
      public void close() {
        try {
          dp.close();
        } finally {
          if (owned) spark.stop();
        }
      }
    };
  }
}
