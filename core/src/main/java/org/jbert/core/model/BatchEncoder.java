package org.jbert.core.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.io.Npz;
import org.jbert.core.tokenize.Features;

/**
 * Encodes many rows in batches and gathers every output into arrays under the TF Hub names, ready for
 * {@link Npz#write}: {@code input_word_ids}, {@code input_mask}, {@code input_type_ids} [N,T] int32;
 * {@code default}, {@code pooled_output} [N,H]; {@code sequence_output} [N,T,H]; {@code encoder_outputs} [L,N,T,H].
 *
 * <p>Batching is {@link RowBatches}': with {@code trimBatches}, rows are sorted by real length, batched with
 * neighbours of similar length, and each batch runs only to its longest real row; padded positions
 * ({@code input_mask} 0) hold 0 in the outputs, whatever the batching. Attention never looks at padded keys, so
 * outputs on real tokens are the same either way (to float rounding). Without it every row runs at the full T and
 * padded positions hold what the encoder computes there, as TF Hub's encoder returns them.
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
    float[] pooled = new float[n * h];
    float[] seq = new float[(int) seqCells];
    float[] layers = new float[(int) (seqCells * l)];
    for (RowBatches.Batch batch : RowBatches.of(f, batchSize, trimBatches)) {
      int bt = batch.length();
      try (EncoderResult r = model.encode(batch.inputWordIds(), batch.inputMask(), batch.inputTypeIds())) {
        float[] p = RowBatches.floats(r.pooledOutput());
        float[] s = RowBatches.floats(r.sequenceOutput());
        for (int k = 0; k < batch.size(); k++) {
          int row = batch.rows()[k];
          System.arraycopy(p, k * h, pooled, row * h, h);
          RowBatches.copyRow(s, k, bt, seq, 0, row, t, h, trimBatches ? batch.inputMask()[k] : null);
        }
        for (int layer = 0; layer < l; layer++) {
          float[] y = RowBatches.floats(r.encoderOutputs().get(layer));
          for (int k = 0; k < batch.size(); k++) {
            RowBatches.copyRow(y, k, bt, layers, layer * seqCells, batch.rows()[k], t, h,
                trimBatches ? batch.inputMask()[k] : null);
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
}
