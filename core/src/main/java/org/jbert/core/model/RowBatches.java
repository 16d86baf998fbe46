package org.jbert.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.jbert.core.JbertException;
import org.jbert.core.io.Npz;
import org.jbert.core.tokenize.Features;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Running a model over many input rows in batches, and gathering its outputs back into one array per output in input
 * order (what {@code jbert embed} and {@code jbert predict} write).
 *
 * <p>With {@code trim} (dynamic padding), rows are sorted by real length, batched with neighbours of similar length,
 * and each batch runs only to its longest real row (length bucketing). Gathered per-token outputs then hold 0 at every
 * padded position ({@code input_mask} 0), whatever the batching. Attention never looks at padded keys, so outputs on
 * real tokens are the same either way (to float rounding). Without it every row runs at the full T in input order and
 * padded positions hold what the model computes there (as TF Hub and Hugging Face return them).
 */
public final class RowBatches {
  private RowBatches() {}

  /**
   * One batch.
   *
   * @param rows the indices of its rows in the input, in batch order
   * @param inputWordIds [b,bt] the rows' inputs cut (or kept) to the batch length bt
   * @param inputMask [b,bt]
   * @param inputTypeIds [b,bt]
   */
  public record Batch(int[] rows, int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds) {
    /** b. */
    public int size() {
      return rows.length;
    }

    /** bt, the batch's sequence length. */
    public int length() {
      return inputWordIds[0].length;
    }
  }

  /**
   * A row's real length: one past its last {@code input_mask} 1 (0 when it has none). Cutting the row there keeps
   * every real token, even where a pre-tokenized mask has gaps.
   */
  public static int realLength(int[] mask) {
    for (int i = mask.length - 1; i >= 0; i--) {
      if (mask[i] != 0) return i + 1;
    }
    return 0;
  }

  /**
   * The rows of {@code f} in batches of at most {@code batchSize}; see the class comment for {@code trim}. A trimmed
   * batch is at least one position long.
   */
  public static List<Batch> of(Features f, int batchSize, boolean trim) {
    if (batchSize < 1) throw new JbertException("batch size " + batchSize + " must be at least 1");
    int n = f.batchSize(), t = f.seqLength();
    int[] len = new int[n];
    for (int i = 0; i < n; i++) len[i] = realLength(f.inputMask()[i]);
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    if (trim) Arrays.sort(order, Comparator.comparingInt(i -> len[i]));
    List<Batch> out = new ArrayList<>();
    for (int from = 0; from < n; from += batchSize) {
      int b = Math.min(batchSize, n - from);
      int bt = t;
      if (trim) {
        bt = 1;
        for (int k = 0; k < b; k++) bt = Math.max(bt, len[order[from + k]]);
      }
      int[] rows = new int[b];
      int[][] ids = new int[b][], mask = new int[b][], types = new int[b][];
      for (int k = 0; k < b; k++) {
        int row = order[from + k];
        rows[k] = row;
        ids[k] = Arrays.copyOf(f.inputWordIds()[row], bt);
        mask[k] = Arrays.copyOf(f.inputMask()[row], bt);
        types[k] = Arrays.copyOf(f.inputTypeIds()[row], bt);
      }
      out.add(new Batch(rows, ids, mask, types));
    }
    return out;
  }

