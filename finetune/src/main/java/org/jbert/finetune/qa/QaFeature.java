package org.jbert.finetune.qa;

/**
 * One model input cut from a {@link QaExample}: {@code [CLS] question [SEP] window [SEP]} padded to T, where the
 * window is a run of consecutive context word pieces (Google's {@code doc_span}). A long context gives several
 * overlapping features. Every array has length T ({@link QaFeatureConfig#maxSeqLength()}); position p is the p-th
 * token of the sequence. Arrays are shared, not copied: do not modify them.
 *
 * @param exampleIndex index of the example in the list given to {@link QaFeatureBuilder#build}
 * @param exampleId the example's {@link QaExample#id()}
 * @param windowIndex which window of its example this is (0, 1, ...)
 * @param windowStart index, among all word pieces of the context, of the first one in this window
 * @param windowLength number of context word pieces in this window
 * @param contextOffset sequence position of the window's first word piece (question length + 2)
 * @param inputIds [T] token ids; [PAD] after the final [SEP]
 * @param inputMask [T] 1 for [CLS], question, [SEP], window, [SEP]; 0 for padding
 * @param typeIds [T] 0 for [CLS], question and the first [SEP]; 1 for the window and the final [SEP]; 0 for padding
 * @param tokenStart [T] for a window position, the first code point of the context that its word piece covers; -1 at
 *     every other position ([CLS], question, [SEP], padding)
 * @param tokenEnd [T] one past the last covered code point of the context; -1 outside the window
 * @param maxContext [T] Google's {@code token_is_max_context}: true where this window is the one, among those holding
 *     the word piece, that gives it the most context on both sides; false outside the window
 * @param startPosition training label: sequence position of the first word piece of the (first) answer, or 0 (the
 *     [CLS] position) when the example is impossible, has no answer or the answer is not wholly inside this window
 * @param endPosition training label: position of the answer's last word piece, or 0 like {@code startPosition}
 */
public record QaFeature(
    int exampleIndex,
    String exampleId,
    int windowIndex,
    int windowStart,
    int windowLength,
    int contextOffset,
    int[] inputIds,
    int[] inputMask,
    int[] typeIds,
    int[] tokenStart,
    int[] tokenEnd,
    boolean[] maxContext,
    int startPosition,
    int endPosition) {

  /** T. */
  public int seqLength() {
    return inputIds.length;
  }

  /** Number of real (unpadded) positions: [CLS] + question + [SEP] + window + [SEP]. */
  public int length() {
    return contextOffset + windowLength + 1;
  }

  /** True if sequence position {@code p} holds a context word piece of this window. */
  public boolean isContext(int p) {
    return p >= contextOffset && p < contextOffset + windowLength;
  }

  /** True if this feature's label is the null answer (position 0, [CLS]). */
  public boolean nullLabel() {
    return startPosition == 0;
  }
}
