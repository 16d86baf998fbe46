package org.jbert.core.weights;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@link WeightImporter} did.
 *
 * @param loaded canonical names copied into the graph
 * @param missing graph variables the source has no tensor for (left as they were, e.g. freshly initialized)
 * @param unexpected source tensors the graph has no variable for: names of the table that belong to parts this graph
 *     lacks (e.g. the MLM head when loading an encoder) and names jbert does not recognize at all
 * @param shapeMismatches tensors present on both sides with different shapes (not copied)
 */
public record ImportReport(List<String> loaded, List<String> missing, List<String> unexpected,
    List<ShapeMismatch> shapeMismatches) {

  /** A variable whose source shape differs from the graph's. */
  public record ShapeMismatch(String name, long[] expected, long[] found) {
    @Override
    public String toString() {
      return name + " expected " + Arrays.toString(expected) + " found " + Arrays.toString(found);
    }
  }

  /** True when every graph variable was loaded and nothing was left over. */
  public boolean complete() {
    return missing.isEmpty() && unexpected.isEmpty() && shapeMismatches.isEmpty();
  }

  /** A one-line summary listing every problem. */
  public String summary() {
    StringBuilder b = new StringBuilder(loaded.size() + " loaded");
    if (!missing.isEmpty()) b.append("; missing ").append(missing);
    if (!unexpected.isEmpty()) b.append("; unexpected ").append(unexpected);
    if (!shapeMismatches.isEmpty()) {
      b.append("; shape mismatches [")
          .append(shapeMismatches.stream().map(ShapeMismatch::toString).collect(Collectors.joining(", ")))
          .append(']');
    }
    return b.toString();
  }
}
