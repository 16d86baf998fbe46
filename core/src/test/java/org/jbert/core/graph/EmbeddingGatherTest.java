package org.jbert.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.jbert.core.train.NativeMemory;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The embedding lookup's gradient: exact sums for repeated ids (scatter_add must run with its lock, one thread), and
 * no native memory kept per training step (libnd4j M2.1's unsorted_segment_sum, the earlier backward, kept ~5 MB a
 * call at this size: 1 GB over the loop below).
 */
class EmbeddingGatherTest {
  private static final int ROWS = 4, H = 64, K = 4096;

  /** loss = sum(lookup(table, ids) * w), so d loss / d table[r] = the sum of w's rows whose id is r. */
  private static SameDiff graph(int rows, int h) {
    SameDiff sd = SameDiff.create();
    SDVariable table = sd.var("table", Nd4j.rand(DataType.FLOAT, rows, h));
    SDVariable ids = sd.placeHolder("ids", DataType.INT, -1);
    SDVariable w = sd.placeHolder("w", DataType.FLOAT, -1, h);
    sd.constant(BertGraph.TRAINING, Nd4j.scalar(DataType.FLOAT, 0)); // the switch GraphTrainable flips
    Ops.embeddingLookup(table, ids).mul(w).sum().rename("loss");
    sd.setLossVariables("loss");
    return sd;
  }

  @Test
  void repeatedIdsAddUpExactlyEveryTime() {
    SameDiff sd = graph(ROWS, H);
    Random r = new Random(5);
    int[] ids = r.ints(K, 0, ROWS).toArray();
    float[][] w = new float[K][H];
    for (float[] row : w) java.util.Arrays.fill(row, 1f); // integer sums: exact in float32 whatever the order
    double[] want = new double[ROWS];
    for (int id : ids) want[id] += 1;
    Map<String, INDArray> ph = Map.of("ids", Nd4j.createFromArray(ids), "w", Nd4j.createFromArray(w));
    double worst = 0;
    for (int run = 0; run < 30; run++) { // without the lock, 2 threads lost up to 450 of ~1,000 additions
      INDArray g = sd.calculateGradients(ph, "table").get("table");
      for (int row = 0; row < ROWS; row++) {
        worst = Math.max(worst, Math.abs(g.getRow(row).maxNumber().doubleValue() - want[row]));
        worst = Math.max(worst, Math.abs(g.getRow(row).minNumber().doubleValue() - want[row]));
      }
    }
    assertEquals(0.0, worst, 0.0, "largest error of a table gradient row over 30 runs");
  }

  @Test
  void theBackwardPassKeepsNoNativeMemory() {
    SameDiff sd = graph(30522, 256);
    Random r = new Random(6);
    Map<String, INDArray> ph = Map.of("ids", Nd4j.createFromArray(r.ints(2048, 0, 30522).toArray()),
        "w", Nd4j.rand(DataType.FLOAT, 2048, 256));
    // the training path: GraphTrainable's sessions, which free each step's arrays as it goes
    org.jbert.core.train.GraphTrainable<Map<String, INDArray>> t = new org.jbert.core.train.GraphTrainable<>(sd,
        "loss", b -> b, b -> { }, org.jbert.core.graph.DropoutSeeds.attach(sd));
    long[] rss = new long[2];
    for (int call = 0; call < 220; call++) {
      t.lossAndGradients(ph).gradients().values().forEach(INDArray::close);
      if (call == 19 || call == 219) { // after a warm-up, then 200 calls later
        System.gc();
        NativeMemory.trim();
        rss[call == 19 ? 0 : 1] = Pointer.physicalBytes();
      }
    }
    long grown = (rss[1] - rss[0]) >> 20;
    System.err.printf("embedding lookup backward, 200 calls of [2048,256] rows: resident set %+d MB%n", grown);
    assertTrue(grown < 200, "the resident set grew " + grown + " MB over 200 calls (~1,000 MB when it leaked)");
  }
}
