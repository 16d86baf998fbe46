package org.jbert.finetune.task;

import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;

/**
 * One data file of a task, encoded for a model: the rows a trainer draws batches from and the prediction side that
 * turns the model's outputs back into per-example predictions next to the gold labels. Implementations:
 * {@link SequenceData} (classification, regression), {@link TaggingData} (token classification), {@link QaData}
 * (extractive QA). Rows keep their own length; a batch is padded to its longest row.
 */
public interface TaskData {

  /** The file the data came from, for messages. */
  String source();

  /** Number of examples (texts, sentences, questions). */
  int examples();

  /** Number of model rows: one per example, except QA where a long context gives several features. */
  int size();

  /** The rows at {@code rows} with their training labels, padded to the longest of them. */
  Batch batch(int[] rows);

  /**
   * The gold labels and {@code model}'s predictions (inference mode, dropout off), {@code batchSize} rows at a time.
   */
  TaskPredictions predict(TaskModel model, int batchSize);
}
