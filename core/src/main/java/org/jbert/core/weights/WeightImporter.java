package org.jbert.core.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jbert.core.JbertException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies a {@link WeightSource} into the trainable variables of a SameDiff whose variable names are canonical names
 * (as {@link org.jbert.core.graph.BertGraph} builds them), converting to the variable's dtype.
 *
 * <p>Strict mode (the default) fails, before anything is copied, with one JbertException that lists every problem:
 * each graph variable the source lacks, each tensor with a different shape (both shapes), and each source tensor
 * jbert does not recognize at all (a renamed variable). Known tensors of parts the graph does not have (a pretraining
 * checkpoint's MLM/NSP head when building only the encoder) are reported as unexpected but do not fail. Lenient mode
 * copies what matches and returns the report, so that e.g. a missing NSP head can start fresh.
 */
public final class WeightImporter {
  private WeightImporter() {}

  /** {@code load(sd, source, true)}. */
  public static ImportReport load(SameDiff sd, WeightSource source) {
    return load(sd, source, true);
  }

  /** Copies matching tensors; see the class comment for what strict checks. */
  public static ImportReport load(SameDiff sd, WeightSource source, boolean strict) {
    List<String> wanted = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) wanted.add(v.name());
    }
    Set<String> have = source.names();
    List<String> loaded = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<ImportReport.ShapeMismatch> mismatches = new ArrayList<>();
    for (String name : wanted) {
      if (!have.contains(name)) {
        missing.add(name);
        continue;
      }
      long[] expected = sd.getVariable(name).getShape();
      long[] found = source.shape(name);
      if (!Arrays.equals(expected, found)) {
        mismatches.add(new ImportReport.ShapeMismatch(name, expected, found));
      } else {
        loaded.add(name);
      }
    }
    Set<String> unexpected = new LinkedHashSet<>();
    for (String name : have) {
      if (!wanted.contains(name)) unexpected.add(name);
    }
    unexpected.addAll(source.unrecognized());
    ImportReport report = new ImportReport(List.copyOf(loaded), List.copyOf(missing), List.copyOf(unexpected),
        List.copyOf(mismatches));
    if (strict && (!missing.isEmpty() || !mismatches.isEmpty() || !source.unrecognized().isEmpty())) {
      StringBuilder b = new StringBuilder(source.description()).append(": weights do not match the model:");
      if (!missing.isEmpty()) b.append(" missing ").append(missing).append(';');
      if (!source.unrecognized().isEmpty()) b.append(" unrecognized ").append(source.unrecognized()).append(';');
      for (ImportReport.ShapeMismatch m : mismatches) b.append(" shape mismatch ").append(m).append(';');
      b.setLength(b.length() - 1);
      throw new JbertException(b.toString());
    }
    for (String name : loaded) {
      INDArray arr = sd.getVariable(name).getArr();
      try (INDArray src = Nd4j.createFromArray(source.read(name)).reshape(arr.shape())) {
        arr.assign(src);
      }
    }
    return report;
  }
}