  /**
   * Runs {@code model} on every batch of {@code f} and gathers each float output into one float32 array in input
   * order: an output [b, ...] becomes [N, ...]; an output named in {@code perToken}, [b, bt, ...] per batch, becomes
   * [N, T, ...] with T = {@code f.seqLength()}, positions a trimmed batch did not run, and with {@code trim} every
   * padded position, holding 0. Every batch must give the same outputs with the same trailing sizes. The arrays
   * {@code model} returns are closed here.
   *
   * @throws JbertException when an output would exceed one Java array, or batches disagree on an output's shape
   */
  public static Map<String, Npz.Array> gather(Features f, int batchSize, boolean trim, Set<String> perToken,
      Function<Batch, Map<String, INDArray>> model) {
    int n = f.batchSize(), t = f.seqLength();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Map<String, float[]> data = new LinkedHashMap<>();
    for (Batch batch : of(f, batchSize, trim)) {
      Map<String, INDArray> r = model.apply(batch);
      try {
        if (shapes.isEmpty()) {
          for (Map.Entry<String, INDArray> e : r.entrySet()) {
            boolean token = perToken.contains(e.getKey());
            long[] s = e.getValue().shape();
            long[] full = s.clone();
            full[0] = n;
            if (token) {
              if (s.length < 2) {
                throw new JbertException("output " + e.getKey() + " has shape " + Arrays.toString(s)
                    + "; expected [B,T,...] for a per-token output");
              }
              full[1] = t;
            }
            long cells = Arrays.stream(full).reduce(1, Math::multiplyExact);
            if (cells > Integer.MAX_VALUE - 8) {
              throw new JbertException(n + " rows give output " + e.getKey() + " of shape " + Arrays.toString(full)
                  + " = " + cells + " values, more than one array holds (2^31); split the input into smaller files"
                  + (token ? " or shorten the rows" : ""));
            }
            shapes.put(e.getKey(), full);
            data.put(e.getKey(), new float[(int) cells]);
          }
        }
        if (!r.keySet().equals(shapes.keySet())) {
          throw new JbertException("the model gave outputs " + r.keySet() + " for one batch and " + shapes.keySet()
              + " for another");
        }
        for (Map.Entry<String, INDArray> e : r.entrySet()) {
          scatter(e.getKey(), e.getValue(), batch, shapes.get(e.getKey()), data.get(e.getKey()),
              perToken.contains(e.getKey()), trim);
        }
      } finally {
        r.values().forEach(a -> {
          if (!a.wasClosed()) a.close();
        });
      }
    }
    Map<String, Npz.Array> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) out.put(e.getKey(), Npz.Array.of(data.get(e.getKey()),
        e.getValue()));
    return out;
  }

  private static void scatter(String name, INDArray a, Batch batch, long[] full, float[] dst, boolean token,
      boolean realOnly) {
    long[] s = a.shape();
    int b = batch.size(), bt = batch.length();
    boolean ok = s.length == full.length && s[0] == b && (!token || s[1] == bt);
    for (int d = token ? 2 : 1; ok && d < s.length; d++) ok = s[d] == full[d];
    if (!ok) {
      long[] want = full.clone();
      want[0] = b;
      if (token) want[1] = bt;
      throw new JbertException("output " + name + " has shape " + Arrays.toString(s) + " for a batch; expected "
          + Arrays.toString(want));
    }
    float[] src = floats(a);
    int inner = 1;
    for (int d = token ? 2 : 1; d < s.length; d++) inner *= (int) s[d];
    for (int k = 0; k < b; k++) {
      int row = batch.rows()[k];
      if (!token) {
        System.arraycopy(src, k * inner, dst, row * inner, inner);
      } else {
        copyRow(src, k, bt, dst, 0, row, (int) full[1], inner, realOnly ? batch.inputMask()[k] : null);
      }
    }
  }

  /**
   * Copies row {@code k} of a [b,bt,inner] block into row {@code row} of a [N,T,inner] block starting at
   * {@code base}; with {@code realOnly} (the row's input_mask, length bt) only the positions where it is 1.
   */
  static void copyRow(float[] src, int k, int bt, float[] dst, long base, int row, int t, int inner,
      int[] realOnly) {
    for (int i = 0; i < bt; i++) {
      if (realOnly != null && realOnly[i] == 0) continue;
      System.arraycopy(src, (k * bt + i) * inner, dst, (int) (base + ((long) row * t + i) * inner), inner);
    }
  }

  /** The values of {@code a} as float32, row-major. */
  static float[] floats(INDArray a) {
    if (a.dataType() != DataType.FLOAT) {
      try (INDArray cast = a.castTo(DataType.FLOAT)) {
        return floats(cast);
      }
    }
    // dup first: data() of a view or of an 'f'-ordered array is not the row-major values.
    try (INDArray c = a.dup('c')) {
      return c.data().asFloat();
    }
  }
}
