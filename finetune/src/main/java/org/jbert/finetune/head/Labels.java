package org.jbert.finetune.head;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The label placeholders of a head, declared from its {@link Spec}s ({@link TaskHead#labels}).
 *
 * @param placeholders name -> placeholder variable
 */
public record Labels(Map<String, SDVariable> placeholders) {
  /** Class ids int32 [B] (sequence classification) or [B,T] (tagging, -100 = ignored); float for regression. */
  public static final String LABELS = "labels";
  /** QA span start token index int32 [B]. */
  public static final String START_POSITIONS = "start_positions";
  /** QA span end token index int32 [B]. */
  public static final String END_POSITIONS = "end_positions";

  /**
   * One label placeholder.
   *
   * @param name the placeholder name (HF's argument name: labels, start_positions, end_positions)
   * @param dtype INT for class ids and positions, FLOAT for regression targets and multi-hot vectors
   * @param shape -1 for dynamic dimensions, e.g. {-1} for [B], {-1,-1} for [B,T], {-1,C} for [B,C]
   */
  public record Spec(String name, DataType dtype, long... shape) {
    /** The rank of the placeholder. */
    public int rank() {
      return shape.length;
    }
  }

  public Labels {
    placeholders = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(placeholders));
  }

  /** Declares one placeholder per spec in {@code sd}. */
  public static Labels declare(SameDiff sd, List<Spec> specs) {
    Map<String, SDVariable> m = new LinkedHashMap<>();
    for (Spec s : specs) m.put(s.name(), sd.placeHolder(s.name(), s.dtype(), s.shape()));
    return new Labels(m);
  }

  /**
   * Checks that every value of the int array {@code labels} is a class id in [0,C) or {@code ignore}; throws a
   * JbertException naming the array, the flat position and the value.
   *
   * @param ignore a value allowed besides the classes (HF's -100), or null
   */
  public static void checkClassIds(String name, org.nd4j.linalg.api.ndarray.INDArray labels, int numClasses,
      Integer ignore) {
    long[] v = labels.dup('c').data().asLong();
    for (int i = 0; i < v.length; i++) {
      if ((v[i] < 0 || v[i] >= numClasses) && (ignore == null || v[i] != ignore)) {
        throw new JbertException("labels '" + name + "' element " + i + " is " + v[i] + "; expected a class id in [0, "
            + numClasses + ")" + (ignore == null ? "" : " or " + ignore + " (ignored)"));
      }
    }
  }

  /** The placeholder called {@code name}. */
  public SDVariable get(String name) {
    SDVariable v = placeholders.get(name);
    if (v == null) throw new JbertException("no label placeholder '" + name + "'; declared: " + placeholders.keySet());
    return v;
  }
}
