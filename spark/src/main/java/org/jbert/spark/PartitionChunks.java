package org.jbert.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.jbert.core.JbertException;

/**
 * Runs a model over a partition's rows a chunk at a time and appends its outputs to each row, in input order. A chunk
 * is what the library batches as one input (sorted by length, batched with dynamic padding, gathered back in order:
 * {@link org.jbert.core.model.RowBatches}), so memory stays bounded by the chunk, whatever the partition's size.
 */
final class PartitionChunks implements Iterator<Row> {

  /** The model's outputs for a chunk: one array of column values per input row, in the rows' order. */
  @FunctionalInterface
  interface ChunkFunction extends java.io.Serializable {
    List<Object[]> apply(List<Row> rows);
  }

  private final Iterator<Row> in;
  private final int chunkSize;
  private final ChunkFunction fn;
  private List<Row> rows = List.of();
  private List<Object[]> outputs = List.of();
  private int next;

  PartitionChunks(Iterator<Row> in, int chunkSize, ChunkFunction fn) {
    this.in = in;
    this.chunkSize = chunkSize;
    this.fn = fn;
  }

  @Override
  public boolean hasNext() {
    if (next < rows.size()) return true;
    if (!in.hasNext()) return false;
    rows = new ArrayList<>(chunkSize);
    while (in.hasNext() && rows.size() < chunkSize) rows.add(in.next());
    outputs = fn.apply(rows);
    if (outputs.size() != rows.size()) {
      throw new IllegalStateException(outputs.size() + " outputs for " + rows.size() + " rows");
    }
    next = 0;
    return true;
  }

  @Override
  public Row next() {
    if (!hasNext()) throw new NoSuchElementException();
    Row r = rows.get(next);
    Object[] extra = outputs.get(next);
    next++;
    Object[] v = new Object[r.length() + extra.length];
    for (int i = 0; i < r.length(); i++) v[i] = r.get(i);
    System.arraycopy(extra, 0, v, r.length(), extra.length);
    return RowFactory.create(v);
  }

  /** The strings of column {@code index} (named {@code name} in messages); a null is an error unless allowed. */
  static List<String> strings(List<Row> rows, int index, String name, boolean nullable) {
    List<String> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      if (r.isNullAt(index)) {
        if (!nullable) {
          String row = r.toString();
          throw new JbertException("column " + name + " holds a null in row " + (row.length() > 120
              ? row.substring(0, 120) + "...]" : row) + "; expected a string in every row");
        }
        out.add(null);
      } else {
        out.add(r.getString(index));
      }
    }
    return out;
  }
}
