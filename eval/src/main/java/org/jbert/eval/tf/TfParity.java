package org.jbert.eval.tf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.EncoderResult;
import org.jbert.core.tokenize.Features;
import org.jbert.core.weights.WeightImporter;
import org.jbert.core.weights.WeightSource;
import org.jbert.core.weights.WeightSources;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The parity rule between jbert's float32 encoder and TensorFlow's, with a float64 referee, shared by
 * {@code EncoderTfParityTest} and {@code jbert eval}.
 *
 * <p>Referee: the same jbert graph built in float64 ({@code BertGraph.build(sd, config, DOUBLE)}, the same float32
 * weights widened); its rounding is negligible next to float32's, so it tells which of two float32 results is off.
 * On most tokens both TF and jbert are within 1e-5 of it. A few tokens are ill-conditioned in float32 (measured on
 * bert-base-uncased: a spam URL's "http :" in layers 9-11, where TF's own float32 output is 1.6e-4 from the float64
 * value): two float32 implementations cannot agree to 1e-4 where each is 1e-4 from the truth. So an output passes
 * when
 *
 * <ol>
 *   <li>|jbert - TF| &lt;= tolerance for every value at every token where TF is accurate (its float32 error vs float64
 *       at most {@value #TF_ACCURATE} over the token's H values);
 *   <li>at the remaining ill-conditioned tokens, at most 1% of the rows (integer division), jbert's error is of the
 *       same order as TF's: |jbert - f64| &lt;= {@value #ILL_FACTOR} x |TF - f64| + tolerance.
 * </ol>
 *
 * <p>Every output is compared at ALL B x T positions, padding included: both sides run the same arithmetic on padded
 * rows (their queries attend to the real keys through the -10000 mask).
 */
public final class TfParity {
  /** A token where TF's float32 output is within this of float64 (max over H) is "TF-accurate". */
  public static final double TF_ACCURATE = 2.5e-5;
  /** On ill-conditioned tokens jbert may be at most this many times TF's own error (plus the tolerance) off. */
  public static final double ILL_FACTOR = 5;

  /** The rule, one sentence, for reports. */
  public static final String RULE = "max |jbert - TF| <= tolerance on every token where TF float32 is within "
      + TF_ACCURATE + " of a float64 run of the same graph (the referee); on the other, ill-conditioned tokens (at"
      + " most 1% of rows) |jbert - f64| <= " + (int) ILL_FACTOR + " x |TF - f64| + tolerance";

  private TfParity() {}

  /**
   * One output compared over all rows (tokens, or B rows for the pooled output).
   *
   * @param output the TF Hub name ({@code embedding_output}, {@code encoder_outputs/k}, ...)
   * @param rows B*T for per-token outputs, B for the pooled output
   * @param maxAbs max |jbert - TF| over all rows
   * @param meanAbs mean |jbert - TF| over all values
   * @param maxReal max |jbert - TF| over real (input_mask 1) tokens
   * @param maxTf64 max |TF - f64|
   * @param maxJ64 max |jbert - f64|
   * @param illConditioned rows where TF is not accurate (see the class comment)
   * @param maxAccurate max |jbert - TF| over the TF-accurate rows: the number held to the tolerance
   * @param tolerance the bound
   * @param problems why the output fails (empty when it passes)
   */
  public record Diff(String output, int rows, double maxAbs, double meanAbs, double maxReal, double maxTf64,
      double maxJ64, int illConditioned, double maxAccurate, double tolerance, List<String> problems) {
    public boolean passed() {
      return problems.isEmpty();
    }
  }

  /** The compared outputs in order: embeddings, each of the L layers, sequence, pooled. */
  public static List<String> outputNames(int layers) {
    List<String> names = new ArrayList<>();
    names.add(BertGraph.EMBEDDING_OUTPUT);
    for (int k = 0; k < layers; k++) names.add(BertGraph.encoderOutputName(k));
    names.add(BertGraph.SEQUENCE_OUTPUT);
    names.add(BertGraph.POOLED_OUTPUT);
    return names;
  }

  /** jbert's float32 outputs on {@code f}, row-major, under the names of {@link #outputNames}. */
  public static Map<String, float[]> jbertOutputs(BertModel model, Features f) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (EncoderResult r = model.encode(f.inputWordIds(), f.inputMask(), f.inputTypeIds())) {
      for (String name : outputNames(model.config().numHiddenLayers())) out.put(name, floats(r.get(name)));
    }
    return out;
  }

  /** The outputs {@code names} of the jbert graph built in float64 with the weights in {@code folder}. */
  public static Map<String, double[]> float64(Path folder, Features f, Collection<String> names) {
    try (WeightSource source = WeightSources.open(folder)) {
      BertConfig config = source.config().orElseThrow(() -> new JbertException(source.description()
          + ": no model config found beside the weights"));
      return float64(config, source, f, names);
    }
  }

  /** The outputs {@code names} of the jbert graph built in float64 from {@code config} and {@code source}. */
  public static Map<String, double[]> float64(BertConfig config, WeightSource source, Features f,
      Collection<String> names) {
    SameDiff sd = SameDiff.create();
    try {
      BertGraph.build(sd, config, DataType.DOUBLE);
      WeightImporter.load(sd, source, true);
      Map<String, INDArray> ph = new HashMap<>();
      ph.put(BertGraph.INPUT_WORD_IDS, Nd4j.createFromArray(f.inputWordIds()));
      ph.put(BertGraph.INPUT_MASK, Nd4j.createFromArray(f.inputMask()));
      ph.put(BertGraph.INPUT_TYPE_IDS, Nd4j.createFromArray(f.inputTypeIds()));
      Map<String, INDArray> out = sd.output(ph, names.toArray(new String[0]));
      Map<String, double[]> result = new HashMap<>();
      for (Map.Entry<String, INDArray> e : out.entrySet()) {
        try (INDArray c = e.getValue().dup('c')) {
          result.put(e.getKey(), c.data().asDouble());
        }
      }
      // Closed only after all are read: identity outputs may share one array (sequence_output, encoder_outputs/11).
      for (INDArray a : out.values()) {
        if (!a.wasClosed()) a.close();
      }
      ph.values().forEach(INDArray::close);
      return result;
    } finally {
      for (SDVariable v : sd.variables()) {
        if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
          INDArray a = v.getArr();
          if (a != null && a.closeable()) a.close();
        }
      }
    }
  }

  /**
   * Compares every output of {@code tf} with {@code jbert}, refereed by {@code f64} (all keyed alike, row-major;
   * per-token outputs [B,T,H], the pooled output [B,H]).
   *
   * @param mask input_mask [B][T] of the batch, to tell real tokens from padding
   * @param hidden H
   */
  public static List<Diff> compare(Map<String, float[]> tf, Map<String, float[]> jbert, Map<String, double[]> f64,
      int[][] mask, int hidden, double tolerance) {
    int b = mask.length;
    int t = b == 0 ? 0 : mask[0].length;
    int tokens = b * t;
    List<Diff> diffs = new ArrayList<>();
    for (String name : tf.keySet()) {
      float[] tv = tf.get(name);
      float[] j = jbert.get(name);
      double[] x = f64.get(name);
      if (j == null || x == null) throw new JbertException("output " + name + " is missing on the jbert side");
      if (j.length != tv.length || x.length != tv.length) {
        throw new JbertException("output " + name + ": TF has " + tv.length + " values, jbert " + j.length
            + ", float64 " + x.length + "; expected the same");
      }
      int rows = tv.length / hidden;
      boolean perToken = rows == tokens;
      double max = 0, sum = 0, maxReal = 0, maxTf64 = 0, maxJ64 = 0, maxAccurate = 0;
      int ill = 0;
      List<String> problems = new ArrayList<>();
      for (int row = 0; row < rows; row++) {
        boolean real = !perToken || mask[row / t][row % t] == 1;
        double tfErr = 0, jErr = 0, rowMax = 0;
        for (int i = row * hidden; i < (row + 1) * hidden; i++) {
          double d = Math.abs((double) j[i] - tv[i]);
          if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
          rowMax = Math.max(rowMax, d);
          sum += d;
          tfErr = Math.max(tfErr, Math.abs(tv[i] - x[i]));
          double je = Math.abs(j[i] - x[i]);
          jErr = Math.max(jErr, Double.isNaN(je) ? Double.POSITIVE_INFINITY : je);
        }
        max = Math.max(max, rowMax);
        if (real) maxReal = Math.max(maxReal, rowMax);
        maxTf64 = Math.max(maxTf64, tfErr);
        maxJ64 = Math.max(maxJ64, jErr);
        if (tfErr <= TF_ACCURATE) {
          maxAccurate = Math.max(maxAccurate, rowMax);
        } else {
          ill++;
          if (!(jErr <= ILL_FACTOR * tfErr + tolerance)) {
            problems.add(String.format(Locale.ROOT, "%s row %d: |jbert-f64| %.3e > %.0f x |tf-f64| %.3e + %.0e",
                name, row, jErr, ILL_FACTOR, tfErr, tolerance));
          }
        }
      }
      if (!(maxAccurate <= tolerance)) {
        problems.add(String.format(Locale.ROOT, "%s: max|jbert-tf| %.3e > %.0e on TF-accurate rows", name,
            maxAccurate, tolerance));
      }
      if (ill > rows / 100) {
        problems.add(name + ": " + ill + " of " + rows + " rows ill-conditioned, expected <= 1%");
      }
      diffs.add(new Diff(name, rows, max, sum / tv.length, maxReal, maxTf64, maxJ64, ill, maxAccurate, tolerance,
          List.copyOf(problems)));
    }
    return diffs;
  }

  /** A fixed-width table of the diffs for logs. */
  public static String table(List<Diff> diffs) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-18s %10s %10s %10s %10s %10s %5s %10s%n",
        "output", "max|j-tf|", "mean|j-tf|", "max real", "max|tf-64|", "max|j-64|", "ill", "max|j-tf|*"));
    for (Diff d : diffs) {
      s.append(String.format(Locale.ROOT, "%-18s %10.3e %10.3e %10.3e %10.3e %10.3e %5d %10.3e%n", d.output(),
          d.maxAbs(), d.meanAbs(), d.maxReal(), d.maxTf64(), d.maxJ64(), d.illConditioned(), d.maxAccurate()));
    }
    s.append("max real: over input_mask=1 tokens; ill: rows where max|tf-64| > ").append(TF_ACCURATE)
        .append("; max|j-tf|*: over all other rows\n");
    return s.toString();
  }

  /** Row-major floats of an array (a c-order copy, closed here). */
  public static float[] floats(INDArray a) {
    try (INDArray c = a.dup('c')) {
      return c.data().asFloat();
    }
  }
}
