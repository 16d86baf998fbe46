package org.jbert.core.graph;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.shape.Gather;

/**
 * Row lookup {@code table[ids]} whose backward pass is an unsorted segment sum of the incoming gradient into the
 * table's rows. The stock {@link Gather} backward of SameDiff 1.0.0-M2.1 fails inside {@code fit}; the forward here is
 * the same native {@code gather} op, only the gradient is built differently.
 *
 * <p>Shapes: table [R,H], ids [K] int, output [K,H]; gradient for the table [R,H], none for the ids.
 */
public class EmbeddingGather extends Gather {
  private int rows;

  /** For SameDiff's reflection only. */
  public EmbeddingGather() {}

  EmbeddingGather(SameDiff sd, SDVariable table, SDVariable ids, int rows) {
    super(sd, table, ids, 0, false);
    this.rows = rows;
  }

  @Override
  public List<SDVariable> doDiff(List<SDVariable> grads) {
    SDVariable g = sameDiff.unsortedSegmentSum(grads.get(0), arg(1), rows);
    return List.of(g, sameDiff.zerosLike(arg(1)));
  }
}
