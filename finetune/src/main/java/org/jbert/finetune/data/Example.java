package org.jbert.finetune.data;

import java.util.List;
import org.jbert.core.JbertException;

/**
 * One sequence-level example (classification, regression, multi-label) from a JSON Lines or TSV file: either text
 * ({@code textA}, optional {@code textB}) or pre-tokenized ids ({@code tokens}), and zero or more labels.
 *
 * @param where {@code file:line} of the example, the prefix of every message about it
 * @param id the example's {@code id} field when the file has one, else {@code file:line}
 * @param textA first segment, or null when the example is pre-tokenized
 * @param textB second segment, or null for single-segment tasks
 * @param tokens pre-tokenized ids, or null for a text example
 * @param labels the label(s) as strings: empty when the example is unlabeled (prediction input), one for a single
 *     label (a JSON number is kept as its JSON text, e.g. {@code "3.5"}, for regression), several for multi-label
 * @param multiLabel true when the file gave the label as a list (a list of one is still multi-label)
 */
public record Example(String where, String id, String textA, String textB, Tokens tokens, List<String> labels,
    boolean multiLabel) {

  /**
   * Pre-tokenized input as the file gave it, each [T] (T may differ between examples).
   *
   * @param inputIds vocabulary ids, special tokens included ({@code input_ids} or {@code input_word_ids})
   * @param inputMask 1 for real tokens, 0 for padding ({@code input_mask}; all ones when absent)
   * @param segmentIds 0 for segment A, 1 for B ({@code segment_ids} or {@code input_type_ids}; zeros when absent)
   */
  public record Tokens(int[] inputIds, int[] inputMask, int[] segmentIds) {
    public int length() {
      return inputIds.length;
    }
  }

  public Example {
    labels = List.copyOf(labels);
    if ((textA == null) == (tokens == null)) {
      throw new IllegalArgumentException(where + ": an example has either text or tokens");
    }
  }

  /** A text example with one label (or none when {@code label} is null). */
  public static Example text(String where, String textA, String textB, String label) {
    return new Example(where, where, textA, textB, null, label == null ? List.of() : List.of(label), false);
  }

  public boolean isTokenized() {
    return tokens != null;
  }

  public boolean hasLabel() {
    return !labels.isEmpty();
  }

  /** The single label; an error naming the example when it has none or several. */
  public String label() {
    if (labels.isEmpty()) throw new JbertException(where + ": no \"label\"; a labeled example is needed here");
    if (multiLabel || labels.size() > 1) {
      throw new JbertException(where + ": \"label\" is a list " + labels + "; expected a single label");
    }
    return labels.get(0);
  }

  /** The single label as a number, for regression; an error naming the example and the value otherwise. */
  public double labelValue() {
    String l = label();
    try {
      double v = Double.parseDouble(l);
      if (Double.isFinite(v)) return v;
    } catch (NumberFormatException ignored) {
      // fall through to the message
    }
    throw new JbertException(where + ": label \"" + l + "\" is not a finite number; expected a number for regression");
  }
}
