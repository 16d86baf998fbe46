package org.jbert.finetune.task;

import java.util.Arrays;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Batching helpers shared by the {@link TaskData} implementations. */
final class Rows {
  private Rows() {}

  /**
   * Runs {@code model} over rows 0..n-1 in batches of {@code batchSize}: {@code inputs} makes a batch of rows and
   * {@code sink} receives the rows with the model's outputs by name (closed afterwards).
   */
  static void forEachBatch(TaskModel model, int n, int batchSize, Function<int[], Batch> inputs,
      BiConsumer<int[], Map<String, INDArray>> sink) {
    if (batchSize < 1) throw new IllegalArgumentException("batch size " + batchSize);
    for (int from = 0; from < n; from += batchSize) {
      int[] rows = IntStream.range(from, Math.min(n, from + batchSize)).toArray();
      try (Batch b = inputs.apply(rows)) {
        Map<String, INDArray> out = model.predict(b.inputWordIds(), b.inputMask(), b.inputTypeIds());
        try {
          sink.accept(rows, out);
        } finally {
          out.values().forEach(INDArray::close);
        }
      }
    }
  }

  /** {@code rows} of ragged arrays as one [B,T] array padded with {@code pad} to the longest. */
  static int[][] pad(int[][] ragged, int[] rows, int pad) {
    int t = 1;
    for (int r : rows) t = Math.max(t, ragged[r].length);
    int[][] out = new int[rows.length][];
    for (int k = 0; k < rows.length; k++) {
      out[k] = Arrays.copyOf(ragged[rows[k]], t);
      if (pad != 0) Arrays.fill(out[k], ragged[rows[k]].length, t, pad);
    }
    return out;
  }
}
