package org.jbert.eval.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.model.Bert;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.EncoderResult;
import org.jbert.core.tokenize.Features;
import org.jbert.eval.report.Check;
import org.jbert.eval.tf.TfParity;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The TF Hub article's embedding checks, as report rows: the preprocessor's keys and shapes (3 x [B,T]), the
 * encoder's keys and shapes ({@code default}, {@code pooled_output} [B,H], {@code sequence_output} [B,T,H],
 * {@code encoder_outputs} L x [B,T,H]), the layer count, {@code encoder_outputs[-1] == sequence_output} exactly,
 * padding invariance (the shortest text alone, dynamically padded, vs in the batch padded to T: real-token outputs of
 * every layer within a bound) and dynamic padding (the batch padded to its longest row vs to T, same bound).
 */
public final class EmbeddingChecks {
  /** The preprocessor's output keys, as TF Hub's {@code bert_en_uncased_preprocess} names them. */
  public static final List<String> PREPROCESSOR_KEYS = List.of(BertGraph.INPUT_WORD_IDS, BertGraph.INPUT_MASK,
      BertGraph.INPUT_TYPE_IDS);
  /** The encoder's output keys, as TF Hub's BERT encoders name them. */
  public static final List<String> ENCODER_KEYS = List.of(BertGraph.DEFAULT, BertGraph.POOLED_OUTPUT,
      BertGraph.SEQUENCE_OUTPUT, BertGraph.ENCODER_OUTPUTS);

  private EmbeddingChecks() {}

  /**
   * What the checks expect.
   *
   * @param preprocessorKeys the preprocessor's keys, in any order
   * @param encoderKeys the encoder's keys, in any order
   * @param batch B
   * @param seqLength T
   * @param hidden H
   * @param layers L
   */
  public record Expected(List<String> preprocessorKeys, List<String> encoderKeys, int batch, int seqLength,
      int hidden, int layers) {
    /** The TF Hub keys and the shapes that the model's config and the batch imply. */
    public static Expected of(BertModel model, int batch, int seqLength) {
      return new Expected(PREPROCESSOR_KEYS, ENCODER_KEYS, batch, seqLength, model.config().hiddenSize(),
          model.config().numHiddenLayers());
    }
  }

