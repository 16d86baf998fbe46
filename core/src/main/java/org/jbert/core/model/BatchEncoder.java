package org.jbert.core.model;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.jbert.core.JbertException;
import org.jbert.core.io.Npz;
import org.jbert.core.tokenize.Features;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Encodes many rows in batches and gathers every output into arrays under the TF Hub names, ready for
 * {@link Npz#write}: {@code input_word_ids}, {@code input_mask}, {@code input_type_ids} [N,T] int32;
 * {@code default}, {@code pooled_output} [N,H]; {@code sequence_output} [N,T,H]; {@code encoder_outputs} [L,N,T,H].
 *
 * <p>With {@code trimBatches}, rows are sorted by real length, batched with neighbours of similar length, and each
 * batch runs only to its longest real row (length bucketing); padded positions ({@code input_mask} 0) hold 0 in the
 * outputs, whatever the batching. Attention never looks at padded keys, so outputs on real tokens are the same either
 * way (to float rounding). Without it every row runs at the full T and padded positions hold what the encoder
 * computes there, as TF Hub's encoder returns them.
 */
public final class BatchEncoder {
  private BatchEncoder() {}

  /** Encodes the N rows of {@code f}, {@code batchSize} at a time; see the class comment. */
  public static Map<String, Npz.Array> encodeAll(BertModel model, Features f, int batchSize, boolean trimBatches) {
    if (batchSize < 1) throw new JbertException("batch size " + batchSize + " must be at least 1");
    int n = f.batchSize(), t = f.seqLength(), h = model.config().hiddenSize(), l = model.config().numHiddenLayers();
    long seqCells = (long) n * t * h;
    if (seqCells * l > Integer.MAX_VALUE) {
      throw new JbertException(n + " rows of " + t + " tokens give " + seqCells * l
          + " values per output, more than one array holds; split the input into smaller files");
    }
    int[] len = new int[n];
    for (int i = 0; i < n; i++) len[i] = Arrays.stream(f.inputMask()[i]).sum();
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    if (trimBatches) Arrays.sort(order, Comparator.comparingInt(i -> len[i]));

    float[] pooled = new float[n * h];
    float[] seq = new float[(int) seqCells];
    float[] layers = new float[(int) (seqCells * l)];
    for (int from = 0; from < n; from += batchSize) {
      int b = Math.min(batchSize, n - from);
      int bt = t;
      if (trimBatches) {
        bt = 1;
        for (int k = 0; k < b; k++) bt = Math.max(bt, len[order[from + k]]);
      }
      int[][] ids = new int[b][], mask = new int[b][], types = new int[b][];
      for (int k = 0; k < b; k++) {
        int row = order[from + k];
        ids[k] = Arrays.copyOf(f.inputWordIds()[row], bt);
        mask[k] = Arrays.copyOf(f.inputMask()[row], bt);
        types[k] = Arrays.copyOf(f.inputTypeIds()[row], bt);
      }
      try (EncoderResult r = model.encode(ids, mask, types)) {
        float[] p = floats(r.pooledOutput());
        float[] s = floats(r.sequenceOutput());
        for (int k = 0; k < b; k++) {
          int row = order[from + k];
          System.arraycopy(p, k * h, pooled, row * h, h);
          copyRow(s, k, bt, seq, 0, row, t, h, trimBatches ? f.inputMask()[row] : null);
        }
        for (int layer = 0; layer < l; layer++) {
          float[] y = floats(r.encoderOutputs().get(layer));
          for (int k = 0; k < b; k++) {
            int row = order[from + k];
            copyRow(y, k, bt, layers, layer * seqCells, row, t, h, trimBatches ? f.inputMask()[row] : null);
          }
        }
      }
    }
    Map<String, Npz.Array> out = new LinkedHashMap<>();
    out.put("input_word_ids", Npz.Array.of(f.inputWordIds()));
    out.put("input_mask", Npz.Array.of(f.inputMask()));
    out.put("input_type_ids", Npz.Array.of(f.inputTypeIds()));
    out.put("default", Npz.Array.of(pooled, n, h));
    out.put("pooled_output", Npz.Array.of(pooled, n, h));
    out.put("sequence_output", Npz.Array.of(seq, n, t, h));
    out.put("encoder_outputs", Npz.Array.of(layers, l, n, t, h));
    return out;
  }

  /** Copies row {@code k} of a [b,bt,H] batch into row {@code row} of a [N,T,H] block at {@code base}. */
  private static void copyRow(float[] src, int k, int bt, float[] dst, long base, int row, int t, int h,
      int[] realOnly) {
    for (int i = 0; i < bt; i++) {
      if (realOnly != null && realOnly[i] == 0) continue;
      System.arraycopy(src, (k * bt + i) * h, dst, (int) (base + ((long) row * t + i) * h), h);
    }
  }

  private static float[] floats(INDArray a) {
    try (INDArray c = a.dup('c')) {
      return c.data().asFloat();
    }
  }
}
