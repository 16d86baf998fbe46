package org.jbert.finetune.run;

import java.nio.file.Path;
import java.util.ServiceLoader;
import org.jbert.core.JbertException;
import org.jbert.core.train.BatchSource;
import org.jbert.core.train.Trainable;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;

/**
 * An engine for a run's {@code distributed:} section, found through {@link ServiceLoader}
 * ({@code META-INF/services/org.jbert.finetune.run.DistributedTraining}); jbert-spark provides {@code spark}. It wraps
 * the run's model in a {@link Trainable} that computes each micro-batch's loss and gradient on workers; the
 * {@link org.jbert.core.train.Trainer} stays the single-process one.
 */
public interface DistributedTraining {

  /** The {@code distributed.engine} name. */
  String engine();

  /**
   * Starts the engine for a run.
   *
   * @param model the driver's model: the trainer updates its parameters
   * @param replica a folder holding the model as the run starts (workers build their replicas from it)
   */
  Session start(FinetuneRunConfig.Distributed config, TaskModel model, Path replica);

  /** A started engine: its trainable, closed when the run ends. */
  interface Session extends AutoCloseable {
    Trainable<Batch> trainable();

    /**
     * The source to hand the trainer with {@link #trainable}: {@code train} itself, or one whose batches the engine
     * reads from the workers' copy of the training data (e.g. cached once on them, so a step ships only indices).
     */
    default BatchSource<Batch> source(BatchSource<Batch> train) {
      return train;
    }

    @Override
    void close();
  }

  /** The engine named {@code config.engine()}, or an error naming the artifact to add. */
  static DistributedTraining find(FinetuneRunConfig.Distributed config) {
    for (DistributedTraining d : ServiceLoader.load(DistributedTraining.class)) {
      if (d.engine().equals(config.engine())) return d;
    }
    throw new JbertException("distributed.engine " + config.engine() + ": no such engine on the class path; expected"
        + " org.jbert:jbert-spark (bin/jbert run puts it on when the run file says engine: spark)");
  }
}