  /**
   * Runs the checks on {@code texts} padded to {@code seqLength}.
   *
   * @param paddingTolerance the bound for the two padding checks (max abs over real tokens, all layers)
   */
  public static List<Check> run(Bert bert, List<String> texts, int seqLength, Expected expected,
      double paddingTolerance) {
    List<Check> checks = new ArrayList<>();
    Features f = bert.preprocess(texts, null, seqLength, false);
    int b = f.batchSize(), t = f.seqLength();
    Map<String, INDArray> ph = BertModel.placeholders(f.inputWordIds(), f.inputMask(), f.inputTypeIds());
    List<String> preKeys;
    List<String> preShapes = new ArrayList<>();
    boolean preShapesOk = true;
    try {
      preKeys = new ArrayList<>(ph.keySet());
      for (String k : expected.preprocessorKeys()) {
        INDArray a = ph.get(k);
        long[] shape = a == null ? null : a.shape();
        preShapes.add(k + " " + shape(shape));
        preShapesOk &= Arrays.equals(shape, new long[] {expected.batch(), expected.seqLength()});
      }
    } finally {
      ph.values().forEach(INDArray::close);
    }
    checks.add(Check.of("preprocessor keys", sameSet(preKeys, expected.preprocessorKeys()),
        "got " + sorted(preKeys) + ", expected " + sorted(expected.preprocessorKeys())));
    checks.add(Check.of("preprocessor shapes", preShapesOk, String.join(", ", preShapes) + "; expected each "
        + shape(new long[] {expected.batch(), expected.seqLength()})));

    long[] bh = {expected.batch(), expected.hidden()};
    long[] bth = {expected.batch(), expected.seqLength(), expected.hidden()};
    try (EncoderResult r = bert.encode(f)) {
      List<String> keys = new ArrayList<>();
      for (String k : ENCODER_KEYS) {
        if (!k.equals(BertGraph.ENCODER_OUTPUTS)) {
          try {
            if (r.get(k) != null) keys.add(k);
          } catch (RuntimeException e) {
            // not an output
          }
        } else if (r.encoderOutputs() != null) {
          keys.add(k);
        }
      }
      checks.add(Check.of("encoder keys", sameSet(keys, expected.encoderKeys()),
          "got " + sorted(keys) + ", expected " + sorted(expected.encoderKeys())));
      checks.add(shapeCheck("default shape", r.defaultOutput().shape(), bh));
      checks.add(shapeCheck("pooled_output shape", r.pooledOutput().shape(), bh));
      checks.add(shapeCheck("sequence_output shape", r.sequenceOutput().shape(), bth));
      List<INDArray> layers = r.encoderOutputs();
      boolean allOk = true;
      String bad = "";
      for (int k = 0; k < layers.size(); k++) {
        if (!Arrays.equals(layers.get(k).shape(), bth)) {
          allOk = false;
          bad = "; encoder_outputs[" + k + "] is " + shape(layers.get(k).shape());
        }
      }
      checks.add(Check.of("encoder_outputs shapes", allOk, layers.size() + " x "
          + shape(layers.isEmpty() ? null : layers.get(0).shape()) + "; expected each " + shape(bth) + bad));
      checks.add(new Check("layer count", layers.size() == expected.layers(), layers.size(), expected.layers(), "==",
          "config num_hidden_layers " + bert.config().numHiddenLayers()));
      INDArray last = layers.get(layers.size() - 1);
      long total = last.length();
      long equal;
      try (INDArray eq = last.eq(r.sequenceOutput()).castTo(org.nd4j.linalg.api.buffer.DataType.INT)) {
        equal = eq.sumNumber().longValue();
      }
      checks.add(new Check("encoder_outputs[-1] == sequence_output", equal == total, total - equal, 0, "==",
          equal + " of " + total + " values equal (measured: values that differ)"));

      // Padding invariance: the shortest text alone, padded only to its own length, vs its row in the batch.
      int[] len = new int[b];
      int shortest = 0;
      for (int i = 0; i < b; i++) {
        len[i] = Arrays.stream(f.inputMask()[i]).sum();
        if (len[i] < len[shortest]) shortest = i;
      }
      int longest = Arrays.stream(len).max().orElse(0);
      Features alone = bert.preprocess(List.of(texts.get(shortest)), null, seqLength, true);
      double aloneDiff;
      try (EncoderResult ra = bert.encode(alone)) {
        aloneDiff = maxRealDiff(ra, new int[] {0}, r, new int[] {shortest}, new int[] {len[shortest]});
      }
      checks.add(Check.atMost("padding invariance", aloneDiff, paddingTolerance).withNote("text " + shortest + " ("
          + len[shortest] + " tokens) alone at T=" + alone.seqLength() + " vs in the batch of " + b + " at T=" + t
          + (longest > len[shortest] ? " with longer rows (up to " + longest + " tokens)" : " (no longer row)")
          + "; max abs over real tokens, all layers and the embeddings"));

      // Dynamic padding: the whole batch padded to its longest row vs to T.
      Features dyn = bert.preprocess(texts, null, seqLength, true);
      double dynDiff = 0;
      try (EncoderResult rd = bert.encode(dyn)) {
        int[] rows = new int[b];
        for (int i = 0; i < b; i++) rows[i] = i;
        dynDiff = maxRealDiff(rd, rows, r, rows, len);
      }
      checks.add(Check.atMost("dynamic padding == padding to T", dynDiff, paddingTolerance).withNote("T="
          + dyn.seqLength() + " vs T=" + t + "; max abs over real tokens, all layers and the embeddings"));
    }
    return checks;
  }

  /**
   * max |a - b| over the embeddings and every layer, at the first {@code n[i]} tokens of row {@code ra[i]} of
   * {@code a} and row {@code rb[i]} of {@code b}.
   */
  private static double maxRealDiff(EncoderResult a, int[] ra, EncoderResult b, int[] rb, int[] n) {
    double max = maxRows(a.embeddingOutput(), ra, b.embeddingOutput(), rb, n);
    for (int k = 0; k < a.encoderOutputs().size(); k++) {
      max = Math.max(max, maxRows(a.encoderOutputs().get(k), ra, b.encoderOutputs().get(k), rb, n));
    }
    return max;
  }

  /** The same over one output pair, each [B,T,H]. */
  private static double maxRows(INDArray a, int[] ra, INDArray b, int[] rb, int[] n) {
    float[] x = TfParity.floats(a);
    float[] y = TfParity.floats(b);
    int ta = (int) a.size(1), tb = (int) b.size(1), h = (int) a.size(2);
    double max = 0;
    for (int r = 0; r < ra.length; r++) {
      for (int i = 0; i < n[r]; i++) {
        int oa = (ra[r] * ta + i) * h, ob = (rb[r] * tb + i) * h;
        for (int j = 0; j < h; j++) {
          double d = Math.abs((double) x[oa + j] - y[ob + j]);
          max = Math.max(max, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
        }
      }
    }
    return max;
  }

  private static Check shapeCheck(String name, long[] got, long[] expected) {
    return Check.of(name, Arrays.equals(got, expected), shape(got) + "; expected " + shape(expected));
  }

  private static boolean sameSet(List<String> a, List<String> b) {
    return a.size() == b.size() && sorted(a).equals(sorted(b));
  }

  private static List<String> sorted(List<String> a) {
    return a.stream().sorted().toList();
  }

  static String shape(long[] s) {
    if (s == null) return "(missing)";
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < s.length; i++) b.append(i == 0 ? "" : ", ").append(s[i]);
    return b.append(')').toString();
  }
}
