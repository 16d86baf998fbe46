package org.jbert.finetune.qa;

/**
 * One candidate answer of an example's n-best list (run_squad.py's {@code nbest_predictions.json} entry).
 *
 * @param text the exact substring of the example's context (the null answer of SQuAD v2.0 is "")
 * @param probability softmax of {@code startLogit + endLogit} over the example's n-best list
 * @param startLogit start logit at {@code startPosition}
 * @param endLogit end logit at {@code endPosition}
 * @param featureIndex index, in the feature list given to the post-processor, of the feature the span was read from
 *     (for the null answer: the feature with the lowest null score); -1 for the placeholder of an empty list
 * @param startPosition sequence position of the first word piece in that feature (0 for the null answer)
 * @param endPosition sequence position of the last word piece (0 for the null answer)
 * @param start first code point of the answer in the context; -1 for the null answer
 * @param end one past the last code point of the answer in the context; -1 for the null answer
 */
public record NBestEntry(String text, double probability, float startLogit, float endLogit, int featureIndex,
    int startPosition, int endPosition, int start, int end) {

  /** {@code startLogit + endLogit}, the score candidates are ranked by. */
  public double score() {
    return (double) startLogit + (double) endLogit;
  }

  /** True for the null answer (and the placeholder of an empty list). */
  public boolean isNull() {
    return start < 0;
  }
}
