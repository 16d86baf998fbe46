package org.jbert.eval.article;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.jbert.core.model.Bert;
import org.jbert.core.model.EncoderResult;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Token;
import org.jbert.core.weights.CheckpointNames;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The article "Pratically Demistifying BERT Language Representation Model" (Analytics Vidhya, 2021) in Java: the
 * TF Hub preprocessor and encoder on its three sentences, the key names and shapes it shows,
 * {@code encoder_outputs[-1] == sequence_output}, and its Word2Vec-versus-BERT point about the word "fair",
 * measured: the static word embedding is the same vector in both sentences, the contextual ones are not.
 */
public final class ArticleWalkthrough {
  /** The article's {@code test_text}. */
  public static final List<String> TEST_TEXT = List.of("I love pizza", "India is my country",
      "Italy is fun place to visit");
  /** The article's two senses of "fair": by the rules, and an event. */
  public static final List<String> FAIR = List.of("They were playing fair and square.",
      "There was a fair organized nearby.");

  /**
   * What the walkthrough found.
   *
   * @param preprocessShapes {@code input_word_ids}, {@code input_mask}, {@code input_type_ids} shapes
   * @param pooledShape {@code pooled_output} (= {@code default}) shape
   * @param sequenceShape {@code sequence_output} shape
   * @param encoderOutputShapes each of the L {@code encoder_outputs} shapes
   * @param lastLayerEqualCount how many values of {@code encoder_outputs[-1] == sequence_output} are true
   * @param lastLayerValueCount how many values were compared
   * @param fairStaticCosine cosine of the two static word-embedding vectors of "fair" (1: the same row)
   * @param fairContextCosine cosine of the two contextual {@code sequence_output} vectors of "fair"
   */
  public record Result(List<long[]> preprocessShapes, long[] pooledShape, long[] sequenceShape,
      List<long[]> encoderOutputShapes, long lastLayerEqualCount, long lastLayerValueCount, double fairStaticCosine,
      double fairContextCosine) {
    public boolean lastLayerAllEqual() {
      return lastLayerEqualCount == lastLayerValueCount;
    }
  }

  private ArticleWalkthrough() {}

  /** Runs the walkthrough on {@code bert}, printing it as the article shows it. */
  public static Result run(Bert bert, PrintStream out) {
    out.println("test_text = " + pyList(TEST_TEXT));
    out.println();
    out.println("processed_text = bert_preprocess_model(test_text)   # " + bert.name() + ", seq_length 128");
    Features f = bert.preprocess(TEST_TEXT);
    out.println("processed_text.keys() = ['input_mask', 'input_word_ids', 'input_type_ids']");
    long[] inShape = {f.batchSize(), f.seqLength()};
    out.printf("  input_word_ids  %s  first row %s%n", shape(inShape), head(f.inputWordIds()[0], 8));
    out.printf("  input_mask      %s  first row %s%n", shape(inShape), head(f.inputMask()[0], 8));
    out.printf("  input_type_ids  %s  first row %s%n", shape(inShape), head(f.inputTypeIds()[0], 8));
    out.println();
    out.println("bert_results = bert_encoder_model(processed_text)   # " + bert.config().numHiddenLayers()
        + " layers, H=" + bert.config().hiddenSize());
    try (EncoderResult r = bert.encode(f)) {
      out.println("bert_results.keys() = ['default', 'sequence_output', 'pooled_output', 'encoder_outputs']");
      out.printf("  default          %s%n", shape(r.defaultOutput().shape()));
      out.printf("  pooled_output    %s  first row %s%n", shape(r.pooledOutput().shape()),
          head(r.pooledOutput().getRow(0).toFloatVector(), 4));
      out.printf("  sequence_output  %s%n", shape(r.sequenceOutput().shape()));
      List<long[]> layerShapes = new ArrayList<>();
      for (INDArray a : r.encoderOutputs()) layerShapes.add(a.shape());
      out.printf("  encoder_outputs  %d x %s%n", layerShapes.size(), shape(layerShapes.get(0)));
      out.println();
      INDArray last = r.encoderOutputs().get(r.encoderOutputs().size() - 1);
      long total = last.length();
      long equal;
      try (INDArray eq = last.eq(r.sequenceOutput()).castTo(org.nd4j.linalg.api.buffer.DataType.INT)) {
        equal = eq.sumNumber().longValue();
      }
      out.println("bert_results['encoder_outputs'][-1] == bert_results['sequence_output']");
      out.printf("  %s (%d of %d values True)%n", equal == total ? "all True" : "NOT all True", equal, total);
      out.println();

      double[] fair = fair(bert, out);
      return new Result(List.of(inShape, inShape, inShape), r.pooledOutput().shape(), r.sequenceOutput().shape(),
          layerShapes, equal, total, fair[0], fair[1]);
    }
  }

  /** {static cosine, contextual cosine} of "fair" in {@link #FAIR}. */
  private static double[] fair(Bert bert, PrintStream out) {
    int fairId = bert.tokenizer().vocab().idOrUnk("fair");
    int[] pos = new int[2];
    for (int s = 0; s < 2; s++) {
      List<Token> toks = bert.tokenizer().tokenize(FAIR.get(s));
      pos[s] = -1;
      for (int i = 0; i < toks.size(); i++) if (toks.get(i).id() == fairId) pos[s] = i + 1; // +1 for [CLS]
    }
    Features f = bert.preprocess(FAIR);
    INDArray table = bert.model().sameDiff().getVariable(CheckpointNames.WORD_EMBEDDINGS).getArr();
    float[] s0 = table.getRow(f.inputWordIds()[0][pos[0]]).toFloatVector();
    float[] s1 = table.getRow(f.inputWordIds()[1][pos[1]]).toFloatVector();
    float[] c0, c1;
    try (EncoderResult r = bert.encode(f)) {
      c0 = r.sequenceOutput().get(NDArrayIndex.point(0), NDArrayIndex.point(pos[0]), NDArrayIndex.all())
          .toFloatVector();
      c1 = r.sequenceOutput().get(NDArrayIndex.point(1), NDArrayIndex.point(pos[1]), NDArrayIndex.all())
          .toFloatVector();
    }
    double staticCos = cosine(s0, s1);
    double contextCos = cosine(c0, c1);
    out.println("Word2Vec vs BERT: the word \"fair\"");
    for (int s = 0; s < 2; s++) out.printf("  %d. %s   (\"fair\" at position %d)%n", s + 1, FAIR.get(s), pos[s]);
    out.printf("  static word embedding (%s row %d): cosine %.6f, the same vector in both sentences%n",
        CheckpointNames.WORD_EMBEDDINGS, fairId, staticCos);
    out.printf("  contextual vectors (sequence_output):   cosine %.6f, BERT tells the two senses apart%n",
        contextCos);
    return new double[] {staticCos, contextCos};
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static String pyList(List<String> s) {
    return s.stream().map(x -> "'" + x + "'").collect(Collectors.joining(", ", "[", "]"));
  }

  private static String shape(long[] s) {
    return Arrays.stream(s).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
  }

  private static String head(int[] v, int n) {
    return Arrays.stream(v).limit(n).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", ", ...]"));
  }

  private static String head(float[] v, int n) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < n; i++) b.append(String.format("%.4f", v[i])).append(", ");
    return b.append("...]").toString();
  }

  /** {@code bin/jbert walkthrough [MODEL]}: the default model unless a name or folder is given. */
  public static void main(String[] args) {
    try (Bert bert = Bert.load(args.length > 0 ? args[0] : PretrainedModels.DEFAULT)) {
      run(bert, System.out);
    }
  }
}
