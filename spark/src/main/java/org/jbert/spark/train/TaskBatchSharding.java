package org.jbert.spark.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.finetune.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cuts a fine-tuning {@link Batch} by rows: the encoder inputs and every label array along its first dimension (class
 * ids, targets, tag ids, span positions), the labels' data type kept. Joined rows are cut to a width along the
 * positions: the inputs, and the integer label arrays [rows, width] (tag ids); other labels (class ids, targets
 * [rows, C], span positions) are per row.
 */
public final class TaskBatchSharding implements Sharding<Batch, TaskBatchSharding.Share> {
  private static final long serialVersionUID = 1L;

  /** A label array's rows: its data type name, its shape (first dimension = the share's rows) and values. */
  public record LabelRows(String dtype, long[] shape, double[] values) implements Serializable {}

  /** One worker's rows. */
  public record Share(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds, Map<String, LabelRows> labels)
      implements Serializable {}

  @Override
  public List<Share> split(Batch batch, int parts) {
    int n = batch.size();
    int p = Math.min(parts, n);
    List<Share> out = new ArrayList<>(p);
    for (int k = 0, from = 0; k < p; k++) {
      int to = from + n / p + (k < n % p ? 1 : 0);
      Map<String, LabelRows> labels = new LinkedHashMap<>();
      for (Map.Entry<String, INDArray> e : batch.labels().entrySet()) {
        INDArray a = e.getValue();
        long[] shape = a.shape().clone();
        long inner = a.length() / shape[0];
        double[] all = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        shape[0] = to - from;
        labels.put(e.getKey(), new LabelRows(a.dataType().name(), shape,
            Arrays.copyOfRange(all, (int) (from * inner), (int) (to * inner))));
      }
      out.add(new Share(Arrays.copyOfRange(batch.inputWordIds(), from, to),
          Arrays.copyOfRange(batch.inputMask(), from, to), Arrays.copyOfRange(batch.inputTypeIds(), from, to), labels));
      from = to;
    }
    return out;
  }

  @Override
  public int size(Share share) {
    return share.inputWordIds().length;
  }

  @Override
  public int width(Share s) {
    return s.inputWordIds().length == 0 ? 0 : s.inputWordIds()[0].length;
  }

  @Override
  public Share join(List<Share> rows, int width) {
    int n = 0;
    for (Share s : rows) n += size(s);
    int[][] ids = new int[n][], mask = new int[n][], types = new int[n][];
    int r = 0;
    for (Share s : rows) {
      for (int k = 0; k < size(s); k++, r++) {
        ids[r] = Arrays.copyOf(s.inputWordIds()[k], width);
        mask[r] = Arrays.copyOf(s.inputMask()[k], width);
        types[r] = Arrays.copyOf(s.inputTypeIds()[k], width);
      }
    }
    Map<String, LabelRows> labels = new LinkedHashMap<>();
    if (rows.isEmpty()) return new Share(ids, mask, types, labels);
    Share first = rows.get(0);
    for (Map.Entry<String, LabelRows> e : first.labels().entrySet()) {
      LabelRows l = e.getValue();
      boolean perPosition = l.shape().length == 2 && l.shape()[1] == width(first)
          && DataType.valueOf(l.dtype()).isIntType();
      int inner = perPosition ? width : l.values().length / size(first);
      double[] v = new double[n * inner];
      int at = 0;
      for (Share s : rows) {
        double[] src = s.labels().get(e.getKey()).values();
        int stride = src.length / size(s);
        for (int k = 0; k < size(s); k++, at += inner) System.arraycopy(src, k * stride, v, at, inner);
      }
      long[] shape = l.shape().clone();
      shape[0] = n;
      if (perPosition) shape[1] = width;
      labels.put(e.getKey(), new LabelRows(l.dtype(), shape, v));
    }
    return new Share(ids, mask, types, labels);
  }

  @Override
  public Batch batch(Share s) {
    Map<String, INDArray> labels = new LinkedHashMap<>();
    for (Map.Entry<String, LabelRows> e : s.labels().entrySet()) {
      LabelRows l = e.getValue();
      INDArray d = Nd4j.createFromArray(l.values()).reshape(l.shape());
      DataType t = DataType.valueOf(l.dtype());
      if (t == DataType.DOUBLE) {
        labels.put(e.getKey(), d);
      } else {
        labels.put(e.getKey(), d.castTo(t));
        d.close();
      }
    }
    return new Batch(s.inputWordIds(), s.inputMask(), s.inputTypeIds(), labels);
  }
}
