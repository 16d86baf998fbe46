package org.jbert.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.SavedModelSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * TF Java 0.5.0 and nd4j-native 1.0.0-M2.1 (both on javacpp 1.5.8) work in ONE JVM: nd4j computes, the real
 * BERT-base SavedModel runs in TensorFlow, nd4j computes again, and TF's pooled output agrees with the pooler
 * recomputed by nd4j from TF's own sequence output and the weights read by jbert's TensorBundle.
 */
class TfAndNd4jSameJvmTest {

  static final int T = 128;

  /** A deterministic batch: row b has 10 + 37 b real tokens ([CLS] ... [SEP]), the rest padding, segment B after half. */
  static int[][][] batch(int b) {
    int[][] ids = new int[b][T];
    int[][] mask = new int[b][T];
    int[][] seg = new int[b][T];
    for (int i = 0; i < b; i++) {
      int len = Math.min(T, 10 + 37 * i);
      for (int t = 0; t < len; t++) {
        ids[i][t] = t == 0 ? 101 : t == len - 1 ? 102 : 1000 + (t * 131 + i * 17) % 28000;
        mask[i][t] = 1;
        seg[i][t] = t >= len / 2 ? 1 : 0;
      }
    }
    return new int[][][] {ids, mask, seg};
  }

  @Test
  void nd4jAndTensorFlowShareOneJvm() {
    INDArray a = Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape(3, 4);
    INDArray before = a.mmul(a.transpose());
    assertEquals(1 * 1 + 2 * 2 + 3 * 3 + 4 * 4, before.getFloat(0, 0), 0f);

    Path folder = PretrainedModels.resolve(PretrainedModels.DEFAULT);
    int[][][] in = batch(2);
    TfReference.Outputs out;
    float[] kernel;
    float[] bias;
    try (TfReference tf = TfReference.load(folder)) {
      assertEquals(128, tf.seqLen());
      out = tf.run(in[0], in[1], in[2], true);
    }
    try (SavedModelSource s = SavedModelSource.open(folder)) {
      kernel = s.read(pooler("kernel"));
      bias = s.read(pooler("bias"));
    }
    int h = 768;
    assertEquals(2 * T * h, out.sequence().length);
    assertEquals(2 * h, out.pooled().length);
    assertEquals(12, out.layers().length);
    assertEquals(2 * T * h, out.embeddings().length);
    assertArrayEquals(out.layers()[11], out.sequence(), 0f);

    // nd4j after TF: pooled = tanh(sequence[:, 0, :] @ kernel + bias) (google-research/bert modeling.py pooler).
    INDArray seq = Nd4j.create(out.sequence(), new long[] {2, T, h}, 'c');
    INDArray first = seq.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
        org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
    INDArray w = Nd4j.create(kernel, new long[] {h, h}, 'c');
    INDArray pooled = org.nd4j.linalg.ops.transforms.Transforms.tanh(first.mmul(w).addRowVector(Nd4j.create(bias)));
    float[] got = pooled.data().asFloat();
    float maxDiff = 0;
    for (int i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - out.pooled()[i]));
    assertTrue(maxDiff < 1e-5f, "nd4j pooler vs TF pooled output: max |diff| " + maxDiff);
    INDArray after = a.mmul(a.transpose());
    assertArrayEquals(before.data().asFloat(), after.data().asFloat(), 0f);
    for (INDArray x : new INDArray[] {a, before, after, seq, first, w, pooled}) x.close();
  }

  private static String pooler(String what) {
    return CheckpointNames.forConfig(org.jbert.core.config.BertConfig.base(), CheckpointNames.Part.POOLER).stream()
        .map(CheckpointNames::canonical).filter(n -> n.endsWith("/" + what)).findFirst().orElseThrow();
  }
}
