package org.jbert.examples.customhead;

import java.nio.file.Path;
import java.util.Map;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.TaskHeads;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Puts the custom {@link MeanPoolingClassifierHead}, found by name in the head registry, on a pretrained encoder
 * (a Hugging Face or jbert folder) and prints its logits for one batch of token ids.
 *
 * <p>Usage: {@code CustomHeadExample MODEL_DIR NUM_LABELS}
 */
public final class CustomHeadExample {
  private CustomHeadExample() {}

  /** The encoder of {@code modelDir} with a fresh mean-pooling head of {@code numLabels} classes (seed 0). */
  public static TaskModel build(Path modelDir, int numLabels) {
    try (HuggingFaceSource src = HuggingFaceSource.open(modelDir)) {
      HeadContext ctx = HeadContext.of(src.config().orElseThrow(), numLabels);
      return TaskModel.fromPretrained(src, TaskHeads.get(MeanPoolingClassifierHead.TYPE), ctx, 0);
    }
  }

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: CustomHeadExample MODEL_DIR NUM_LABELS");
      System.exit(2);
    }
    try (TaskModel m = build(Path.of(args[0]), Integer.parseInt(args[1]))) {
      int[][] ids = {{2, 10, 11, 12, 3}};
      Map<String, INDArray> out = m.predict(ids, new int[][] {{1, 1, 1, 1, 1}}, new int[1][5]);
      System.out.println("logits " + out.get("logits"));
    }
  }
}
