package org.jbert.core.train;

import java.util.List;
import org.jbert.core.config.BertConfig;
import org.jbert.core.weights.CheckpointNames;

/** Two real parameter names for tests, taken from the name table: the pooler's kernel [H,H] and bias [H]. */
final class PoolerNames {
  private PoolerNames() {}

  private static final List<CheckpointNames> POOLER =
      CheckpointNames.forConfig(BertConfig.base(), CheckpointNames.Part.POOLER);
  static final String KERNEL = POOLER.get(0).canonical();
  static final String BIAS = POOLER.get(1).canonical();
}
