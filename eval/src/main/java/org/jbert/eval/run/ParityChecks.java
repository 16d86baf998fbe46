package org.jbert.eval.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.model.BertModel;
import org.jbert.core.tokenize.Features;
import org.jbert.eval.report.Check;
import org.jbert.eval.report.Report;
import org.jbert.eval.tf.TfParity;

/**
 * Parity of jbert's encoder with TensorFlow, output by output (embeddings, each layer, sequence, pooled), under the
 * referee rule of {@link TfParity}, as report rows: one check per output, a table of every measured number and a
 * per-layer plot.
 */
public final class ParityChecks {
  /** The per-layer plot's file name in the report folder. */
  public static final String PLOT = "parity-layers.png";

  private ParityChecks() {}

  /** Compares {@code model} on {@code f} with TF's outputs, refereed by {@code f64} (see {@link TfParity}). */
  public static List<TfParity.Diff> measure(BertModel model, Features f, Map<String, float[]> tf,
      Map<String, double[]> f64, double tolerance) {
    Map<String, float[]> jbert = TfParity.jbertOutputs(model, f);
    return TfParity.compare(tf, jbert, f64, f.inputMask(), model.config().hiddenSize(), tolerance);
  }

  /** One check per output: the max |jbert - TF| held to the tolerance, the referee's verdict in the note. */
  public static List<Check> checks(List<TfParity.Diff> diffs) {
    List<Check> out = new ArrayList<>();
    for (TfParity.Diff d : diffs) {
      String note = String.format(Locale.ROOT, "mean %.3e; max over all %d rows %.3e; %d ill-conditioned",
          d.meanAbs(), d.rows(), d.maxAbs(), d.illConditioned());
      if (!d.passed()) note += "; " + String.join("; ", d.problems());
      out.add(new Check(d.output() + " vs TF", d.passed(), d.maxAccurate(), d.tolerance(), "<=", note));
    }
    return out;
  }

  /** Adds the checks, the rule, a table and the per-layer plot to the current section of {@code report}. */
  public static void addTo(Report report, List<TfParity.Diff> diffs, double tolerance) {
    checks(diffs).forEach(report::check);
    report.text("Rule: " + TfParity.RULE + ". `measured` is max |jbert - TF| over the TF-accurate rows (all rows when"
        + " none is ill-conditioned); padding positions are compared too.");
    List<List<String>> rows = new ArrayList<>();
    List<String> names = new ArrayList<>();
    double[] max = new double[diffs.size()], mean = new double[diffs.size()];
    for (int i = 0; i < diffs.size(); i++) {
      TfParity.Diff d = diffs.get(i);
      rows.add(List.of(d.output(), e(d.maxAbs()), e(d.meanAbs()), e(d.maxReal()), e(d.maxTf64()), e(d.maxJ64()),
          Integer.toString(d.illConditioned()), d.passed() ? "PASS" : "FAIL"));
      names.add(label(d.output()));
      max[i] = d.maxAbs();
      mean[i] = d.meanAbs();
    }
    report.table("Per output: |jbert - TF| and both against float64",
        List.of("output", "max abs", "mean abs", "max abs (real tokens)", "max |TF - f64|", "max |jbert - f64|",
            "ill-conditioned rows", "result"), rows);
    report.layerDiffs(PLOT, "Per output |jbert - TF| (emb = embeddings, 0..L-1 = layers, seq, pooled)", names, max, mean, tolerance);
  }

  /** A short axis label: emb, 0..L-1, seq, pooled. */
  static String label(String output) {
    if (output.startsWith(BertGraph.ENCODER_OUTPUTS + "/")) return output.substring(output.indexOf('/') + 1);
    return switch (output) {
      case BertGraph.EMBEDDING_OUTPUT -> "emb";
      case BertGraph.SEQUENCE_OUTPUT -> "seq";
      case BertGraph.POOLED_OUTPUT -> "pooled";
      default -> output;
    };
  }

  private static String e(double v) {
    return String.format(Locale.ROOT, "%.3e", v);
  }
}
